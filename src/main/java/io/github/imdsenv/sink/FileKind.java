package io.github.imdsenv.sink;

import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.IniLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What an existing FILE holds, so that {@code -o} never turns it into a file of another kind (a
 * forgotten {@code -f ini} would replace every profile of a credentials file with env lines).
 * Judged by a profile header on any line, else by the file's first line that is neither blank nor a
 * comment ({@code #}, {@code ;}), on its bytes (as {@link IniLines} walks them: nothing is
 * decoded): the format whose output begins so, or none (nothing but blanks and comments, or text no
 * format writes: any format may replace that).
 */
public final class FileKind {

  private FileKind() {}

  /**
   * Null when {@code format} may write over {@code content}; else the one-line refusal, naming what
   * the file seems to hold and the {@code -f} that fits it.
   */
  public static String mismatch(Path file, Format format, byte[] content) {
    Format held = of(content);
    if (held == null || held == format) {
      return null;
    }
    String holds = file + " holds " + what(held);
    if (held == Format.INI) {
      return holds
          + " ("
          + profiles(content)
          + "); -o would replace them with "
          + what(format)
          + ": use -f ini --profile-name NAME to update one profile, or another FILE";
    }
    return holds
        + "; "
        + (format == Format.INI
            ? "-f ini would add an ini profile to it"
            : "-o would replace it with " + what(format))
        + ": use -f "
        + held.label()
        + " to replace it, or another FILE";
  }

  /**
   * The format whose output {@code content} looks like; null for none. A profile header on any line
   * makes it a credentials file, whatever its first line says (a file of {@code A=1} then profiles
   * still holds profiles); a UTF-8 byte order mark (Notepad's) is not part of the first line.
   */
  static Format of(byte[] b) {
    boolean bom =
        b.length >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF;
    IniLines l = new IniLines(b, bom ? 3 : 0);
    Format first = null;
    boolean judged = false;
    while (l.advance()) {
      if (l.isHeader()) {
        return Format.INI;
      }
      if (!judged && !l.blankOrComment()) {
        first = ofLine(b, l.text(), l.end());
        judged = true;
      }
    }
    return first;
  }

  /** The format one of whose lines begins at {@code i}; null for none. */
  private static Format ofLine(byte[] b, int i, int end) {
    if (b[i] == '{') {
      int j = i + 1;
      while (j < b.length && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r')) {
        j++;
      }
      return startsWith(b, j, "\"Version\"") ? Format.PROCESS : Format.JSON;
    }
    if (startsWith(b, i, "export ")) {
      return name(b, skip(b, i + 7, end, ' '), end) == '=' ? Format.ENV : null;
    }
    if (name(b, i, end) == '=') {
      return Format.ENV_NO_EXPORT;
    }
    if (startsWith(b, i, "set -")) {
      // fish's set -gx NAME (not sh's set -ex): flags with x, then a name
      int j = i + 5;
      boolean export = false;
      while (j < end && isLetter(b[j])) {
        export |= b[j++] == 'x';
      }
      return export && j < end && b[j] == ' ' && name(b, j + 1, end) != 0 ? Format.FISH : null;
    }
    if (startsWithIgnoreCase(b, i, "$env:")) {
      return Format.POWERSHELL;
    }
    if (startsWithIgnoreCase(b, i, "set \"")
        || (startsWithIgnoreCase(b, i, "set ") && name(b, i + 4, end) == '=')) {
      return Format.WINDOWS_CMD;
    }
    if (startsWith(b, i, "-e ")) {
      return Format.DOCKER_ARGS;
    }
    return null;
  }

  /**
   * The byte after a shell variable name that begins at {@code i} ({@code [A-Za-z_][A-Za-z0-9_]*});
   * 0 when there is no name there, or nothing after it.
   */
  private static int name(byte[] b, int i, int end) {
    int j = i;
    while (j < end && (b[j] == '_' || isLetter(b[j]) || j > i && b[j] >= '0' && b[j] <= '9')) {
      j++;
    }
    return j > i && j < end ? b[j] : 0;
  }

  private static boolean isLetter(byte c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  private static int skip(byte[] b, int i, int end, char c) {
    while (i < end && b[i] == c) {
      i++;
    }
    return i;
  }

  private static boolean startsWith(byte[] b, int i, String s) {
    byte[] p = s.getBytes(StandardCharsets.UTF_8);
    return i + p.length <= b.length && Arrays.equals(b, i, i + p.length, p, 0, p.length);
  }

  private static boolean startsWithIgnoreCase(byte[] b, int i, String s) {
    if (i + s.length() > b.length) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      if (Character.toLowerCase((char) b[i + k]) != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** What a format writes, in a user's words. */
  private static String what(Format f) {
    return switch (f) {
      case ENV -> "export lines";
      case ENV_NO_EXPORT -> "NAME=value lines";
      case FISH -> "fish set -gx lines";
      case POWERSHELL -> "PowerShell $Env: lines";
      case WINDOWS_CMD -> "cmd set lines";
      case PROCESS -> "credential_process JSON";
      case JSON -> "a JSON object";
      case INI -> "ini profiles";
      case DOCKER_ARGS -> "docker -e arguments";
    };
  }

  /** The first profiles of a credentials file, for the message: {@code [default], [other]}. */
  private static String profiles(byte[] content) {
    StringBuilder sb = new StringBuilder();
    IniLines l = new IniLines(content);
    int count = 0;
    while (l.advance()) {
      if (l.isHeader()) {
        if (++count > 3) {
          return sb.append(", \u2026").toString();
        }
        sb.append(count > 1 ? ", " : "").append('[').append(l.header(40)).append(']');
      }
    }
    return sb.toString();
  }
}
