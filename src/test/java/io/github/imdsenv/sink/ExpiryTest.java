package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The expiry read back from what each format writes, by its own key lines. */
class ExpiryTest {

  private static final Instant EXPIRES = Instant.parse("2026-11-29T15:00:00Z");
  private static final Credentials CREDS =
      new Credentials("ASIAX", "secret", "token", EXPIRES, null, null);
  private static final Variables.Extras REGION = new Variables.Extras(false, true, false);

  private static Instant until(Format format, String text, Variables names) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return Expiry.validUntil(format, b, 0, b.length, names);
  }

  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS", mode = EnumSource.Mode.EXCLUDE)
  void whatAFormatWrote_isReadBack(Format format) {
    String text = format.render(Variables.of(CREDS, "eu-west-1", REGION));
    assertEquals(EXPIRES, until(format, text, Variables.namesOnly(REGION)));
  }

  /**
   * --region REGION with -o FILE --min-validity: a file written for another region is not fresh
   * (the cron line's region was changed), one for this region is.
   */
  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS", mode = EnumSource.Mode.EXCLUDE)
  void aRegionNamedOnTheCommandLine_mustBeTheOneTheFileHolds(Format format) {
    String text = format.render(Variables.of(CREDS, "eu-west-1", REGION));
    assertEquals(EXPIRES, until(format, text, Variables.namesOnly(REGION, "eu-west-1")));
    assertEquals(EXPIRES, until(format, text, Variables.namesOnly(REGION, null)));
    Instant other = until(format, text, Variables.namesOnly(REGION, "eu-west-10"));
    if (format.keyLine(Variables.REGION) == null) {
      // credential_process JSON carries no region: nothing to compare
      assertEquals(EXPIRES, other);
    } else {
      assertNull(other);
      assertNull(until(format, text, Variables.namesOnly(REGION, "eu-west")));
      assertNull(until(format, text, Variables.namesOnly(REGION, "us-east-1")));
    }
  }

  /** --region, --account-id or --security-token dropped from the line: FILE is written again. */
  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS", mode = EnumSource.Mode.EXCLUDE)
  void aVariableNoLongerAskedFor_isNotFresh(Format format) {
    Variables.Extras all = new Variables.Extras(true, true, true);
    Credentials withAccount =
        new Credentials("ASIAX", "secret", "token", EXPIRES, "123456789012", null);
    String text = format.render(Variables.of(withAccount, "eu-west-1", all));
    assertEquals(EXPIRES, until(format, text, Variables.namesOnly(all)));
    for (Variables.Extras fewer :
        List.of(
            new Variables.Extras(false, true, true),
            new Variables.Extras(true, false, true),
            new Variables.Extras(true, true, false))) {
      Instant until = until(format, text, Variables.namesOnly(fewer));
      boolean dropped =
          Variables.namesOnly(all).names().stream()
              .filter(n -> !Variables.namesOnly(fewer).names().contains(n))
              .anyMatch(n -> format.keyLine(n) != null);
      if (dropped) {
        assertNull(until, fewer.toString());
      } else {
        // a format that never writes the dropped variable (credential_process JSON's region)
        assertEquals(EXPIRES, until, fewer.toString());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Format.class,
      names = {"ENV", "ENV_NO_EXPORT", "FISH", "POWERSHELL", "WINDOWS_CMD", "JSON"})
  void aVariableAskedForButMissing_isNotFresh(Format format) {
    String text = format.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    assertNull(until(format, text, Variables.namesOnly(REGION)));
  }

  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS", mode = EnumSource.Mode.EXCLUDE)
  void anExpiryWrittenTwice_isNotBelieved(Format format) {
    String text = format.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    String[] key = format.keyLine(Variables.EXPIRATION);
    // a later one, or an emptied one
    for (String second : List.of("2099-01-01T00:00:00Z", "")) {
      String doubled = text + key[0] + second + key[1] + "\n";
      assertNull(until(format, doubled, Variables.namesOnly(Variables.Extras.NONE)), second);
    }
  }

  /** A value cut off right after its key (an unterminated quote): not fresh, and no crash. */
  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS", mode = EnumSource.Mode.EXCLUDE)
  void aValueCutOffAfterItsKey_isNotFresh(Format format) {
    String text = format.render(Variables.of(CREDS, "eu-west-1", REGION));
    Variables names = Variables.namesOnly(REGION);
    for (String name : names.names()) {
      String[] key = format.keyLine(name);
      if (key == null) {
        // a variable this format never writes (credential_process JSON's region)
        continue;
      }
      String cut =
          Arrays.stream(text.split("\n", -1))
              .map(line -> line.startsWith(key[0]) ? key[0] : line)
              .collect(Collectors.joining("\n"));
      assertNotEquals(text, cut, name);
      assertNull(until(format, cut, names), name);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS")
  void aFormatWithoutValues_neverHoldsCredentials(Format format) {
    String text = format.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    assertNull(until(format, text, Variables.namesOnly(Variables.Extras.NONE)));
  }

  /** Only the range given is read: for ini, one profile's lines. */
  @Test
  void onlyTheRangeGiven_isRead() {
    String text = Format.ENV.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    byte[] b = ("# before\n" + text + "# after\n").getBytes(StandardCharsets.UTF_8);
    int from = "# before\n".length();
    Variables names = Variables.namesOnly(Variables.Extras.NONE);
    assertEquals(EXPIRES, Expiry.validUntil(Format.ENV, b, from, from + text.length(), names));
    assertNull(Expiry.validUntil(Format.ENV, b, from + 1, from + text.length(), names));
    assertNull(Expiry.validUntil(Format.ENV, b, from, from + text.length() - 2, names));
  }

  /** ini lines end as Python ends them, at CR too; the shells' formats only at LF. */
  @Test
  void crEndsALine_forIniOnly() {
    Variables names = Variables.namesOnly(Variables.Extras.NONE);
    String ini = Format.INI.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    assertEquals(EXPIRES, until(Format.INI, ini.replace("\n", "\r"), names));
    String env = Format.ENV_NO_EXPORT.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    assertNull(until(Format.ENV_NO_EXPORT, env.replace("\n", "\r\n"), names));
  }

  /** An expiry longer than any timestamp is none (and is never decoded whole). */
  @Test
  void anExpiryLongerThanAnyTimestamp_isNone() {
    Variables names = Variables.namesOnly(Variables.Extras.NONE);
    String text = Format.ENV_NO_EXPORT.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    String longer = EXPIRES.toString().replace("Z", "." + "0".repeat(60) + "Z");
    assertEquals(EXPIRES, until(Format.ENV_NO_EXPORT, text.replace("Z\n", ".0Z\n"), names));
    assertNull(until(Format.ENV_NO_EXPORT, text.replace(EXPIRES.toString(), longer), names));
    // 64 bytes (a 43-digit fraction) is the most read
    for (int digits : new int[] {42, 43, 44}) {
      String stamp = EXPIRES.toString().replace("Z", "." + "0".repeat(digits) + "Z");
      Instant read = until(Format.ENV_NO_EXPORT, text.replace(EXPIRES.toString(), stamp), names);
      assertEquals(stamp.length() <= 64 ? EXPIRES : null, read, stamp);
    }
  }
}
