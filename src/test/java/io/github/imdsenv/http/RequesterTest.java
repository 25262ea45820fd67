package io.github.imdsenv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Clock;
import io.github.imdsenv.FakeClock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Retries, backoff and the deadline of {@link Requester}, on a scripted transport and a clock that
 * records each wait instead of sleeping it.
 */
class RequesterTest {

  private static final String ENDPOINT = "http://169.254.169.254";
  private static final String PATH = "/latest/meta-data/iam/security-credentials/";

  private final FakeClock clock = new FakeClock();
  private final ScriptedTransport transport = new ScriptedTransport(clock);

  @AfterEach
  void everyScriptedRequestWasSent() {
    assertEquals(List.of(), transport.unsent(), "scripted but not sent");
  }

  private Requester requester(int attempts, Duration timeout, Duration deadline) {
    return requester(attempts, timeout, deadline, clock);
  }

  private Requester requester(int attempts, Duration timeout, Duration deadline, Clock clock) {
    return new Requester(
        URI.create(ENDPOINT),
        "the instance metadata service",
        "check the endpoint",
        "--endpoint",
        RetryPolicy.of(attempts, timeout),
        deadline,
        transport,
        clock,
        Log.create(false));
  }

  private Requester requester(int attempts) {
    return requester(attempts, Duration.ofSeconds(1), Duration.ofSeconds(10));
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
    transport.on("GET", PATH).answer(500).on("GET", PATH).answer(503);
    transport.on("GET", PATH).answer(200, "role");
    Response r = requester(3).send("GET", PATH, "", false);
    assertEquals(200, r.status());
    assertEquals("role", r.text());
    assertEquals(2, clock.sleeps.size());
    assertWithinBackoffBounds(clock.sleeps);
  }

  @Test
  void get_keepsFailing_waitsWithinTheBoundsAndNotAfterTheLastAttempt() {
    transport.on("GET", PATH).times(10).answer(429);
    Requester requester = requester(10);
    assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
    assertEquals(
        9, clock.sleeps.size(), "one wait between attempts, none after the last: " + clock.sleeps);
    assertWithinBackoffBounds(clock.sleeps);
  }

  @Test
  void jitter_variesTheWaits() {
    transport.on("GET", PATH).times(80).answer(500);
    for (int i = 0; i < 8; i++) {
      assertThrows(ImdsEnvException.class, () -> requester(10).send("GET", PATH, "", false));
    }
    assertTrue(
        clock.sleeps.stream().distinct().count() > 9,
        "equal jitter should vary the waits: " + clock.sleeps);
  }

  @Test
  void get_keepsFailing_stopsAtTheDeadlineInsteadOfWaitingPastIt() {
    transport.on("GET", PATH).times(3).answer(500);
    Requester requester = requester(10, Duration.ofSeconds(1), Duration.ofMillis(700));
    long start = clock.nanoTime();
    clock.jitter = bound -> bound - 1; // waits of 100, 200, 400 ms: the third would end at 700
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
    assertEquals(
        "the instance metadata service at "
            + ENDPOINT
            + " gave no complete answer to GET "
            + PATH
            + " within the run's 700ms deadline: it is too slow or overloaded; try again",
        e.getMessage());
    assertEquals(List.of(100L, 200L), clock.sleeps);
    assertEquals(Duration.ofMillis(300), clock.since(start), "ran past the deadline");
  }

  @Test
  void get_returns404_isTheAnswerWithoutRetry() {
    transport.on("GET", PATH).answer(404);
    assertEquals(404, requester(3).send("GET", PATH, "", false).status());
    assertEquals(List.of(), clock.sleeps);
  }

  @Test
  void sendOrLastStatus_returnsTheLast5xxOnceTheAttemptsAreSpent() {
    transport.on("GET", PATH).times(3).answer(502);
    assertEquals(502, requester(3).sendOrLastStatus("GET", PATH, "").status());
    assertEquals(2, clock.sleeps.size());
  }

  @Test
  void put_timesOut_isAnAnswerAtOnceWhenAsked() {
    transport.on("PUT", "/latest/api/token").after(Duration.ofSeconds(2)).answer(200, "t");
    Requester requester = requester(3, Duration.ofMillis(200), Duration.ofSeconds(10));
    long start = clock.nanoTime();
    assertNull(requester.send("PUT", "/latest/api/token", "", true));
    assertEquals(List.of(), clock.sleeps);
    assertEquals(Duration.ofMillis(200), clock.since(start), "the attempt's timeout");
  }

  @Test
  void get_timesOut_isRetriedWithBackoff() {
    transport.on("GET", PATH).times(2).after(Duration.ofSeconds(2)).answer(200, "role");
    Requester requester = requester(2, Duration.ofMillis(150), Duration.ofSeconds(10));
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
    assertTrue(e.getMessage().contains("did not answer within 150ms"), e.getMessage());
    assertEquals(1, clock.sleeps.size());
    assertWithinBackoffBounds(clock.sleeps);
    for (ScriptedTransport.Sent s : transport.sent()) {
      assertEquals(Duration.ofMillis(150), s.timeLeft(), "each attempt has the timeout: " + s);
    }
  }

  @Test
  void connectionRefused_isRetriedWithBackoff() {
    ConnectException refused = new ConnectException("Connection refused");
    transport.on("GET", PATH).times(4).fail(refused);
    Requester requester = requester(4);
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
    assertTrue(e.getMessage().contains("refused the connection"), e.getMessage());
    assertSame(refused, e.getCause(), "the last failure is the cause, for -v");
    assertEquals(3, clock.sleeps.size());
    assertWithinBackoffBounds(clock.sleeps);
  }

  @Test
  void unknownHost_isRetried_thenNamesTheResolver() {
    UnknownHostException unknown = new UnknownHostException("imds.invalid");
    transport.on("GET", PATH).times(2).fail(unknown);
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> requester(2).send("GET", PATH, "", false));
    assertEquals(ImdsEnvException.Reason.UNREACHABLE, e.reason());
    assertEquals(
        "the name 169.254.169.254 does not resolve: the instance metadata service at "
            + ENDPOINT
            + " cannot be reached (GET "
            + PATH
            + ", 2 attempts); check the host name (from --endpoint) and the resolver"
            + " (/etc/resolv.conf)",
        e.getMessage());
    assertSame(unknown, e.getCause());
  }

  @Test
  void aStatusAfterAnIoError_leavesNoCause() {
    transport.on("GET", PATH).fail(new ConnectException("Connection refused"));
    transport.on("GET", PATH).answer(503);
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> requester(2).send("GET", PATH, "", false));
    assertTrue(e.getMessage().contains("answered 503"), e.getMessage());
    assertNull(e.getCause(), "the last attempt's failure was a status, not an exception");
  }

  /** What a user is told to do once the attempts are spent depends on the last answer. */
  @ParameterizedTest
  @CsvSource({
    "429, answered 429, 'it is throttling this host; call it less often (see --min-validity)'",
    "500, answered 500, 'it is failing; try again shortly'",
    "503, answered 503, 'it is failing; try again shortly'",
    "0, refused the connection, check the endpoint"
  })
  void attemptsSpent_theAdviceFitsTheLastAnswer(int status, String failure, String advice) {
    if (status == 0) {
      transport.on("GET", PATH).times(2).fail(new ConnectException("Connection refused"));
    } else {
      transport.on("GET", PATH).times(2).answer(status);
    }
    Requester requester = requester(2);
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
    assertEquals(
        "the instance metadata service at "
            + ENDPOINT
            + " "
            + failure
            + " to GET "
            + PATH
            + " (2 attempts): "
            + advice
            + (status == 429 ? " and try again" : ""),
        e.getMessage());
  }

  @Test
  void interruptedWhileWaitingToRetry_stopsAndKeepsTheInterrupt() {
    transport.on("GET", PATH).answer(500);
    InterruptedException interrupt = new InterruptedException();
    Clock interrupted =
        new FakeClock() {
          @Override
          public void sleep(long millis) throws InterruptedException {
            throw interrupt;
          }
        };
    Requester requester = requester(3, Duration.ofSeconds(1), Duration.ofSeconds(10), interrupted);
    try {
      ImdsEnvException e =
          assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
      assertEquals("interrupted while waiting to retry GET " + PATH, e.getMessage());
      assertSame(interrupt, e.getCause());
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
      assertEquals(1, transport.sent().size());
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
    transport.on("GET", PATH).times(10).answer(503);
    clock.jitter = bound -> top ? bound - 1 : 0;
    Requester requester = requester(10, Duration.ofSeconds(1), Duration.ofMinutes(1));
    assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
    assertEquals(waits, clock.sleeps.toString());
  }

  /** A wait that would end at the deadline is not begun: no attempt could follow it. */
  @ParameterizedTest
  @CsvSource({"1500, 4", "1501, 5"})
  void aWaitEndingAtTheDeadline_isNotBegun(long deadlineMillis, int requests) {
    transport.on("GET", PATH).times(requests).answer(503);
    clock.jitter = bound -> bound - 1; // waits of 100, 200, 400, 800, 1000 ms: 1500 ms after 4
    Requester requester = requester(10, Duration.ofSeconds(1), Duration.ofMillis(deadlineMillis));
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
    assertTrue(e.getMessage().contains("deadline"), e.getMessage());
    assertEquals(Collections.nCopies(requests, "GET " + PATH), transport.requests());
  }

  /** A timeout at the run's deadline is the deadline's failure, with the timeout as its cause. */
  @Test
  void timeoutAtTheDeadline_isTheDeadlinesFailure() {
    transport.on("GET", PATH).stall();
    Requester requester = requester(3, Duration.ofSeconds(5), Duration.ofMillis(800));
    long start = clock.nanoTime();
    ImdsEnvException e =
        assertThrows(ImdsEnvException.class, () -> requester.send("GET", PATH, "", false));
    assertTrue(e.getMessage().contains("within the run's 800ms deadline"), e.getMessage());
    assertTrue(e.getCause() instanceof java.net.SocketTimeoutException, String.valueOf(e));
    assertEquals(Duration.ofMillis(800), clock.since(start));
  }
}
