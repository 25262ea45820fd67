package io.github.imdsenv.container;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.settings.Settings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The steps ContainerClient reports to a listener (what doctor prints from), against WireMock on
 * 127.0.0.1.
 */
class ContainerClientStepsTest {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  @BeforeAll
  static void warmUp() {
    Fixtures.warmUp(wm);
  }

  private final List<String> steps = new ArrayList<>();

  private final ContainerClient.Listener recorder =
      new ContainerClient.Listener() {
        @Override
        public void hostAllowed(URI uri) {
          steps.add("allowed " + uri);
        }

        @Override
        public void authorization(String source, int length) {
          steps.add("authorization " + source + " " + length);
        }

        @Override
        public void refused(int status, String code, String message) {
          steps.add("refused " + status + " " + code + " " + message);
        }

        @Override
        public void credentialsParsed(Instant expiration) {
          steps.add("credentials " + expiration);
        }
      };

  private ContainerClient client(String... env) {
    Map<String, String> m = new HashMap<>();
    m.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", Fixtures.endpoint(wm) + "/creds");
    for (int i = 0; i < env.length; i += 2) {
      m.put(env[i], env[i + 1]);
    }
    Settings.Flags flags =
        new Settings.Flags(null, null, null, Duration.ofMillis(500), 1, false, null, false, false);
    return ContainerClient.create(
        Settings.resolve(flags, m).container(),
        Settings.resolve(flags, m).budget(),
        Log.create(false),
        recorder);
  }

  @Test
  void healthy_reportsHostTokenAndCredentials() {
    wm.stubFor(get(urlEqualTo("/creds")).willReturn(ok(Fixtures.credentialsJson())));
    client("AWS_CONTAINER_AUTHORIZATION_TOKEN", "good-token").credentials();
    assertEquals(
        List.of(
            "allowed " + Fixtures.endpoint(wm) + "/creds",
            "authorization AWS_CONTAINER_AUTHORIZATION_TOKEN 10",
            "credentials " + Fixtures.EXPIRES),
        steps);
  }

  @Test
  void refused_reportsStatusCodeAndMessage_escaped_beforeTheFailure() {
    wm.stubFor(
        get(urlEqualTo("/creds"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withBody(
                        "{\"Code\":\"AccessDenied\\u001b[2J\",\"Message\":\"bad\\u0007 token\"}")));
    assertThrows(ImdsEnvException.class, () -> client().credentials());
    assertEquals(
        List.of(
            "allowed " + Fixtures.endpoint(wm) + "/creds",
            "authorization null 0",
            "refused 403 AccessDenied\\u001b[2J bad\\u0007 token"),
        steps);
  }

  @Test
  void disallowedHost_nothingReported() {
    Map<String, String> m = Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.7/creds");
    Settings.Flags flags =
        new Settings.Flags(null, null, null, Duration.ofMillis(500), 1, false, null, false, false);
    ContainerClient c =
        ContainerClient.create(
            Settings.resolve(flags, m).container(),
            Settings.resolve(flags, m).budget(),
            Log.create(false),
            recorder);
    assertThrows(ImdsEnvException.class, c::credentials);
    assertEquals(List.of(), steps);
  }

  /** The endpoint's Code and Message, when it sends them, are the refusal's detail. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{}|''",
        "not json|''",
        "{\"Code\":\"AccessDenied\"}|: AccessDenied",
        "{\"Message\":\"token expired\"}|: token expired",
        "{\"Code\":\"AccessDenied\",\"Message\":\"token expired\"}|: AccessDenied: token expired"
      })
  void refused_theMessageCarriesCodeAndMessage_whereSent(String body, String detail) {
    wm.stubFor(get(urlEqualTo("/creds")).willReturn(aResponse().withStatus(404).withBody(body)));
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> client().credentials());
    assertEquals(ImdsEnvException.Reason.REFUSED, e.reason());
    assertEquals("GET " + Fixtures.endpoint(wm) + "/creds answered 404" + detail, e.getMessage());
  }
}
