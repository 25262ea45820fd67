package io.github.imdsenv.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.imdsenv.FakeClock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.http.ScriptedTransport;
import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where plain http may carry the authorization token (docs/imds-protocol.md): a loopback address or
 * the ECS / EKS Pod Identity agents, nowhere else; https anywhere. Checked without connecting.
 */
class AllowedHostsTest {

  private static void require(String uri) {
    FakeClock clock = new FakeClock();
    // the addresses a resolver gives localhost: loopback, both families
    ScriptedTransport transport =
        new ScriptedTransport(clock).name("localhost", "127.0.0.1", "::1");
    AllowedHosts.require(URI.create(uri), transport, clock.nanoTime() + 5_000_000_000L);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://169.254.170.2/v2/credentials/task-1234",
        "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials",
        "http://127.0.0.1:8080/creds",
        "http://127.9.9.9/creds",
        "http://[::1]:8080/creds",
        "http://localhost:8080/creds",
        "https://creds.example.com/v1"
      })
  void loopbackTheAgentsAndHttps_areAllowed(String uri) {
    require(uri);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://169.254.170.3/creds",
        "http://169.254.170.22/creds",
        "http://169.254.169.254/creds",
        "http://[fd00:ec2::24]/creds",
        "http://[fd00:ec2::254]/creds",
        "http://10.0.0.1/creds",
        "http://192.0.2.10/creds"
      })
  void anyOtherHostOverPlainHttp_isRefused(String uri) {
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> require(uri));
    assertEquals(ImdsEnvException.Reason.HOST_NOT_ALLOWED, e.reason());
    assertEquals(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI "
            + uri
            + " is refused: plain http goes only to a loopback address, 169.254.170.2,"
            + " 169.254.170.23 or fd00:ec2::23 (any other host would receive the authorization"
            + " token); use https for another host",
        e.getMessage());
  }
}
