package io.github.imdsenv.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges of every value Settings accepts: attempts, role names, durations and their human form.
 */
class SettingsBoundariesTest {

  private static Settings.Flags flags(String role, Integer attempts) {
    return Settings.Flags.none().role(role).attempts(attempts);
  }

  private static Settings env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return Settings.resolve(flags(null, null), m);
  }

  // ---- attempts: 1..10

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 9, 10})
  void attempts_withinOneToTen_areTaken_fromTheFlagAndTheEnvironment(int n) {
    assertEquals(n, Settings.resolve(flags(null, n), Map.of()).budget().attempts());
    assertEquals(n, env("AWS_METADATA_SERVICE_NUM_ATTEMPTS", " " + n + " ").budget().attempts());
  }

  @ParameterizedTest
  @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 11, 100})
  void attempts_outsideOneToTen_areAUsageError(int n) {
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> Settings.resolve(flags(null, n), Map.of()));
    assertTrue(
        e.getMessage().contains("attempts must be between 1 and 10, not " + n), e.getMessage());
    assertThrows(
        ImdsEnvException.class, () -> env("AWS_METADATA_SERVICE_NUM_ATTEMPTS", String.valueOf(n)));
  }

  @Test
  void attempts_flagBeatsTheEnvironment_andBlankMeansTheDefault() {
    assertEquals(
        2,
        Settings.resolve(flags(null, 2), Map.of("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "7"))
            .budget()
            .attempts());
    assertEquals(3, env("AWS_METADATA_SERVICE_NUM_ATTEMPTS", " ").budget().attempts());
  }

  // ---- role names: letters, digits, +=,.@_- and at most 128 of them

  @Test
  void roleName_of128_isValid_of129_isNot() {
    assertTrue(Settings.validRoleName("r".repeat(128)));
    assertFalse(Settings.validRoleName("r".repeat(129)));
    assertEquals(
        "r".repeat(128), Settings.resolve(flags("r".repeat(128), null), Map.of()).imds().role());
    assertThrows(
        ImdsEnvException.class, () -> Settings.resolve(flags("r".repeat(129), null), Map.of()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "z",
        "A",
        "Z",
        "0",
        "9",
        "+",
        "=",
        ",",
        ".x",
        "@",
        "_",
        "-",
        "...",
        "a.",
        "Role+=,.@_-1"
      })
  void roleName_allowedCharacters(String role) {
    assertTrue(Settings.validRoleName(role), role);
  }

  @ParameterizedTest
  // the neighbours of each allowed range ('`' '{' '[' '/' ':' '*' '<' '>' '?' '^'), path and header
  // characters
  @ValueSource(
      strings = {
        "`", "{", "[", "/", ":", "*", "<", ">", "?", "^", " ", "a b", "a/b", "a\nb", "a%2F", "é",
        "\u0000", ".", ".."
      })
  void roleName_otherCharactersAndDotSegments_areRefused(String role) {
    assertFalse(Settings.validRoleName(role), role);
  }

  @Test
  void roleName_blank_meansNone_andTheFlagBeatsTheEnvironment() {
    assertNull(env("AWS_EC2_INSTANCE_PROFILE_NAME", "  ").imds().role());
    assertNull(
        Settings.resolve(flags(" ", null), Map.of("AWS_EC2_INSTANCE_PROFILE_NAME", "env-role"))
            .imds()
            .role());
    assertEquals(
        "flag-role",
        Settings.resolve(
                flags("flag-role", null), Map.of("AWS_EC2_INSTANCE_PROFILE_NAME", "env-role"))
            .imds()
            .role());
  }

  // ---- durations

  @ParameterizedTest
  @CsvSource({
    "1ms,1",
    "0.5ms,1",
    "1,1000",
    "0.001,1",
    "0.0005,1",
    "1.5s,1500",
    "2m,120000",
    "1h,3600000",
    "PT0.001S,1",
    "pt2s,2000",
    "' 3s ',3000",
    "10.,10000",
    ".5,500"
  })
  void durations_smallestAndOddButValidForms(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Durations.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0ms", "0.0004", "0.4ms", "PT0S", "PT-1S", "0h"})
  void durations_zeroOrNegative_areNotPositive(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    assertTrue(e.getMessage().contains("is not a positive duration"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", ".", "1..2", "1.2.3", "ms", "s", "-1", "+1", "1e3", "NaN", "0x10", "1d", "P",
        "Pfoo", "1 s"
      })
  void durations_malformed(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    assertTrue(e.getMessage().contains("is not a duration"), e.getMessage());
  }

  @Test
  void seconds_ofTheTimeoutVariable() {
    assertEquals(Duration.ofMillis(200), Durations.seconds("0.2"));
    assertEquals(Duration.ofSeconds(2), Durations.seconds(" 2 "));
    assertEquals(Duration.ofMillis(1), Durations.seconds("0.0005"));
    assertThrows(IllegalArgumentException.class, () -> Durations.seconds("0.0004"));
    assertThrows(IllegalArgumentException.class, () -> Durations.seconds("2s"));
  }

  @ParameterizedTest
  @CsvSource({
    "0,0ms",
    "999,999ms",
    "1000,1s",
    "1500,1.5s",
    "1999,1.9s",
    "119000,119s",
    "119900,119.9s",
    "120000,2m",
    "7199000,119m",
    "7200000,2h 0m",
    "7260000,2h 1m",
    "86399000,23h 59m"
  })
  void human_atEachUnitsEdge(long millis, String text) {
    assertEquals(text, Durations.human(Duration.ofMillis(millis)));
  }
}
