package io.github.imdsenv.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.imdsenv.FakeClock;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.http.ScriptedTransport;
import io.github.imdsenv.settings.Budget;
import io.github.imdsenv.settings.ContainerSource;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The steps ContainerClient reports to a listener (what doctor prints its lines from), on a
 * scripted endpoint.
 */
class ContainerClientStepsTest {

  private static final String URL = "http://127.0.0.1:8080/creds";

  private final FakeClock clock = new FakeClock();
  private final ScriptedTransport endpoint = new ScriptedTransport(clock);
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
      };

  @AfterEach
  void everyScriptedRequestWasSent() {
    assertEquals(List.of(), endpoint.unsent(), "scripted but not sent");
  }

  private ContainerClient client(String url, String token) {
    return client(url, token, Duration.ofSeconds(10));
  }

  private ContainerClient client(String url, String token, Duration deadline) {
    return ContainerClient.create(
        new ContainerSource(URI.create(url), token, null, null),
        new Budget(Duration.ofMillis(500), 1, deadline),
        Log.create(false),
        recorder,
        endpoint,
        clock);
  }

  @Test
  void healthy_reportsHostTokenAndCredentials() {
    endpoint.on("GET", "").answer(200, Fixtures.credentialsJson());
    Credentials c = client(URL, "good-token").credentials();
    assertEquals(Fixtures.EXPIRES, c.expiration());
    assertEquals(
        List.of("allowed " + URL, "authorization AWS_CONTAINER_AUTHORIZATION_TOKEN 10"), steps);
    assertEquals("good-token", endpoint.sent().get(0).header("Authorization"));
  }

  @Test
  void refused_reportsStatusCodeAndMessage_escaped_beforeTheFailure() {
    endpoint
        .on("GET", "")
        .answer(403, "{\"Code\":\"AccessDenied\\u001b[2J\",\"Message\":\"bad\\u0007 token\"}");
    assertThrows(ImdsEnvException.class, () -> client(URL, null).credentials());
    assertEquals(
        List.of(
            "allowed " + URL,
            "authorization null 0",
            "refused 403 AccessDenied\\u001b[2J bad\\u0007 token"),
        steps);
  }

  /** The host check's name resolution has an attempt's time: the timeout, within the deadline. */
  @Test
  void hostCheck_resolvesWithinTheAttemptTimeout_andTheDeadline() {
    endpoint.on("GET", "").times(2).answer(200, Fixtures.credentialsJson());
    client(URL, null).credentials();
    client(URL, null, Duration.ofMillis(300)).credentials();
    assertEquals(List.of(Duration.ofMillis(500), Duration.ofMillis(300)), endpoint.resolutions());
  }

  @Test
  void disallowedHost_nothingReported() {
    ContainerClient c = client("http://192.0.2.7/creds", null);
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
    endpoint.on("GET", "").answer(404, body);
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> client(URL, null).credentials());
    assertEquals(ImdsEnvException.Reason.REFUSED, e.reason());
    assertEquals("GET " + URL + " answered 404" + detail, e.getMessage());
  }
}
