package io.github.imdsenv.sink;

import io.github.imdsenv.credentials.Timestamps;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code --min-validity}: how long the credentials a file holds are still valid, read back from
 * what a format wrote there, by the format's own key lines.
 */
public final class Expiry {

  /**
   * How long credentials a file may hold are believed: no IMDS or container credential lives
   * longer.
   */
  public static final Duration MAX_PLAUSIBLE = Duration.ofHours(12);

  private Expiry() {}

  /**
   * When the credentials in {@code content} (what {@code format} wrote; for ini the lines of one
   * section) expire: read only from the expiry key's own line, as the format writes it. Null when a
   * variable of {@code names} has no line (the account id excepted: not every source gives one),
   * the expiry appears other than once, or it is no timestamp.
   */
  public static Instant validUntil(Format format, String content, Variables names) {
    String[] lines = content.split("\n", -1);
    String separator = format.keyLineSeparator();
    for (String name : names.names()) {
      String[] key = format.keyLine(name);
      String value =
          key == null || name.equals(Variables.ACCOUNT_ID)
              ? "-"
              : valueOn(lines, key, separator, false);
      if (value == null || value.isEmpty() || value.equals("''")) {
        return null;
      }
    }
    String[] expiryKey = format.keyLine(Variables.EXPIRATION);
    String expiry = expiryKey == null ? null : valueOn(lines, expiryKey, separator, true);
    return expiry == null ? null : Timestamps.parse(expiry);
  }

  /**
   * The text between a key line's prefix and suffix: on any such line, or on exactly one when
   * {@code once}.
   */
  private static String valueOn(String[] lines, String[] key, String separator, boolean once) {
    String found = null;
    for (String line : lines) {
      if (!separator.isEmpty() && line.endsWith(separator)) {
        line = line.substring(0, line.length() - separator.length());
      }
      if (line.length() >= key[0].length() + key[1].length()
          && line.startsWith(key[0])
          && line.endsWith(key[1])) {
        if (found != null && once) {
          return null;
        }
        found = line.substring(key[0].length(), line.length() - key[1].length());
        if (!once) {
          return found;
        }
      }
    }
    return found;
  }
}
