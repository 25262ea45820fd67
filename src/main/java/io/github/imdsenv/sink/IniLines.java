package io.github.imdsenv.sink;

import io.github.imdsenv.format.Format;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of a shared credentials file, one at a time, with the state of Python's {@code
 * configparser.RawConfigParser} (botocore's parser): which line opens a section, as Python 3.10 and
 * later and as 3.9 and before read it. See {@link CredentialsFile}.
 *
 * <p>Read on the bytes, as offsets: no line is decoded to a String (a 16 MiB line of non-ASCII
 * bytes would take 32 MiB more as one), only a header's name when it is compared with a profile's.
 * The bytes are read as UTF-8, as Java decodes them: a malformed byte is no white space, and an
 * ASCII byte is always itself, so cutting at {@code [ ] = :} finds what the decoded line would.
 */
final class IniLines {

  private final byte[] b;
  private boolean inSection;
  private boolean inOption;
  private int indentLevel;
  int start;
  int end;
  int next;

  /** The first byte of the line that is not Python white space; {@link #end} for none. */
  int text;

  /**
   * The section this line opens, as the bytes {@code [headerFrom, headerTo)} (Python 3.10 and
   * later); -1 when it opens none.
   */
  private int headerFrom = -1;

  private int headerTo;

  /** The same as Python 3.9 and before read it (up to the first {@code ]}); -1 for no header. */
  private int oldHeaderTo = -1;

  IniLines(byte[] b) {
    this.b = b;
  }

  boolean advance() {
    start = next;
    headerFrom = -1;
    oldHeaderTo = -1;
    if (start >= b.length) {
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
    int indent = 0;
    text = start;
    for (int n; text < end && (n = spaceLength(b, text, end)) > 0; text += n) {
      indent++;
    }
    if (blankOrComment()) {
      return true; // neither ends a value nor changes the indent level
    }
    if (inSection && inOption && indent > indentLevel) {
      return true; // a continuation line
    }
    indentLevel = indent;
    int last = lastIndexOf(']');
    if (b[text] == '[' && last - text >= 2) {
      headerFrom = text + 1;
      headerTo = last;
      int first = indexOf(']', ']');
      oldHeaderTo = first - text >= 2 ? first : -1;
      inSection = true;
      inOption = false;
    } else if (inSection) {
      int delimiter = indexOf('=', ':');
      if (delimiter >= 0) {
        inOption = delimiter > text;
      }
    }
    return true;
  }

  /** Empty, or nothing but Python white space. */
  boolean blank() {
    return text == end;
  }

  boolean blankOrComment() {
    return blank() || b[text] == '#' || b[text] == ';';
  }

  /** True when this line opens a section. */
  boolean isHeader() {
    return headerFrom >= 0;
  }

  /** This line opens the section {@code name}, as Python 3.10 and later read it. */
  boolean headerIs(String name) {
    return isHeader() && decodesTo(headerFrom, headerTo, name);
  }

  /** This line opens the section {@code name}, as Python 3.9 and before read it. */
  boolean oldHeaderIs(String name) {
    return oldHeaderTo >= 0 && decodesTo(headerFrom, oldHeaderTo, name);
  }

  /** Python 3.10 and later read another section name here than 3.9 and before (or none). */
  boolean headersDiffer() {
    return isHeader() && oldHeaderTo != headerTo;
  }

  /** This line and {@code other}'s open sections of the same name, byte for byte (or neither). */
  boolean sameHeader(IniLines other) {
    if (!isHeader() || !other.isHeader()) {
      return isHeader() == other.isHeader();
    }
    int n = headerTo - headerFrom;
    return n == other.headerTo - other.headerFrom
        && Arrays.equals(b, headerFrom, headerTo, other.b, other.headerFrom, other.headerFrom + n);
  }

  /** The section name, at most {@code max} bytes of it ("…" after a longer one); null for none. */
  String header(int max) {
    return isHeader() ? shown(headerFrom, headerTo, max) : null;
  }

  /** The section name as Python 3.9 and before read it, as {@link #header(int)}. */
  String oldHeader(int max) {
    return oldHeaderTo >= 0 ? shown(headerFrom, oldHeaderTo, max) : null;
  }

  private String shown(int from, int to, int max) {
    String s = new String(b, from, Math.min(to - from, max), StandardCharsets.UTF_8);
    return to - from > max ? s + "\u2026" : s;
  }

  /**
   * The bytes decode to {@code s}; decoded only when short enough to (a UTF-8 character, or a
   * malformed byte's replacement, takes at most three bytes).
   */
  private boolean decodesTo(int from, int to, String s) {
    return to - from <= 3L * s.length()
        && new String(b, from, to - from, StandardCharsets.UTF_8).equals(s);
  }

  /** This line's ending, LF for none. */
  String ending() {
    return next > end ? new String(b, end, next - end, StandardCharsets.ISO_8859_1) : "\n";
  }

  /** The last {@code c} from the line's text on; -1 for none. */
  private int lastIndexOf(char c) {
    for (int i = end - 1; i >= text; i--) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  /** The first {@code c} or {@code d} from the line's text on; -1 for none. */
  private int indexOf(char c, char d) {
    for (int i = text; i < end; i++) {
      if (b[i] == c || b[i] == d) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The length in bytes of the Python white space character ({@link Format#isPythonSpace}) that
   * UTF-8 {@code b} holds at {@code i}, before {@code end}; 0 for none. All of them are in the
   * Basic Multilingual Plane: one, two or three bytes.
   */
  static int spaceLength(byte[] b, int i, int end) {
    int c = b[i] & 0xff;
    if (c < 0x80) {
      return Format.isPythonSpace((char) c) ? 1 : 0;
    }
    int n;
    int cp;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      cp = c & 0x0f;
    } else {
      return 0;
    }
    if (i + n > end) {
      return 0;
    }
    for (int k = 1; k < n; k++) {
      int cont = b[i + k] & 0xff;
      if ((cont & 0xc0) != 0x80) {
        return 0;
      }
      cp = cp << 6 | cont & 0x3f;
    }
    // an overlong or surrogate form decodes to U+FFFD, no space
    boolean wellFormed = n == 2 || (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff));
    return wellFormed && Format.isPythonSpace((char) cp) ? n : 0;
  }
}
