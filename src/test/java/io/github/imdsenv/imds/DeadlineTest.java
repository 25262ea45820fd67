package io.github.imdsenv.imds;

import static io.github.imdsenv.Fixtures.REGION;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The run's deadline against the per-attempt timeout and the backoff, seen from outside the client:
 * how long a run takes on the fake clock against a slow scripted IMDS, how many requests it makes,
 * and what it says.
 */
class DeadlineTest {

  private final ScriptedImds imds = new ScriptedImds();

  @AfterEach
  void everyScriptedRequestWasSent() {
    assertEquals(List.of(), imds.transport.unsent(), "scripted but not sent");
  }

  /** A client whose run has {@code deadline} left, with this timeout and number of attempts. */
  private ImdsClient client(Duration timeout, int attempts, Duration deadline) {
    imds.timeout = timeout;
    imds.attempts = attempts;
    imds.deadline = deadline;
    return imds.client();
  }

  @Test
  void slowAnswer_deadlineShorterThanTheTimeout_endsTheRunAtTheDeadline() {
    imds.token();
    imds.on("GET", REGION).after(Duration.ofSeconds(4)).answer(200, "eu-central-2");
    ImdsClient c = client(Duration.ofSeconds(5), 3, Duration.ofMillis(800));
    long start = imds.clock.nanoTime();
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::region);
    assertEquals(ImdsEnvException.Reason.UNREACHABLE, e.reason());
    assertTrue(e.getMessage().contains("within the run's 800ms deadline"), e.getMessage());
    assertEquals(Duration.ofMillis(800), imds.clock.since(start), "the deadline, not the timeout");
  }

  @Test
  void slowAnswer_timeoutShorterThanTheDeadline_endsEachAttemptAtTheTimeout() {
    imds.token();
    imds.on("GET", REGION).after(Duration.ofSeconds(4)).answer(200, "eu-central-2");
    imds.on("GET", REGION).answer(200, "eu-west-3");
    ImdsClient c = client(Duration.ofMillis(400), 3, Duration.ofSeconds(10));
    long start = imds.clock.nanoTime();
    assertEquals("eu-west-3", c.region());
    // one 400 ms timeout, then a backoff of 50..100 ms, then the fast answer
    Duration took = imds.clock.since(start);
    assertEquals(List.of(), imds.clock.sleeps.stream().filter(s -> s < 50 || s > 100).toList());
    assertEquals(Duration.ofMillis(400 + imds.clock.sleeps.get(0)), took);
  }

  @Test
  void tokenPut_slowPastTheDeadline_isADeadlineFailure_notAnImdsV1Fallback() {
    imds.on("PUT", TOKEN_PATH).after(Duration.ofSeconds(8)).answer(200, "token");
    ImdsClient c = client(Duration.ofSeconds(10), 3, Duration.ofMillis(1500));
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::region);
    assertTrue(
        e.getMessage()
            .contains(
                "gave no complete answer to PUT " + TOKEN_PATH + " within the run's 1.5s deadline"),
        e.getMessage());
    assertEquals(List.of("PUT " + TOKEN_PATH), imds.transport.requests(), "no GET after it");
  }

  @Test
  void retries_withMoreAttemptsThanTheDeadlineAllows_endAtTheDeadline_notAfterTheAttempts() {
    imds.token();
    // ten attempts would take 50..100 + 100..200 + 200..400 + 400..800 + 5 x 500..1000 ms of
    // backoff; 500 ms hold two or three
    imds.clock.jitter = bound -> bound - 1; // waits of 100, 200, then 400 ms: past 500 ms
    imds.on("GET", REGION).times(3).answer(503);
    ImdsClient c = client(Duration.ofSeconds(1), 10, Duration.ofMillis(500));
    long start = imds.clock.nanoTime();
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::region);
    assertTrue(e.getMessage().contains("within the run's 500ms deadline"), e.getMessage());
    assertEquals(List.of(100L, 200L), imds.clock.sleeps);
    assertTrue(imds.clock.since(start).toMillis() < 500, "ended before the deadline");
  }

  @Test
  void attempts_areSpentBeforeTheDeadline_whenTheBackoffFits() {
    imds.token();
    imds.on("GET", REGION).times(3).answer(503);
    ImdsClient c = client(Duration.ofSeconds(1), 3, Duration.ofSeconds(10));
    long start = imds.clock.nanoTime();
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::region);
    assertTrue(e.getMessage().contains("answered 503"), e.getMessage());
    // two backoffs: 50..100 ms and 100..200 ms, and nothing else waited
    assertEquals(2, imds.clock.sleeps.size());
    assertEquals(
        Duration.ofMillis(imds.clock.sleeps.get(0) + imds.clock.sleeps.get(1)),
        imds.clock.since(start));
    assertEquals(Collections.nCopies(3, "GET " + REGION), imds.transport.requests().subList(1, 4));
  }
}
