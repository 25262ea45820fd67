package io.github.imdsenv;

/**
 * The one place text that came from an endpoint (a Code, a Message, a role name, a header) is made
 * fit for a terminal: C0 and C1 controls, DEL, the bidi controls and the Unicode line separators
 * are written as {@code &#92;u202e}, so an answer can neither drive the terminal nor reorder or
 * split the line the user reads. Everything that reaches stderr or doctor's output goes through
 * here.
 */
public final class Printable {

  private Printable() {}

  /**
   * {@code s} with every character that could act on a terminal written as a {@code &#92;uXXXX}
   * escape.
   */
  public static String escape(String s) {
    return escape(s, Integer.MAX_VALUE);
  }

  /** As {@link #escape(String)}, of at most {@code max} characters of {@code s} ("…" when cut). */
  public static String escape(String s, int max) {
    int n = Math.min(s.length(), max);
    int i = 0;
    while (i < n && !needsEscape(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder sb = new StringBuilder(n + 16).append(s, 0, i);
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (needsEscape(c)) {
        sb.append("\\u")
            .append(HEX[c >> 12])
            .append(HEX[(c >> 8) & 0xf])
            .append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
      } else {
        sb.append(c);
      }
    }
    return n < s.length() ? sb.append('…').toString() : sb.toString();
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static boolean needsEscape(char c) {
    return c < 0x20 // C0, line breaks and tabs included
        || (c >= 0x7f && c <= 0x9f) // DEL and C1 (U+009B is a CSI on many terminals)
        || c == 0x061c // ARABIC LETTER MARK
        || c == 0x200e
        || c == 0x200f // LRM, RLM
        || (c >= 0x2028 && c <= 0x202e) // LINE and PARAGRAPH SEPARATOR, LRE, RLE, PDF, LRO, RLO
        || (c >= 0x2066 && c <= 0x2069); // LRI, RLI, FSI, PDI
  }
}
