package io.github.imdsenv.sink;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A shared credentials file as bytes, its sections found exactly as botocore's parser (Python's
 * {@code configparser.RawConfigParser}, strict, empty lines allowed in values) finds them: lines
 * end in LF, CR LF or CR; a line that is not an indented continuation of a value and that, stripped,
 * starts with {@code [} and has a {@code ]} after at least one character is a header, its name up
 * to the last {@code ]} (so {@code [default] ; main} is {@code default}); {@code #} and {@code ;}
 * start comment lines. Replacing a profile keeps every other byte as it was.
 */
public final class CredentialsFile {

  private CredentialsFile() {}

  /** Thrown when the file cannot take the profile without a guess; the message says why. */
  public static final class Unsafe extends RuntimeException {
    Unsafe(String message) {
      super(message);
    }
  }

  /** One line: its text (without the ending) and where it and its ending lie in the bytes. */
  private record Line(String text, int start, int end, int next, String header) {

    boolean blankOrComment() {
      String s = strip(text);
      return s.isEmpty() || s.startsWith("#") || s.startsWith(";");
    }
  }

  /** The text of {@code profile}'s section after its header (LF-ended lines), or null when there is none. */
  public static String section(byte[] content, String profile) {
    List<Line> lines = parse(content);
    int h = header(lines, profile);
    if (h < 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = h + 1; i < lines.size() && lines.get(i).header() == null; i++) {
      sb.append(lines.get(i).text()).append('\n');
    }
    return sb.toString();
  }

  /**
   * {@code content} with {@code profile}'s section replaced by {@code section} (a header and its
   * LF-ended lines, written with the file's own line ending), or appended; all else byte for byte.
   */
  public static byte[] merge(byte[] content, String profile, String section) {
    List<Line> lines = parse(content);
    int h = header(lines, profile);
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + section.length() + 4);
    if (h < 0) {
      String eol = lines.isEmpty() ? "\n" : ending(content, lines.get(0));
      out.write(content, 0, content.length);
      boolean hasText = false;
      for (Line l : lines) {
        hasText |= !strip(l.text()).isEmpty();
      }
      if (!lines.isEmpty() && lines.get(lines.size() - 1).next() == lines.get(lines.size() - 1).end()) {
        bytes(out, eol); // the last line had no ending
      }
      if (hasText && !strip(lines.get(lines.size() - 1).text()).isEmpty()) {
        bytes(out, eol);
      }
      bytes(out, section.replace("\n", eol));
    } else {
      int end = h + 1;
      while (end < lines.size() && lines.get(end).header() == null) {
        end++;
      }
      // blank lines and comments just before the next header belong to what follows: keep them
      while (end > h + 1 && lines.get(end - 1).blankOrComment()) {
        end--;
      }
      out.write(content, 0, lines.get(h).start());
      bytes(out, section.replace("\n", ending(content, lines.get(h))));
      int from = end < lines.size() ? lines.get(end).start() : content.length;
      out.write(content, from, content.length - from);
    }
    byte[] merged = out.toByteArray();
    check(lines, merged, profile);
    return merged;
  }

  /** The merge changed no other header: the same sections, in order, and the profile once. */
  private static void check(List<Line> before, byte[] merged, String profile) {
    List<String> was = new ArrayList<>();
    for (Line l : before) {
      if (l.header() != null && !l.header().equals(profile)) {
        was.add(l.header());
      }
    }
    List<String> now = new ArrayList<>();
    int mine = 0;
    for (Line l : parse(merged)) {
      if (l.header() != null && l.header().equals(profile)) {
        mine++;
      } else if (l.header() != null) {
        now.add(l.header());
      }
    }
    if (mine != 1 || !was.equals(now)) {
      throw new Unsafe("replacing the profile [" + profile + "] would change how the sections after it are read"
          + " (an indented header?): fix the file by hand");
    }
  }

  /** The section headers, in order, as botocore's parser finds them (for tests against Python's). */
  static List<String> headers(byte[] content) {
    List<String> names = new ArrayList<>();
    for (Line l : parse(content)) {
      if (l.header() != null) {
        names.add(l.header());
      }
    }
    return names;
  }

  private static int header(List<Line> lines, String profile) {
    int found = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (profile.equals(lines.get(i).header())) {
        if (found >= 0) {
          throw new Unsafe("the profile [" + profile + "] appears twice (lines " + (found + 1) + " and " + (i + 1)
              + "), which botocore refuses too: remove one by hand");
        }
        found = i;
      }
    }
    return found;
  }

  /** The line ending {@code line} has, LF for none. */
  private static String ending(byte[] content, Line line) {
    String eol = new String(content, line.end(), line.next() - line.end(), StandardCharsets.ISO_8859_1);
    return eol.isEmpty() ? "\n" : eol;
  }

  private static void bytes(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The lines, each marked with the section it opens, as RawConfigParser reads them. */
  private static List<Line> parse(byte[] content) {
    List<Line> lines = new ArrayList<>();
    boolean inSection = false;
    boolean inOption = false;
    int indentLevel = 0;
    int start = 0;
    while (start < content.length) {
      int end = start;
      while (end < content.length && content[end] != '\n' && content[end] != '\r') {
        end++;
      }
      int next = end;
      if (next < content.length) {
        next += content[next] == '\r' && next + 1 < content.length && content[next + 1] == '\n' ? 2 : 1;
      }
      String text = new String(content, start, end - start, StandardCharsets.UTF_8);
      String header = null;
      String value = strip(text);
      if (!value.isEmpty() && !value.startsWith("#") && !value.startsWith(";")) {
        int indent = indent(text);
        if (!(inSection && inOption && indent > indentLevel)) {
          indentLevel = indent;
          int close = value.lastIndexOf(']');
          if (value.startsWith("[") && close >= 2) {
            header = value.substring(1, close);
            inSection = true;
            inOption = false;
          } else if (inSection) {
            int delimiter = firstDelimiter(value);
            if (delimiter >= 0) {
              inOption = !strip(value.substring(0, delimiter)).isEmpty();
            }
          }
        }
      }
      lines.add(new Line(text, start, end, next, header));
      start = next;
    }
    return lines;
  }

  private static int firstDelimiter(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '=' || s.charAt(i) == ':') {
        return i;
      }
    }
    return -1;
  }

  private static int indent(String s) {
    int i = 0;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Python's {@code str.strip()}. */
  static String strip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isSpace(s.charAt(a))) {
      a++;
    }
    while (b > a && isSpace(s.charAt(b - 1))) {
      b--;
    }
    return s.substring(a, b);
  }

  /** Python's {@code str.isspace()} for one character (its {@code \s}). */
  static boolean isSpace(char c) {
    return (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
  }
}
