package io.github.imdsenv.sink;

import io.github.imdsenv.credentials.Timestamps;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

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
   * When the credentials in {@code content[from, to)} (what {@code format} wrote; for ini the lines
   * of one section) expire: read only from the expiry key's own line, as the format writes it. Null
   * when a variable of {@code names} has no line (the account id excepted: not every source gives
   * one) or, where {@code names} gives a value (a region named by --region REGION, which every
   * format writes as it is), another value; when it holds a variable {@code names} lacks (an extra
   * the run no longer asks for); when the expiry appears other than once, or it is no timestamp.
   * The lines are compared as bytes (every key is ASCII), never decoded: a 16 MiB line costs no
   * memory.
   */
  public static Instant validUntil(
      Format format, byte[] content, int from, int to, Variables names) {
    Lines lines = new Lines(format, content, from, to);
    for (int i = 0; i < names.size(); i++) {
      String name = names.name(i);
      String[] key = format.keyLine(name);
      if (key != null && !name.equals(Variables.ACCOUNT_ID)) {
        int at = lines.valueOf(key, false);
        if (at < 0
            || lines.valueEnd == at
            || lines.valueIs(at, "''")
            || (!names.value(i).isEmpty() && !lines.valueIs(at, names.value(i)))) {
          return null;
        }
      }
    }
    // a variable the run no longer asks for (--region, --account-id or --security-token dropped
    // from the cron line) would stay in FILE until the credentials aged: not fresh
    for (String extra : EXTRAS) {
      String[] key = format.keyLine(extra);
      if (key != null && !names.names().contains(extra) && lines.valueOf(key, false) >= 0) {
        return null;
      }
    }
    String[] expiryKey = format.keyLine(Variables.EXPIRATION);
    int at = expiryKey == null ? -1 : lines.valueOf(expiryKey, true);
    return at < 0 || lines.valueEnd - at > MAX_TIMESTAMP
        ? null
        : Timestamps.parse(new String(content, at, lines.valueEnd - at, StandardCharsets.UTF_8));
  }

  /** The variables a run sets only when asked to. */
  private static final String[] EXTRAS = {
    Variables.SECURITY_TOKEN, Variables.REGION, Variables.DEFAULT_REGION, Variables.ACCOUNT_ID
  };

  /** Longer than any timestamp a format writes (ISO-8601 to the nanosecond, with an offset). */
  private static final int MAX_TIMESTAMP = 64;

  /**
   * The lines of a file as a format's reader splits them: at LF; for ini, as Python does, at CR
   * too.
   */
  private static final class Lines {
    private final byte[] b;
    private final int from;
    private final int to;
    private final boolean crEnds;
    private final byte[] separator;

    /** The end of the value {@link #valueOf} found. */
    int valueEnd;

    Lines(Format format, byte[] b, int from, int to) {
      this.b = b;
      this.from = from;
      this.to = to;
      this.crEnds = format == Format.INI;
      this.separator = format.keyLineSeparator().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Where the value between a key line's prefix and suffix starts (its end in {@link #valueEnd}):
     * on the first such line, or on the only one when {@code once}; -1 for none.
     */
    int valueOf(String[] key, boolean once) {
      byte[] prefix = key[0].getBytes(StandardCharsets.UTF_8);
      byte[] suffix = key[1].getBytes(StandardCharsets.UTF_8);
      int found = -1;
      int foundEnd = 0;
      for (int start = from; start < to; ) {
        int end = start;
        while (end < to && b[end] != '\n' && !(crEnds && b[end] == '\r')) {
          end++;
        }
        int e = endsWith(start, end, separator) ? end - separator.length : end;
        if (e - start >= prefix.length + suffix.length
            && startsWith(start, prefix)
            && endsWith(start, e, suffix)) {
          if (found >= 0 && once) {
            return -1;
          }
          found = start + prefix.length;
          foundEnd = e - suffix.length;
          if (!once) {
            break;
          }
        }
        start = end + 1;
      }
      valueEnd = foundEnd;
      return found;
    }

    boolean valueIs(int at, String s) {
      byte[] v = s.getBytes(StandardCharsets.UTF_8);
      return valueEnd - at == v.length && Arrays.equals(b, at, valueEnd, v, 0, v.length);
    }

    private boolean startsWith(int start, byte[] p) {
      return Arrays.equals(b, start, start + p.length, p, 0, p.length);
    }

    private boolean endsWith(int start, int end, byte[] s) {
      return end - start >= s.length && Arrays.equals(b, end - s.length, end, s, 0, s.length);
    }
  }
}
