package io.github.imdsenv.sink;

import io.github.imdsenv.format.Format;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a shared credentials file, one at a time, with the state of Python's {@code
 * configparser.RawConfigParser} (botocore's parser): which line opens a section, as Python 3.10 and
 * later and as 3.9 and before read it. See {@link CredentialsFile}.
 */
final class IniLines {

  private final byte[] b;
  private boolean inSection;
  private boolean inOption;
  private int indentLevel;
  int start;
  int end;
  int next;
  String text;

  /** The section this line opens, as Python 3.10 and later read it; null for none. */
  String header;

  /** The same as Python 3.9 and before read it. */
  String oldHeader;

  IniLines(byte[] b) {
    this.b = b;
  }

  boolean advance() {
    start = next;
    if (start >= b.length) {
      header = null;
      oldHeader = null;
      return false;
    }
    end = start;
    while (end < b.length && b[end] != '\n' && b[end] != '\r') {
      end++;
    }
    next = end;
    if (next < b.length) {
      next += b[next] == '\r' && next + 1 < b.length && b[next + 1] == '\n' ? 2 : 1;
    }
    text = new String(b, start, end - start, StandardCharsets.UTF_8);
    header = null;
    oldHeader = null;
    String value = strip(text);
    if (value.isEmpty() || value.startsWith("#") || value.startsWith(";")) {
      return true; // neither ends a value nor changes the indent level
    }
    int indent = indent(text);
    if (inSection && inOption && indent > indentLevel) {
      return true; // a continuation line
    }
    indentLevel = indent;
    int last = value.lastIndexOf(']');
    if (value.startsWith("[") && last >= 2) {
      header = value.substring(1, last);
      int first = value.indexOf(']');
      oldHeader = first >= 2 ? value.substring(1, first) : null;
      inSection = true;
      inOption = false;
    } else if (inSection) {
      int delimiter = firstDelimiter(value);
      if (delimiter >= 0) {
        inOption = !strip(value.substring(0, delimiter)).isEmpty();
      }
    }
    return true;
  }

  boolean blankOrComment() {
    String s = strip(text);
    return s.isEmpty() || s.startsWith("#") || s.startsWith(";");
  }

  /** This line's ending, LF for none. */
  String ending() {
    return next > end ? new String(b, end, next - end, StandardCharsets.ISO_8859_1) : "\n";
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
    while (i < s.length() && Format.isPythonSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Python's {@code str.strip()}. */
  static String strip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && Format.isPythonSpace(s.charAt(a))) {
      a++;
    }
    while (b > a && Format.isPythonSpace(s.charAt(b - 1))) {
      b--;
    }
    return s.substring(a, b);
  }
}
