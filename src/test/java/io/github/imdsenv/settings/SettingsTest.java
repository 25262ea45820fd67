package io.github.imdsenv.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Run;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Flag over environment over default, and a clear usage error (exit 2) for every bad value. */
class SettingsTest {

  static Settings resolve(Settings.Flags flags, String... env) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < env.length; i += 2) {
      m.put(env[i], env[i + 1]);
    }
    return Settings.resolve(flags, m);
  }

  @Test
  void defaults() {
    Settings s = resolve(Settings.Flags.none());
    assertEquals("http://169.254.169.254", s.imds().endpoint().toString());
    assertEquals("the IPv4 default", s.imds().endpointOrigin());
    assertEquals(Duration.ofSeconds(1), s.budget().timeout());
    assertEquals(3, s.budget().attempts());
    assertEquals(Duration.ofSeconds(10), s.budget().deadline());
    assertEquals(SourceKind.IMDS, s.source());
    assertFalse(s.imds().v1Disabled() || s.imds().disabled());
  }

  @Test
  void ipv6Mode_fromFlagOrEnvironment() {
    Settings.Flags v6 = Settings.Flags.none().endpointMode(EndpointMode.IPV6);
    assertEquals("http://[fd00:ec2::254]", resolve(v6).imds().endpoint().toString());
    assertEquals("[fd00:ec2::254]", resolve(v6).imds().endpoint().getHost());
    assertEquals(
        "http://[fd00:ec2::254]",
        resolve(Settings.Flags.none(), "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv6")
            .imds()
            .endpoint()
            .toString());
  }

  @Test
  void explicitEndpoint_beatsTheMode_andTheFlagBeatsTheEnvironment() {
    assertEquals(
        "http://127.0.0.1:1",
        resolve(
                Settings.Flags.none(),
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                "http://127.0.0.1:1/",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                "IPv6")
            .imds()
            .endpoint()
            .toString());
    Settings.Flags flag = Settings.Flags.none().endpoint("http://127.0.0.1:2");
    Settings s = resolve(flag, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
    assertEquals("http://127.0.0.1:2", s.imds().endpoint().toString());
    assertEquals("--endpoint", s.imds().endpointOrigin());
  }

  @Test
  void environment_timeoutInSeconds_attempts_v1Disabled_disabled_role() {
    Settings s =
        resolve(
            Settings.Flags.none(),
            "AWS_METADATA_SERVICE_TIMEOUT",
            "2.5",
            "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
            "5",
            "AWS_EC2_METADATA_V1_DISABLED",
            "TRUE",
            "AWS_EC2_METADATA_DISABLED",
            "true",
            "AWS_EC2_INSTANCE_PROFILE_NAME",
            "my-role");
    assertEquals(Duration.ofMillis(2500), s.budget().timeout());
    assertEquals(5, s.budget().attempts());
    assertTrue(s.imds().v1Disabled() && s.imds().disabled());
    assertEquals("my-role", s.imds().role());
    assertFalse(
        resolve(Settings.Flags.none(), "AWS_EC2_METADATA_DISABLED", "false").imds().disabled());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "AWS_METADATA_SERVICE_TIMEOUT|soon|environment variable AWS_METADATA_SERVICE_TIMEOUT: 'soon' is not a duration",
        "AWS_METADATA_SERVICE_TIMEOUT|0|environment variable AWS_METADATA_SERVICE_TIMEOUT: '0' is not a positive duration",
        "AWS_METADATA_SERVICE_NUM_ATTEMPTS|many|environment variable AWS_METADATA_SERVICE_NUM_ATTEMPTS:",
        "AWS_METADATA_SERVICE_NUM_ATTEMPTS|0|attempts must be between 1 and 10, not 0",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE|IPv5|'IPv5' is not an endpoint mode; choose one of: IPv4, IPv6",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT|ftp://x|AWS_EC2_METADATA_SERVICE_ENDPOINT 'ftp://x' is not an http://HOST[:PORT] URL",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT|http://h/?q=1|AWS_EC2_METADATA_SERVICE_ENDPOINT 'http://h/?q=1' has a query",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT|https://127.0.0.1|AWS_EC2_METADATA_SERVICE_ENDPOINT 'https://127.0.0.1' is not an http://HOST[:PORT] URL",
        "AWS_EC2_INSTANCE_PROFILE_NAME|../etc|role name '../etc' is not a valid IAM role name",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI|file:///etc/passwd|is not an http(s)://HOST[:PORT]/PATH URL"
      })
  void badEnvironmentValue_isAUsageError_thatNamesIt(
      String variable, String value, String message) {
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> resolve(Settings.Flags.none(), variable, value));
    assertEquals(ImdsEnvException.Reason.USAGE, e.reason());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--timeout|soon|Invalid value for option '--timeout': 'soon' is not a duration (examples: 900ms, 30s, 15m, 1h, PT15M)",
        "--timeout|-1s|Invalid value for option '--timeout': '-1s' is not a duration",
        "--endpoint-mode|v6|Invalid value for option '--endpoint-mode': 'v6' is not an endpoint mode; choose one of: IPv4, IPv6",
        "--source|ecs|Invalid value for option '--source': 'ecs' is not a source; choose one of: auto, imds, container",
        "--attempts|11|attempts must be between 1 and 10, not 11",
        "--endpoint|not a url|--endpoint 'not a url' is not a URL"
      })
  void badFlagValue_exit2_oneLine(String flag, String value, String message) {
    Run r = Run.cli(new HashMap<>(), flag, value);
    r.assertFailure(2, message);
  }

  @Test
  void durations_allForms() {
    assertEquals(Duration.ofMillis(900), Durations.parse("900ms"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofMinutes(15), Durations.parse("15m"));
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
    assertEquals(Duration.ofMinutes(15), Durations.parse("PT15M"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5"));
    assertEquals("250ms", Durations.human(Duration.ofMillis(250)));
    assertEquals("5h 59m", Durations.human(Duration.ofMinutes(359)));
  }

  /** The container endpoint may be https (another host then is allowed); IMDS speaks plain http. */
  @Test
  void containerFullUri_mayBeHttps() {
    String uri = "HTTPS://creds.example.test:8443/v1/credentials?task=1";
    assertEquals(
        uri,
        resolve(Settings.Flags.none(), "AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)
            .container()
            .uri()
            .toString());
  }

  @Test
  void settingsToString_hidesTheContainerToken() {
    Settings s =
        resolve(
            Settings.Flags.none(),
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/c",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "very-secret-token");
    assertFalse(s.toString().contains("very-secret-token"), s.toString());
  }
}
