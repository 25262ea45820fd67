package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The expiry read back from what each format writes, by its own key lines. */
class ExpiryTest {

  private static final Instant EXPIRES = Instant.parse("2026-11-29T15:00:00Z");
  private static final Credentials CREDS =
      new Credentials("ASIAX", "secret", "token", EXPIRES, null, null);
  private static final Variables.Extras REGION = new Variables.Extras(false, true, false);

  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS", mode = EnumSource.Mode.EXCLUDE)
  void whatAFormatWrote_isReadBack(Format format) {
    String text = format.render(Variables.of(CREDS, "eu-west-1", REGION));
    assertEquals(EXPIRES, Expiry.validUntil(format, text, Variables.namesOnly(REGION)));
  }

  @ParameterizedTest
  @EnumSource(
      value = Format.class,
      names = {"ENV", "ENV_NO_EXPORT", "FISH", "POWERSHELL", "WINDOWS_CMD", "JSON"})
  void aVariableAskedForButMissing_isNotFresh(Format format) {
    String text = format.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    assertNull(Expiry.validUntil(format, text, Variables.namesOnly(REGION)));
  }

  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS", mode = EnumSource.Mode.EXCLUDE)
  void anExpiryWrittenTwice_isNotBelieved(Format format) {
    String text = format.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    String[] key = format.keyLine(Variables.EXPIRATION);
    // a later one, or an emptied one
    for (String second : List.of("2099-01-01T00:00:00Z", "")) {
      String doubled = text + key[0] + second + key[1] + "\n";
      assertNull(
          Expiry.validUntil(format, doubled, Variables.namesOnly(Variables.Extras.NONE)), second);
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
      assertNull(Expiry.validUntil(format, cut, names), name);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Format.class, names = "DOCKER_ARGS")
  void aFormatWithoutValues_neverHoldsCredentials(Format format) {
    String text = format.render(Variables.of(CREDS, null, Variables.Extras.NONE));
    assertNull(Expiry.validUntil(format, text, Variables.namesOnly(Variables.Extras.NONE)));
  }
}
