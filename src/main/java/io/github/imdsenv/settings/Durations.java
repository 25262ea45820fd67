package io.github.imdsenv.settings;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * DURATION values of the contract: {@code 900ms}, {@code 30s}, {@code 15m}, {@code 1h}, ISO-8601.
 */
public final class Durations {

  private Durations() {}

  /**
   * Parses a DURATION; a bare number means seconds. Throws IllegalArgumentException, with the value
   * named.
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.startsWith("P") || s.startsWith("p")) {
      try {
        return positive(Duration.parse(s), text);
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    }
    long unitMillis;
    String number;
    if (s.endsWith("ms")) {
      unitMillis = 1;
      number = s.substring(0, s.length() - 2);
    } else if (s.endsWith("s")) {
      unitMillis = 1_000;
      number = s.substring(0, s.length() - 1);
    } else if (s.endsWith("m")) {
      unitMillis = 60_000;
      number = s.substring(0, s.length() - 1);
    } else if (s.endsWith("h")) {
      unitMillis = 3_600_000;
      number = s.substring(0, s.length() - 1);
    } else {
      unitMillis = 1_000;
      number = s;
    }
    return positive(Duration.ofMillis(Math.round(decimal(number, text) * unitMillis)), text);
  }

  /** A number of seconds, as the AWS_METADATA_SERVICE_TIMEOUT variable holds it. */
  public static Duration seconds(String text) {
    return positive(Duration.ofMillis(Math.round(decimal(text.trim(), text) * 1000)), text);
  }

  /** A short human form: {@code 1s}, {@code 250ms}, {@code 14m}, {@code 5h 59m}. */
  public static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = d.getSeconds();
    if (s < 120) {
      return ms % 1000 == 0 ? s + "s" : (ms / 100) / 10.0 + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    return s / 3600 + "h " + (s % 3600) / 60 + "m";
  }

  private static double decimal(String number, String original) {
    // digits and at most one dot: Double.parseDouble alone would take "NaN", "1e3" or hex floats
    int dots = 0;
    for (int i = 0; i < number.length(); i++) {
      char c = number.charAt(i);
      if (c == '.') {
        dots++;
      } else if (c < '0' || c > '9') {
        throw invalid(original);
      }
    }
    if (number.isEmpty() || dots > 1 || number.equals(".")) {
      throw invalid(original);
    }
    return Double.parseDouble(number);
  }

  private static Duration positive(Duration d, String original) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("'" + original + "' is not a positive duration");
    }
    return d;
  }

  private static IllegalArgumentException invalid(String original) {
    return new IllegalArgumentException(
        "'" + original + "' is not a duration (examples: 900ms, 30s, 15m, 1h, PT15M)");
  }
}
