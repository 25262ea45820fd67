package io.github.imdsenv.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written ISO-8601 code agrees with java.time on every instant it is given. */
class TimestampsTest {

  @Test
  void parseAndFormat_agreeWithJavaTime_onRandomInstants() {
    Random r = new Random(42);
    long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      Instant t =
          Instant.ofEpochSecond(
              min + (long) (r.nextDouble() * (max - min)), r.nextInt(1_000_000_000));
      String javaTime = t.toString();
      assertEquals(t, Timestamps.parse(javaTime), javaTime);
      assertEquals(t.truncatedTo(ChronoUnit.SECONDS).toString(), Timestamps.format(t), javaTime);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-29T15:00:00Z",
        "2026-11-29T15:00:00+00:00",
        "2026-11-29T15:00:00.123456Z",
        "2026-11-29T16:30:00+01:30",
        "2026-11-29T10:00:00-05:00",
        "2024-02-29T00:00:00Z",
        "2000-02-29T23:59:59.999999999Z",
        "1970-01-01T00:00:00Z",
        "2026-11-29T15:00:00.5+00:00",
        "0000-03-01T00:00:00Z",
        "2026-11-29T15:00:00+18:00",
        "2026-11-29T15:00:00-18:00",
        "2026-11-29T15:00:00+05:59",
        "2026-11-29T15:00:00.09Z"
      })
  void acceptedForms_meanWhatJavaTimeSaysTheyMean(String s) {
    assertEquals(java.time.OffsetDateTime.parse(s).toInstant(), Timestamps.parse(s), s);
  }

  /** Any precision: digits past the ninth are cut, never carried into the seconds. */
  @Test
  void fractionOfMoreThanNineDigits_isCutToNanoseconds() {
    assertEquals(
        Instant.parse("2026-11-29T15:00:00.999999999Z"),
        Timestamps.parse("2026-11-29T15:00:00.9999999999999Z"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "2026-11-29",
        "2026-11-29 15:00:00Z",
        "2026-11-29T15:00:00",
        "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2026-11-29T24:00:00Z",
        "2026-11-29T15:60:00Z",
        "2026-11-29T15:00:60Z",
        "2026-11-29T15:00:00.Z",
        "2026-11-29T15:00:00+0000",
        "2026-11-29T15:00:00ZZ",
        "2026-11-29T15:00:00+19:00",
        "+2026-11-29T15:00:00Z",
        "2026-1a-29T15:00:00Z",
        "x026-11-29T15:00:00Z",
        "2026-11-29T1x:00:00Z",
        "2026-11-29T15:x0:00Z",
        "2026-11-29T15:00:0xZ",
        "2026-11-29T15:00:00+0x:00",
        "2026-11-29T15:00:00+05:x0",
        "2026-11-29T15:00:00.123",
        "tomorrow at noon!!"
      })
  void malformed_isNull(String s) {
    assertNull(Timestamps.parse(s), s);
  }
}
