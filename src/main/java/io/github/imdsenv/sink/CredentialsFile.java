package io.github.imdsenv.sink;

import io.github.imdsenv.format.IniLines;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A shared credentials file as bytes, its sections found exactly as botocore's parser (Python's
 * {@code configparser.RawConfigParser}, empty lines allowed in values) finds them: lines end in LF,
 * CR LF or CR; a line that is not an indented continuation of a value and that, stripped, starts
 * with {@code [} and has a {@code ]} after at least one character is a header, named up to the last
 * {@code ]} (Python 3.10 on: {@code [default] ; main} is {@code default}), or up to the first one
 * (Python 3.9 and before); {@code #} and {@code ;} start comment lines. Replacing a profile keeps
 * every other byte, its header line included. The file is walked line by line on its bytes, never
 * held as lines or Strings: any 16 MiB file fits the launcher's small heap.
 */
public final class CredentialsFile {

  private CredentialsFile() {}

  /** Thrown when the file cannot take the profile without a guess; the message says why. */
  public static final class Unsafe extends RuntimeException {
    Unsafe(String message) {
      super(message);
    }
  }

  /** Where a profile's lines lie in the file: bytes {@code [from, to)}. */
  public record Section(int from, int to) {}

  /**
   * Where the lines of {@code profile}'s section lie, after its header line up to the next header,
   * or null when there is none. A profile that appears twice, or a header that Pythons read
   * differently, is refused.
   */
  public static Section section(byte[] content, String profile) {
    int header = find(content, profile);
    if (header < 0) {
      return null;
    }
    IniLines l = new IniLines(content);
    while (l.advance() && l.start() != header) {
      // to the profile's header
    }
    int from = l.next();
    while (l.advance() && !l.isHeader()) {
      // to the next header
    }
    return new Section(from, l.isHeader() ? l.start() : content.length);
  }

  /**
   * {@code content} with the lines of {@code profile}'s section replaced by those of {@code
   * section} (a header line and LF-ended lines, written with the file's own line ending), or the
   * section appended; all else byte for byte, the existing header line included.
   */
  public static byte[] merge(byte[] content, String profile, String section) {
    int header = find(content, profile);
    byte[] merged;
    if (header < 0) {
      IniLines l = new IniLines(content);
      String eol = "\n";
      boolean first = true;
      boolean hasText = false;
      boolean lastBlank = true;
      boolean ended = true;
      while (l.advance()) {
        if (first) {
          eol = l.ending();
          first = false;
        }
        lastBlank = l.blank();
        hasText |= !lastBlank;
        ended = l.ended();
      }
      String glue = (ended ? "" : eol) + (hasText && !lastBlank ? eol : "");
      merged = join(content, content.length, glue + section.replace("\n", eol), content.length);
    } else {
      IniLines l = new IniLines(content);
      while (l.advance() && l.start() != header) {
        // to the profile's header
      }
      String eol = l.ending();
      int headerEnd = l.next();
      String glue = l.ended() ? "" : eol;
      // blank lines and comments just before the next header belong to what follows: keep them
      int keepFrom = headerEnd;
      while (l.advance() && !l.isHeader()) {
        if (!l.blankOrComment()) {
          keepFrom = l.next();
        }
      }
      String body = section.substring(section.indexOf('\n') + 1).replace("\n", eol);
      merged = join(content, headerEnd, glue + body, keepFrom);
    }
    check(content, merged, profile);
    return merged;
  }

  /** {@code content[0, upTo)}, then {@code middle}, then {@code content[from, end)}. */
  private static byte[] join(byte[] content, int upTo, String middle, int from) {
    byte[] m = middle.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[upTo + m.length + content.length - from];
    System.arraycopy(content, 0, out, 0, upTo);
    System.arraycopy(m, 0, out, upTo, m.length);
    System.arraycopy(content, from, out, upTo + m.length, content.length - from);
    return out;
  }

  /** The merge changed no other header: the same sections, in order, and the profile once. */
  private static void check(byte[] before, byte[] merged, String profile) {
    IniLines was = new IniLines(before);
    IniLines now = new IniLines(merged);
    int mine = 0;
    while (true) {
      nextOther(was, profile);
      while (nextHeader(now) && now.headerIs(profile)) {
        mine++;
      }
      if (!was.sameHeader(now)) {
        break;
      }
      if (!was.isHeader()) {
        if (mine == 1) {
          return;
        }
        break;
      }
    }
    throw new Unsafe(
        "replacing the profile ["
            + profile
            + "] would change how the sections after it are read"
            + " (an indented header?): fix the file by hand");
  }

  /** To the next header that is not the profile's (the one replaced), or to the end. */
  private static void nextOther(IniLines l, String profile) {
    while (nextHeader(l) && l.headerIs(profile)) {
      // skipped: the profile is the one replaced
    }
  }

  /** To the next header; false at the end (then {@link IniLines#isHeader()} is false too). */
  private static boolean nextHeader(IniLines l) {
    while (l.advance()) {
      if (l.isHeader()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The offset of the profile's header line, or -1; refused when it appears twice or reads
   * differently by version.
   */
  private static int find(byte[] content, String profile) {
    IniLines l = new IniLines(content);
    int found = -1;
    int foundLine = 0;
    for (int line = 1; l.advance(); line++) {
      boolean mine = l.headerIs(profile) || l.oldHeaderIs(profile);
      if (mine && l.headersDiffer()) {
        throw new Unsafe(
            "line "
                + line
                + " reads as "
                + shown(l.header(SHOWN))
                + " to Python 3.10 and later but as "
                + shown(l.oldHeader(SHOWN))
                + " to older ones (the AWS CLI v1 on Amazon Linux 2): rewrite that header by hand");
      }
      if (mine) {
        if (found >= 0) {
          throw new Unsafe(
              "the profile ["
                  + profile
                  + "] appears twice (lines "
                  + foundLine
                  + " and "
                  + line
                  + "), which botocore refuses too: remove one by hand");
        }
        found = l.start();
        foundLine = line;
      }
    }
    return found;
  }

  /** The most of a section name a message shows, in bytes. */
  static final int SHOWN = 80;

  private static String shown(String header) {
    return header == null ? "no header" : "[" + header + "]";
  }

  /**
   * The section headers, in order, as botocore's parser finds them (for tests against Python's).
   */
  static List<String> headers(byte[] content) {
    List<String> names = new ArrayList<>();
    IniLines l = new IniLines(content);
    while (nextHeader(l)) {
      names.add(l.header(Integer.MAX_VALUE));
    }
    return names;
  }
}
