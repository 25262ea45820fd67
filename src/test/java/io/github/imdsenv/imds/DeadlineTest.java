package io.github.imdsenv.imds;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.github.imdsenv.Fixtures.IMDS_TOKEN;
import static io.github.imdsenv.Fixtures.REGION;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;
import static io.github.imdsenv.Fixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.settings.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The run's deadline against the per-attempt timeout and the backoff, seen from outside: how long a
 * run takes against a slow WireMock on 127.0.0.1, how many requests it makes, and what it says.
 */
class DeadlineTest {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  /**
   * In a cold JVM (PIT's coverage run) the first exchange can outlast a 500 ms timeout: not in a
   * test.
   */
  @BeforeAll
  static void warmUp() {
    Fixtures.healthy(wm);
    io.github.imdsenv.Run.against(Fixtures.endpoint(wm), "--region");
  }

  /** A client whose run has {@code deadline} left, with this timeout and number of attempts. */
  private static ImdsClient client(Duration timeout, int attempts, Duration deadline) {
    Settings.Flags flags =
        new Settings.Flags(
            Fixtures.endpoint(wm), null, null, timeout, attempts, false, null, false, false);
    Settings settings = Settings.resolve(flags, Map.of()).withDeadline(deadline);
    return ImdsClient.create(settings.imds(), settings.budget(), Log.create(false));
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void slowAnswer_deadlineShorterThanTheTimeout_endsTheRunAtTheDeadline() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(ok("eu-central-2").withFixedDelay(4000)));
    ImdsClient c = client(Duration.ofSeconds(5), 3, Duration.ofMillis(800));
    long start = System.nanoTime();
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::region);
    long ms = millisSince(start);
    assertTrue(e.getMessage().contains("within the run's 800ms deadline"), e.getMessage());
    assertTrue(
        ms >= 700 && ms < 2500, "the deadline is 800 ms, the timeout 5 s; took " + ms + " ms");
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(REGION)));
  }

  @Test
  void slowAnswer_timeoutShorterThanTheDeadline_endsEachAttemptAtTheTimeout() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(REGION))
            .inScenario("slow")
            .whenScenarioStateIs(STARTED)
            .willReturn(ok("eu-central-2").withFixedDelay(4000))
            .willSetStateTo("fast"));
    wm.stubFor(
        get(urlEqualTo(REGION))
            .inScenario("slow")
            .whenScenarioStateIs("fast")
            .willReturn(ok("eu-west-3")));
    ImdsClient c = client(Duration.ofMillis(400), 3, Duration.ofSeconds(10));
    long start = System.nanoTime();
    assertEquals("eu-west-3", c.region());
    long ms = millisSince(start);
    // one 400 ms timeout, then a backoff of 50..100 ms, then the fast answer
    assertTrue(ms >= 400 && ms < 2500, "took " + ms + " ms");
    wm.verify(exactly(2), getRequestedFor(urlEqualTo(REGION)));
  }

  @Test
  void tokenPut_slowPastTheDeadline_isADeadlineFailure_notAnImdsV1Fallback() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(ok(IMDS_TOKEN).withFixedDelay(8000)));
    // a deadline with room for a loaded machine to send the PUT at all
    ImdsClient c = client(Duration.ofSeconds(10), 3, Duration.ofMillis(1500));
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::region);
    assertTrue(
        e.getMessage()
            .contains(
                "gave no complete answer to PUT " + TOKEN_PATH + " within the run's 1.5s deadline"),
        e.getMessage());
    wm.verify(exactly(1), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  @Test
  void retries_withMoreAttemptsThanTheDeadlineAllows_endAtTheDeadline_notAfterTheAttempts() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(status(503)));
    // ten attempts would take 50..100 + 100..200 + 200..400 + 400..800 + 5 x 500..1000 ms of
    // backoff
    ImdsClient c = client(Duration.ofSeconds(1), 10, Duration.ofMillis(500));
    long start = System.nanoTime();
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::region);
    long ms = millisSince(start);
    assertTrue(e.getMessage().contains("within the run's 500ms deadline"), e.getMessage());
    assertTrue(ms < 2000, "took " + ms + " ms");
    int gets = wm.findAll(getRequestedFor(urlEqualTo(REGION))).size();
    assertTrue(gets >= 2 && gets <= 4, gets + " GETs");
  }

  @Test
  void attempts_areSpentBeforeTheDeadline_whenTheBackoffFits() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(status(503)));
    ImdsClient c = client(Duration.ofSeconds(1), 3, Duration.ofSeconds(10));
    long start = System.nanoTime();
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::region);
    long ms = millisSince(start);
    assertTrue(e.getMessage().contains("answered 503"), e.getMessage());
    // two backoffs: 50..100 ms and 100..200 ms
    assertTrue(ms >= 150 && ms < 2000, "took " + ms + " ms");
    wm.verify(exactly(3), getRequestedFor(urlEqualTo(REGION)));
  }
}
