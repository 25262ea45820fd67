package io.github.imdsenv.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ini dialect of shared credentials files, in one place: what botocore's parser (Python's
 * {@code configparser.RawConfigParser}) takes for white space, a comment, a section header and a
 * profile name ({@link Ini} renders by these rules, the file sink reads and merges by them); and
 * the lines of a file, one at a time, with the parser's state: which line opens a section, as
 * Python 3.10 and later and as 3.9 and before read it.
 *
 * <p>Read on the bytes, as offsets: no line is decoded to a String (a 16 MiB line of non-ASCII
 * bytes would take 32 MiB more as one), only a header's name when it is compared with a profile's.
 * The bytes are read as UTF-8, as Java decodes them: a malformed byte is no white space, and an
 * ASCII byte is always itself, so cutting at {@code [ ] = :} finds what the decoded line would.
 */
public final class IniLines {

  /**
   * The section Python's configparser (botocore's parser) reads as defaults for every other: its
   * {@code default_section}, compared case-sensitively ({@code [Default]} is a profile).
   */
  public static final String DEFAULT_SECTION = "DEFAULT";

  private final byte[] b;
  private boolean inSection;
  private boolean inOption;
  private int indentLevel;
  private int start;
  private int end;
  private int next;

  /** The first byte of the line that is not Python white space; {@link #end} for none. */
  private int text;

  /**
   * The section this line opens, as the bytes {@code [headerFrom, headerTo)} (Python 3.10 and
   * later); -1 when it opens none.
   */
  private int headerFrom = -1;

  private int headerTo;

  /** The same as Python 3.9 and before read it (up to the first {@code ]}); -1 for no header. */
  private int oldHeaderTo = -1;

  /** The lines of {@code b} from its first byte. */
  public IniLines(byte[] b) {
    this(b, 0);
  }

  /** The lines of {@code b} from byte {@code from} on (past a byte order mark, say). */
  public IniLines(byte[] b, int from) {
    this.b = b;
    this.next = from;
  }

  /** Where this line starts. */
  public int start() {
    return start;
  }

  /** Where this line ends, before its line ending. */
  public int end() {
    return end;
  }

  /** Where the next line starts: after this one's line ending. */
  public int next() {
    return next;
  }

  /** The first byte of this line that is not Python white space; {@link #end()} for none. */
  public int text() {
    return text;
  }

  /** This line ends in a line ending (the last line of a file may not). */
  public boolean ended() {
    return next > end;
  }

  /** To the next line; false at the end of the bytes. */
  public boolean advance() {
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
  public boolean blank() {
    return text == end;
  }

  public boolean blankOrComment() {
    return blank() || b[text] == '#' || b[text] == ';';
  }

  /** True when this line opens a section. */
  public boolean isHeader() {
    return headerFrom >= 0;
  }

  /** This line opens the section {@code name}, as Python 3.10 and later read it. */
  public boolean headerIs(String name) {
    return isHeader() && decodesTo(headerFrom, headerTo, name);
  }

  /** This line opens the section {@code name}, as Python 3.9 and before read it. */
  public boolean oldHeaderIs(String name) {
    return oldHeaderTo >= 0 && decodesTo(headerFrom, oldHeaderTo, name);
  }

  /** Python 3.10 and later read another section name here than 3.9 and before (or none). */
  public boolean headersDiffer() {
    return isHeader() && oldHeaderTo != headerTo;
  }

  /** This line and {@code other}'s open sections of the same name, byte for byte (or neither). */
  public boolean sameHeader(IniLines other) {
    if (!isHeader() || !other.isHeader()) {
      return isHeader() == other.isHeader();
    }
    int n = headerTo - headerFrom;
    return n == other.headerTo - other.headerFrom
        && Arrays.equals(b, headerFrom, headerTo, other.b, other.headerFrom, other.headerFrom + n);
  }

  /** The section name, at most {@code max} bytes of it ("…" after a longer one); null for none. */
  public String header(int max) {
    return isHeader() ? shown(headerFrom, headerTo, max) : null;
  }

  /** The section name as Python 3.9 and before read it, as {@link #header(int)}. */
  public String oldHeader(int max) {
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
  public String ending() {
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
   * The length in bytes of the Python white space character ({@link #isPythonSpace}) that UTF-8
   * {@code b} holds at {@code i}, before {@code end}; 0 for none. All of them are in the Basic
   * Multilingual Plane: one, two or three bytes.
   */
  static int spaceLength(byte[] b, int i, int end) {
    int c = b[i] & 0xff;
    if (c < 0x80) {
      return isPythonSpace((char) c) ? 1 : 0;
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
    // an overlong form decodes to U+FFFD, no space (a surrogate's does too, and none is a space)
    boolean notOverlong = n == 2 || cp >= 0x800;
    return notOverlong && isPythonSpace((char) cp) ? n : 0;
  }

  /**
   * Python's {@code str.isspace()} for one character: what botocore's ini parser strips off names
   * and values and takes as indentation (Java's {@code strip()} leaves U+0085, U+00A0, U+2007 and
   * U+202F, which Python strips, and U+200B is none).
   */
  public static boolean isPythonSpace(char c) {
    return (c >= '\t' && c <= '\r')
        || (c >= 0x1c && c <= 0x20)
        || c == 0x85
        || c == 0xa0
        || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a)
        || c == 0x2028
        || c == 0x2029
        || c == 0x202f
        || c == 0x205f
        || c == 0x3000;
  }

  /** Empty, or white space at either end that Python (botocore's parser) would strip. */
  static boolean emptyOrSpaceAtAnEnd(String s) {
    return s.isEmpty() || isPythonSpace(s.charAt(0)) || isPythonSpace(s.charAt(s.length() - 1));
  }

  /** A profile name {@link Ini} can write a header for and the file sink find again. */
  static boolean validProfileName(String name) {
    // white space at either end as for values: a name that reads the same to every parser
    if (emptyOrSpaceAtAnEnd(name)) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '[' || c == ']') {
        return false;
      }
    }
    return true;
  }
}
