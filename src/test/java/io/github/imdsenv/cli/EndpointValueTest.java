package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Run;
import io.github.imdsenv.settings.Settings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An endpoint URL that cannot be used is a usage error (exit 2) that names the value and where it
 * came from, whichever parser took the arguments, and doctor's first FAIL: never an internal error
 * from deep in a connect.
 */
class EndpointValueTest {

  /** No run here may reach a network: every value is refused before any request. */
  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static void assertRefused(Run r, String where, String shown, String problem) {
    r.assertFailure(2, where + " '" + shown + "' " + problem);
    assertFalse(r.err().contains("internal error"), r.err());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1:99999|http://127.0.0.1:99999|has port 99999, not a number from 1 to 65535",
        "http://127.0.0.1:0|http://127.0.0.1:0|has port 0, not a number from 1 to 65535",
        "http://h:99999999999|http://h:99999999999|has port 99999999999, not a number from 1 to 65535",
        "http://[fd00:ec2::254]:65536|http://[fd00:ec2::254]:65536|has port 65536, not a number",
        "http://h:8a|http://h:8a|has port 8a, not a number from 1 to 65535",
        "http://:80|http://:80|has no host: write http://HOST[:PORT]",
        "http:///latest|http:///latest|has no host",
        "http://|http://|is not a URL: Expected authority",
        "http://user:s3cret@127.0.0.1|http://...@127.0.0.1|has a user name or password in it",
        "http://127.0.0.1#x|http://127.0.0.1#x|has a fragment (#...), which no request carries",
        "http://fd00:ec2::254|http://fd00:ec2::254|has an IPv6 address without brackets: write it as in http://[fd00:ec2::254]:80",
        "http://my_host:8080|http://my_host:8080|has a host name that is not valid",
        "http://h/?q=1|http://h/?q=1|has a query (?...): write http://HOST[:PORT]",
        "ftp://h|ftp://h|is not an http://HOST[:PORT] URL",
        "http:h|http:h|is not an http://HOST[:PORT] URL"
      })
  void badImdsEndpoint_isAUsageError_namingItAndWhereItCameFrom_inBothParsersAndDoctor(
      String url, String shown, String problem) {
    // the hand fast path, then picocli (which -fenv leaves it to), then the environment
    assertRefused(Run.cli(env(), "--endpoint", url), "--endpoint", shown, problem);
    assertRefused(Run.cli(env(), "-fenv", "--endpoint", url), "--endpoint", shown, problem);
    String variable = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
    assertRefused(Run.cli(env(variable, url)), variable, shown, problem);
    assertRefused(Run.cli(env(variable, url), "-fenv"), variable, shown, problem);

    Run doctor = Run.cli(env(), "doctor", "--endpoint", url);
    assertEquals(2, doctor.exit(), doctor.out());
    assertTrue(
        doctor
            .out()
            .startsWith("FAIL  settings    --endpoint '" + shown + "' " + problem.split(":")[0]),
        doctor.out());
    assertTrue(doctor.out().contains("\nskip  rest"), doctor.out());
    assertFalse(doctor.out().contains("ok    endpoint"), doctor.out());
    assertFalse((doctor.out() + doctor.err()).contains("s3cret"), "a password was shown");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1:99999/creds|http://127.0.0.1:99999/creds|has port 99999, not a number from 1 to 65535",
        "http://127.0.0.1:0/creds|http://127.0.0.1:0/creds|has port 0",
        "http:///creds|http:///creds|has no host: write http(s)://HOST[:PORT]/PATH",
        "https://a:tok@127.0.0.1/creds|https://...@127.0.0.1/creds|has a user name or password in it",
        "http://127.0.0.1/creds#x|http://127.0.0.1/creds#x|has a fragment",
        "http://fd00:ec2::23/creds|http://fd00:ec2::23/creds|has an IPv6 address without brackets"
      })
  void badContainerUri_isAUsageError_namingTheVariable_andDoctorsFail(
      String url, String shown, String problem) {
    String variable = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    assertRefused(Run.cli(env(variable, url)), variable, shown, problem);
    assertRefused(Run.cli(env(variable, url), "-fenv"), variable, shown, problem);
    Run doctor = Run.cli(env(variable, url), "doctor");
    assertEquals(2, doctor.exit(), doctor.out());
    assertTrue(
        doctor.out().startsWith("FAIL  settings    " + variable + " '" + shown + "' " + problem),
        doctor.out());
    assertFalse((doctor.out() + doctor.err()).contains("tok@"), "a password was shown");
  }

  @ParameterizedTest
  @CsvSource({
    "http://127.0.0.1:65535,65535",
    "http://[::1]:1,1",
    "http://127.0.0.1:,-1",
    "http://169.254.169.254/,-1",
    "HTTP://127.0.0.1:080,80"
  })
  void usableEndpoints_areTaken(String url, int port) {
    Settings s = Settings.resolve(Settings.Flags.none().endpoint(url), Map.of());
    assertEquals(port, s.imds().endpoint().getPort());
  }

  /** The advice of an endpoint that does not answer names where it came from, as doctor does. */
  @Test
  void unreachableEndpoint_theAdviceNamesWhereItCameFrom() {
    Run.cli(env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1"), "--attempts", "1")
        .assertFailure(
            3,
            "refused the connection to PUT /latest/api/token (1 attempt): this is not an EC2"
                + " instance, IMDS is turned off (--http-endpoint disabled), or the endpoint (from"
                + " AWS_EC2_METADATA_SERVICE_ENDPOINT) is wrong");
    Run.cli(env(), "--endpoint", "http://127.0.0.1:1", "--attempts", "1")
        .assertFailure(3, "or the endpoint (from --endpoint) is wrong");
  }
}
