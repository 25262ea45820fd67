package io.github.imdsenv.format;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Locale;

/**
 * Comparing rendered text that carries credentials, fake or not: a failure says which line differs
 * and the variable named on it, never what either text holds.
 */
final class SecretText {

  /** Every format's spellings compared without case and underscores (ini's match the AWS_ ones). */
  private static final List<String> NAMES =
      List.of(
          Variables.ACCESS_KEY_ID,
          Variables.SECRET_ACCESS_KEY,
          Variables.SESSION_TOKEN,
          Variables.EXPIRATION,
          Variables.SECURITY_TOKEN,
          Variables.REGION,
          Variables.DEFAULT_REGION,
          Variables.ACCOUNT_ID,
          "x_security_token_expires",
          "Version",
          "AccessKeyId",
          "SecretAccessKey",
          "SessionToken",
          "Expiration",
          "AccountId");

  private SecretText() {}

  static void assertSame(String expected, String actual, String what) {
    if (expected.equals(actual)) {
      return;
    }
    String[] e = expected.split("\n", -1);
    String[] a = actual.split("\n", -1);
    int line = 0;
    while (line < e.length && line < a.length && e[line].equals(a[line])) {
      line++;
    }
    // the expected line's name, else the given line's: an extra line has only the latter
    String name = line < e.length ? name(e[line]) : null;
    if (name == null && line < a.length) {
      name = name(a[line]);
    }
    fail(
        what
            + " differs at line "
            + (line + 1)
            + (name == null ? " (no variable named on it)" : " (" + name + ")")
            + "; "
            + e.length
            + " lines expected, "
            + a.length
            + " given (values not shown)");
  }

  /** The name earliest on {@code line}, the longest where two start together; null if none. */
  private static String name(String line) {
    String flat = flat(line);
    String best = null;
    int bestAt = Integer.MAX_VALUE;
    for (String n : NAMES) {
      int at = flat.indexOf(flat(n));
      if (at >= 0 && (at < bestAt || at == bestAt && n.length() > best.length())) {
        best = n;
        bestAt = at;
      }
    }
    return best;
  }

  private static String flat(String s) {
    return s.replace("_", "").toLowerCase(Locale.ROOT);
  }
}
