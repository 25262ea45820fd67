package io.github.imdsenv.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges of every value Settings accepts: attempts, role names, region names, endpoint URLs and
 * how a refusal shows them, the fast path's option table, durations and their human form.
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

  // ---- the fast path's way in: Flags.set gives the Flags picocli's setters give

  private static final Map<String, Supplier<Settings.Flags>> BARE =
      Map.of(
          "--no-imdsv1", () -> Settings.Flags.none().noImdsv1(true),
          "-v", () -> Settings.Flags.none().verbose(true),
          "--verbose", () -> Settings.Flags.none().verbose(true),
          "-q", () -> Settings.Flags.none().quiet(true),
          "--quiet", () -> Settings.Flags.none().quiet(true));

  @ParameterizedTest
  @ValueSource(strings = {"--no-imdsv1", "-v", "--verbose", "-q", "--quiet"})
  void set_aBareFlag_isTheSetter_andTellsFromNone(String name) {
    Settings.Flags f = Settings.Flags.none();
    assertTrue(f.set(name, null), name);
    assertEquals(BARE.get(name).get(), f, name);
    assertEquals(BARE.get(name).get().hashCode(), f.hashCode(), name);
    assertNotEquals(Settings.Flags.none(), f, name);
    assertEquals(name.startsWith("-v") || name.equals("--verbose"), f.verbose(), name);
  }

  @ParameterizedTest
  @CsvSource({
    "--endpoint,http://127.0.0.1:1",
    "--endpoint-mode,IPv6",
    "--role,r",
    "--timeout,2s",
    "--attempts,3",
    "--source,container"
  })
  void set_anOptionWithItsValue_isTheSetter_andTellsFromNone(String name, String value) {
    Settings.Flags viaSetter =
        switch (name) {
          case "--endpoint" -> Settings.Flags.none().endpoint(value);
          case "--endpoint-mode" -> Settings.Flags.none().endpointMode(EndpointMode.IPV6);
          case "--role" -> Settings.Flags.none().role(value);
          case "--timeout" -> Settings.Flags.none().timeout(Duration.ofSeconds(2));
          case "--attempts" -> Settings.Flags.none().attempts(3);
          default -> Settings.Flags.none().source(SourceKind.CONTAINER);
        };
    Settings.Flags f = Settings.Flags.none();
    assertTrue(f.set(name, value), name);
    assertEquals(viaSetter, f, name);
    assertNotEquals(Settings.Flags.none(), f, name);
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "NULL",
      value = {"--role,NULL", "--attempts,NULL", "-v,x", "--no-imdsv1,true", "--region,us-east-1"})
  void set_anOptionThatDoesNotTakeItSo_isLeftToPicocli_andChangesNothing(
      String name, String value) {
    Settings.Flags f = Settings.Flags.none();
    assertFalse(f.set(name, value), name + " " + value);
    assertEquals(Settings.Flags.none(), f);
    assertFalse(f.verbose());
  }

  // ---- --attempts on the fast path: plain decimal digits, the forms every integer parser reads
  // alike (picocli's reads 010 as octal); the range is resolve's to judge

  @ParameterizedTest
  @CsvSource({"0,0", "1,1", "9,9", "10,10", "90,90", "123456789,123456789"})
  void setAttempts_plainDigits_areTaken(String text, int n) {
    Settings.Flags f = Settings.Flags.none();
    assertTrue(f.set("--attempts", text), text);
    assertEquals(Settings.Flags.none().attempts(n), f, text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00",
        "01",
        "1234567890",
        "/",
        ":",
        "1/",
        "1:",
        "+1",
        "-1",
        " 1",
        "1 ",
        "1_0",
        "0x1",
        "\u0663"
      })
  void setAttempts_anyOtherForm_isRefused_andChangesNothing(String text) {
    Settings.Flags f = Settings.Flags.none();
    assertThrows(IllegalArgumentException.class, () -> f.set("--attempts", text), text);
    assertEquals(Settings.Flags.none(), f, text);
  }

  // ---- region names: 2 to 4 letters, words of a-z, a number of 0-9, dashes; at most 64

  @ParameterizedTest
  @ValueSource(
      strings = {"us-east-0", "us-east-9", "us-east-10", "us-west-90", "zz-zone-1", "abcd-a-z-1"})
  void regionName_atTheEdgesOfItsCharacters_isValid(String name) {
    assertTrue(Settings.validRegionName(name), name);
  }

  @ParameterizedTest
  // the neighbours of 0-9 ('/' ':') and of a-z ('`' '{'), upper case, and the lengths just out
  @ValueSource(
      strings = {
        "us-east-/",
        "us-east-:",
        "us-east-1:",
        "`s-east-1",
        "u{-east-1",
        "us-eas`-1",
        "us-eas{-1",
        "us-East-1",
        "us--east-1",
        "us-east-",
        "u-east-1",
        "abcde-east-1",
        "us-1",
        "us-east"
      })
  void regionName_pastTheEdgesOfItsCharacters_isNot(String name) {
    assertFalse(Settings.validRegionName(name), name);
  }

  @Test
  void regionName_of64_isValid_of65_isNot() {
    String of64 = "us-" + "e".repeat(59) + "-1";
    assertEquals(64, of64.length());
    assertTrue(Settings.validRegionName(of64));
    assertFalse(Settings.validRegionName("us-" + "e".repeat(60) + "-1"));
  }

  // ---- an endpoint whose host java.net.URI cannot parse: the port or the host is what is wrong

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://:80|has no host: write http://HOST[:PORT]",
        "http://fd00:ec2::254|has an IPv6 address without brackets",
        "http://my_host|has a host name that is not valid (letters, digits, '-' and '.')",
        "http://my_host:|has a host name that is not valid",
        "http://my_host:1|has a host name that is not valid",
        "http://my_host:9|has a host name that is not valid",
        "http://my_host:10|has a host name that is not valid",
        "http://my_host:19|has a host name that is not valid",
        "http://my_host:10000|has a host name that is not valid",
        "http://my_host:65535|has a host name that is not valid",
        "http://my_host:0|has port 0, not a number from 1 to 65535",
        "http://my_host:00000|has port 00000, not a number from 1 to 65535",
        "http://my_host:65536|has port 65536, not a number from 1 to 65535",
        "http://my_host:100000|has port 100000, not a number from 1 to 65535",
        "http://my_host:012345|has port 012345, not a number from 1 to 65535",
        "http://my_host:8a|has port 8a, not a number from 1 to 65535",
        "http://my_host:-1|has port -1, not a number from 1 to 65535"
      })
  void endpointWithAnInvalidHost_namesThePortOrTheHost(String url, String problem) {
    ImdsEnvException e =
        assertThrows(
            ImdsEnvException.class,
            () -> Settings.resolve(Settings.Flags.none().endpoint(url), Map.of()));
    assertEquals(ImdsEnvException.Reason.USAGE, e.reason());
    assertTrue(e.getMessage().startsWith("--endpoint '" + url + "' " + problem), e.getMessage());
  }

  // ---- a refusal shows the URL with its user info (a secret) left out, and nothing else changed

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://u:s3cret@127.0.0.1|http://...@127.0.0.1|has a user name or password in it",
        "http://u:s3cret@127.0.0.1/|http://...@127.0.0.1/|has a user name or password in it",
        "http://u:s3cret@127.0.0.1/@x#f|http://...@127.0.0.1/@x#f|has a user name or password",
        "http://u:s3@cret@127.0.0.1|http://...@127.0.0.1|has a user name or password in it",
        "http://u:s3cret@my_host:1|http://...@my_host:1|has a user name or password in it",
        "http://u:s3cret@fd00:ec2::254|http://...@fd00:ec2::254|has a user name or password",
        "://u:s3cret@127.0.0.1|://...@127.0.0.1|is not a URL",
        "http://127.0.0.1?@x|http://127.0.0.1?@x|has a query (?...)",
        "http://127.0.0.1/@x#f|http://127.0.0.1/@x#f|has a fragment (#...)",
        "http://127.0.0.1#@x|http://127.0.0.1#@x|has a fragment (#...)",
        "http://my_host:0/@x|http://my_host:0/@x|has port 0"
      })
  void refusedEndpoint_isShownWithoutItsUserInfo(String url, String shown, String problem) {
    ImdsEnvException e =
        assertThrows(
            ImdsEnvException.class,
            () -> Settings.resolve(Settings.Flags.none().endpoint(url), Map.of()));
    assertEquals(ImdsEnvException.Reason.USAGE, e.reason());
    assertTrue(e.getMessage().startsWith("--endpoint '" + shown + "' " + problem), shown);
    assertFalse(e.getMessage().contains("s3") || e.getMessage().contains("cret"), shown);
  }
}
