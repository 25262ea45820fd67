package io.github.imdsenv.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Clock;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.Log;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Retries, backoff and the deadline of {@link Requester}, over real HTTP (WireMock), with a clock
 * that records each wait instead of sleeping it.
 */
class RequesterTest {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  private static final String PATH = "/latest/meta-data/iam/security-credentials/";

  /**
   * Runs ahead of the system's clock by the waits it skipped, so HttpLink's deadlines stay real
   * ones; or, frozen, stands an hour ahead of it and moves only by those waits. Its jitter is
   * random (the system's) unless a test fixes it.
   */
  static class FakeClock implements Clock {
    final List<Long> sleeps = new ArrayList<>();
    private final long frozenAt;
    long skippedNanos;

    /** Null: the system's. */
    LongUnaryOperator jitter;

    FakeClock() {
      this.frozenAt = 0;
    }

    FakeClock(boolean frozen) {
      this.frozenAt = frozen ? System.nanoTime() + Duration.ofHours(1).toNanos() : 0;
    }

    @Override
    public long nanoTime() {
      return (frozenAt == 0 ? System.nanoTime() : frozenAt) + skippedNanos;
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
      sleeps.add(millis);
      skippedNanos += millis * 1_000_000;
    }

    @Override
    public long random(long bound) {
      return jitter == null ? Clock.super.random(bound) : jitter.applyAsLong(bound);
    }
  }

  private final FakeClock clock = new FakeClock();

  private Requester requester(String endpoint, int attempts, Duration timeout, Duration deadline) {
    return requester(endpoint, attempts, timeout, deadline, clock);
  }

  private static Requester requester(
      String endpoint, int attempts, Duration timeout, Duration deadline, Clock clock) {
    Settings settings =
        Settings.resolve(
                new Settings.Flags(
                    endpoint, null, null, timeout, attempts, false, SourceKind.IMDS, false, false),
                Map.of())
            .withDeadline(deadline);
    return new Requester(
        URI.create(endpoint),
        "the instance metadata service",
        "check the endpoint",
        "--endpoint",
        settings.budget(),
        Log.create(false),
        clock);
  }

  private Requester requester(int attempts) {
    return requester(
        Fixtures.endpoint(wm), attempts, Duration.ofSeconds(1), Duration.ofSeconds(10));
  }

  /**
   * Exponential backoff with equal jitter: before attempt n, between half and all of min(1 s, 100
   * ms · 2^(n-2)).
   */
  private static void assertWithinBackoffBounds(List<Long> sleeps) {
    for (int i = 0; i < sleeps.size(); i++) {
      long cap = Math.min(1_000, 100L << i);
      long slept = sleeps.get(i);
      assertTrue(
          slept >= cap / 2 && slept <= cap,
          "wait before attempt "
              + (i + 2)
              + ": "
              + slept
              + " ms, not within ["
              + cap / 2
              + ", "
              + cap
              + "]: "
              + sleeps);
    }
  }

  @Test
  void get_returns500Twice_retriesWithBackoffAndSucceeds() {
    wm.stubFor(
        get(PATH)
            .inScenario("s")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(500))
            .willSetStateTo("2"));
    wm.stubFor(
        get(PATH)
            .inScenario("s")
            .whenScenarioStateIs("2")
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("3"));
    wm.stubFor(get(PATH).inScenario("s").whenScenarioStateIs("3").willReturn(ok("role")));
    HttpLink.Response r = requester(3).send("GET", PATH, "", false);
    assertEquals(200, r.status());
    assertEquals(2, clock.sleeps.size());
    assertWithinBackoffBounds(clock.sleeps);
    wm.verify(exactly(3), getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  void get_keepsFailing_waitsWithinTheBoundsAndNotAfterTheLastAttempt() {
    wm.stubFor(get(PATH).willReturn(aResponse().withStatus(429)));
    Requester requester = requester(10);
    assertThrows(RuntimeException.class, () -> requester.send("GET", PATH, "", false));
    wm.verify(exactly(10), getRequestedFor(urlEqualTo(PATH)));
    assertEquals(
        9, clock.sleeps.size(), "one wait between attempts, none after the last: " + clock.sleeps);
    assertWithinBackoffBounds(clock.sleeps);
  }

  @Test
  void jitter_variesTheWaits() {
    wm.stubFor(get(PATH).willReturn(aResponse().withStatus(500)));
    for (int i = 0; i < 8; i++) {
      assertThrows(RuntimeException.class, () -> requester(10).send("GET", PATH, "", false));
    }
    assertTrue(
        clock.sleeps.stream().distinct().count() > 9,
        "equal jitter should vary the waits: " + clock.sleeps);
  }

  @Test
  void get_keepsFailing_stopsAtTheDeadlineInsteadOfWaitingPastIt() {
    wm.stubFor(get(PATH).willReturn(aResponse().withStatus(500)));
    Requester requester =
        requester(Fixtures.endpoint(wm), 10, Duration.ofSeconds(1), Duration.ofMillis(700));
    long start = clock.nanoTime();
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> requester.send("GET", PATH, "", false));
    assertTrue(e.getMessage().contains("deadline"), e.getMessage());
    assertTrue(
        clock.nanoTime() - start < Duration.ofMillis(700).toNanos(), "ran past the deadline");
    // 50–100 + 100–200 + 200–400 ms fit in 700 ms at most; the wait of 400–800 ms never does after
    // them
    assertTrue(clock.sleeps.size() <= 3 && clock.sleeps.size() >= 2, clock.sleeps.toString());
    wm.verify(exactly(clock.sleeps.size() + 1), getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  void get_returns404_isTheAnswerWithoutRetry() {
    wm.stubFor(get(PATH).willReturn(aResponse().withStatus(404)));
    assertEquals(404, requester(3).send("GET", PATH, "", false).status());
    assertEquals(List.of(), clock.sleeps);
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  void sendOrLastStatus_returnsTheLast5xxOnceTheAttemptsAreSpent() {
    wm.stubFor(get(PATH).willReturn(aResponse().withStatus(502)));
    assertEquals(502, requester(3).sendOrLastStatus("GET", PATH, "").status());
    assertEquals(2, clock.sleeps.size());
    wm.verify(exactly(3), getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  void put_timesOut_isAnAnswerAtOnceWhenAsked() {
    wm.stubFor(put("/latest/api/token").willReturn(ok("t").withFixedDelay(2_000)));
    Requester requester =
        requester(Fixtures.endpoint(wm), 3, Duration.ofMillis(200), Duration.ofSeconds(10));
    assertNull(requester.send("PUT", "/latest/api/token", "", true));
    assertEquals(List.of(), clock.sleeps);
  }

  @Test
  void get_timesOut_isRetriedWithBackoff() {
    wm.stubFor(get(PATH).willReturn(ok("role").withFixedDelay(2_000)));
    Requester requester =
        requester(Fixtures.endpoint(wm), 2, Duration.ofMillis(150), Duration.ofSeconds(10));
    assertThrows(RuntimeException.class, () -> requester.send("GET", PATH, "", false));
    assertEquals(1, clock.sleeps.size());
    assertWithinBackoffBounds(clock.sleeps);
  }

  /**
   * A loopback port nothing listens on, for as long as the socket stays open: bound but not
   * listening, it is answered with a reset (refused), and no listener or outgoing connection can
   * take the port meanwhile, as one could a closed socket's.
   */
  private static Socket unlistenedPort() throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    return s;
  }

  @Test
  void connectionRefused_isRetriedWithBackoff() throws Exception {
    try (Socket unlistened = unlistenedPort()) {
      Requester requester =
          requester(
              "http://127.0.0.1:" + unlistened.getLocalPort(),
              4,
              Duration.ofSeconds(1),
              Duration.ofSeconds(10));
      RuntimeException e =
          assertThrows(RuntimeException.class, () -> requester.send("GET", PATH, "", false));
      assertTrue(e.getMessage().contains("refused the connection"), e.getMessage());
      assertEquals(3, clock.sleeps.size());
      assertWithinBackoffBounds(clock.sleeps);
    }
  }

  /** What a user is told to do once the attempts are spent depends on the last answer. */
  @ParameterizedTest
  @CsvSource({
    "429, answered 429, 'it is throttling this host; call it less often (see --min-validity)'",
    "500, answered 500, 'it is failing; try again shortly'",
    "503, answered 503, 'it is failing; try again shortly'",
    "0, refused the connection, check the endpoint"
  })
  void attemptsSpent_theAdviceFitsTheLastAnswer(int status, String failure, String advice)
      throws Exception {
    // null, and so not closed, when WireMock answers
    try (Socket unlistened = status == 0 ? unlistenedPort() : null) {
      String endpoint;
      if (unlistened != null) {
        endpoint = "http://127.0.0.1:" + unlistened.getLocalPort();
      } else {
        endpoint = Fixtures.endpoint(wm);
        wm.stubFor(get(PATH).willReturn(aResponse().withStatus(status)));
      }
      Requester requester = requester(endpoint, 2, Duration.ofSeconds(1), Duration.ofSeconds(10));
      RuntimeException e =
          assertThrows(RuntimeException.class, () -> requester.send("GET", PATH, "", false));
      assertEquals(
          "the instance metadata service at "
              + endpoint
              + " "
              + failure
              + " to GET "
              + PATH
              + " (2 attempts): "
              + advice
              + (status == 429 ? " and try again" : ""),
          e.getMessage());
    }
  }

  @Test
  void interruptedWhileWaitingToRetry_stopsAndKeepsTheInterrupt() {
    wm.stubFor(get(PATH).willReturn(aResponse().withStatus(500)));
    Clock interrupted =
        new FakeClock() {
          @Override
          public void sleep(long millis) throws InterruptedException {
            throw new InterruptedException();
          }
        };
    Requester requester =
        requester(
            Fixtures.endpoint(wm), 3, Duration.ofSeconds(1), Duration.ofSeconds(10), interrupted);
    try {
      RuntimeException e =
          assertThrows(RuntimeException.class, () -> requester.send("GET", PATH, "", false));
      assertEquals("interrupted while waiting to retry GET " + PATH, e.getMessage());
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
      wm.verify(exactly(1), getRequestedFor(urlEqualTo(PATH)));
    } finally {
      Thread.interrupted();
    }
  }

  /**
   * With the jitter at its bottom (top), the wait before attempt n is exactly half of (all of)
   * min(1 s, 100 ms · 2^(n-2)).
   */
  @ParameterizedTest
  @CsvSource({
    "false, '[50, 100, 200, 400, 500, 500, 500, 500, 500]'",
    "true, '[100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000]'"
  })
  void backoff_atTheEdgesOfTheJitter(boolean top, String waits) {
    wm.stubFor(get(PATH).willReturn(aResponse().withStatus(503)));
    clock.jitter = bound -> top ? bound - 1 : 0;
    Requester requester = requester(10);
    assertThrows(RuntimeException.class, () -> requester.send("GET", PATH, "", false));
    assertEquals(waits, clock.sleeps.toString());
  }

  /** A wait that would end at the deadline is not begun: no attempt could follow it. */
  @ParameterizedTest
  @CsvSource({"1500, 4", "1501, 5"})
  void aWaitEndingAtTheDeadline_isNotBegun(long deadlineMillis, int requests) {
    wm.stubFor(get(PATH).willReturn(aResponse().withStatus(503)));
    FakeClock frozen = new FakeClock(true);
    frozen.jitter = bound -> bound - 1; // waits of 100, 200, 400, 800, 1000 ms: 1500 ms after 4
    Requester requester =
        requester(
            Fixtures.endpoint(wm),
            10,
            Duration.ofSeconds(1),
            Duration.ofMillis(deadlineMillis),
            frozen);
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> requester.send("GET", PATH, "", false));
    assertTrue(e.getMessage().contains("deadline"), e.getMessage());
    wm.verify(exactly(requests), getRequestedFor(urlEqualTo(PATH)));
  }
}
