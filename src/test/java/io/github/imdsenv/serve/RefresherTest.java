package io.github.imdsenv.serve;

import static io.github.imdsenv.serve.ScriptedSource.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.credentials.Credentials;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The freshness rules, with a scripted source and a clock moved by hand: what is held after each
 * refresh, and when the refresher asks to run again. Nothing waits.
 */
class RefresherTest {

  private final ScriptedSource source = new ScriptedSource();
  private final ScriptedSource.ManualClock clock = new ScriptedSource.ManualClock();
  private final RecordedEvents events = new RecordedEvents();

  /** Jitter drawn as the test says: the lowest value, the middle one, or the highest. */
  private long jitter;

  private final RandomGenerator random =
      new RandomGenerator() {
        @Override
        public long nextLong() {
          throw new AssertionError("only the bounded draw is used");
        }

        @Override
        public long nextLong(long origin, long bound) {
          assertEquals(-Refresher.POLL_JITTER.toMillis(), origin);
          assertEquals(Refresher.POLL_JITTER.toMillis() + 1, bound);
          return jitter;
        }
      };

  private final Refresher refresher = new Refresher(source, clock, random, events);

  private Instant in(Duration d) {
    return clock.instant().plus(d);
  }

  @Test
  void refresh_heldNothing_takesTheCredentials_andPollsInFiveMinutes() {
    Credentials c = credentials("AAAA", in(Duration.ofHours(6)));
    source.then(c);
    assertNull(refresher.held());
    assertEquals(Duration.ofMinutes(5), refresher.refresh());
    assertSame(c, refresher.held().credentials());
    assertEquals(List.of("took …AAAA (notable)"), events.lines);
  }

  @Test
  void refresh_pollIsJitteredByAMinuteEitherWay() {
    source.then(credentials("AAAA", in(Duration.ofHours(6))));
    jitter = -60_000;
    assertEquals(Duration.ofMinutes(4), refresher.refresh());
    source.then(credentials("AAAA", in(Duration.ofHours(6))));
    jitter = 60_000;
    assertEquals(Duration.ofMinutes(6), refresher.refresh());
  }

  @Test
  void refresh_eachTimeANewSource() {
    source.then(credentials("AAAA", in(Duration.ofHours(6))));
    source.then(credentials("AAAA", in(Duration.ofHours(6))));
    refresher.refresh();
    refresher.refresh();
    assertEquals(2, source.sourcesMade);
    assertEquals(2, source.fetches);
  }

  @Test
  void refresh_laterExpiring_takesThem_quietly() {
    source.then(credentials("AAAA", in(Duration.ofHours(6))));
    refresher.refresh();
    clock.advance(Duration.ofMinutes(5));
    Credentials later = credentials("BBBB", in(Duration.ofHours(6)));
    source.then(later);
    refresher.refresh();
    assertSame(later, refresher.held().credentials());
    assertEquals("took …BBBB", events.last());
  }

  @Test
  void refresh_earlierOrEquallyExpiring_keepsWhatItHolds() {
    Credentials held = credentials("AAAA", in(Duration.ofHours(6)));
    source.then(held);
    refresher.refresh();
    source.then(credentials("BBBB", in(Duration.ofHours(5))));
    refresher.refresh();
    assertSame(held, refresher.held().credentials());
    assertEquals("kept …AAAA over …BBBB", events.last());
    source.then(credentials("CCCC", held.expiration()));
    refresher.refresh();
    assertSame(held, refresher.held().credentials());
  }

  @Test
  void refresh_firstFetchesFail_backOffFromOneSecondToThirty_answerStaysNothing() {
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      source.thenFail("IMDS is down");
      delays.add(refresher.refresh());
    }
    assertEquals(
        List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L), delays.stream().map(Duration::toSeconds).toList());
    assertNull(refresher.held());
    assertEquals("failed: the scripted source: IMDS is down; holding none", events.last());
    // then a success is notable (said without -v): the service works again
    source.then(credentials("AAAA", in(Duration.ofHours(6))));
    refresher.refresh();
    assertEquals("took …AAAA (notable)", events.last());
  }

  @Test
  void refresh_failsWhileHoldingValid_keepsThem_retriesFromThirtySecondsUpToThePoll() {
    Credentials held = credentials("AAAA", in(Duration.ofHours(6)));
    source.then(held);
    refresher.refresh();
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      source.thenFail("timed out");
      delays.add(refresher.refresh());
    }
    assertEquals(
        List.of(30L, 60L, 120L, 240L, 300L, 300L),
        delays.stream().map(Duration::toSeconds).toList());
    assertSame(held, refresher.held().credentials());
    assertEquals("failed: the scripted source: timed out; holding …AAAA", events.last());
  }

  @Test
  void refresh_underTwentyMinutesLeft_backstopEveryThirtySeconds_successOrNot() {
    source.then(credentials("AAAA", in(Duration.ofMinutes(19))));
    assertEquals(Refresher.BACKSTOP, refresher.refresh());
    source.thenFail("down");
    assertEquals(Refresher.BACKSTOP, refresher.refresh());
    source.then(credentials("AAAA", in(Duration.ofMinutes(19))));
    assertEquals(Refresher.BACKSTOP, refresher.refresh());
  }

  @Test
  void refresh_pollNeverOvershootsTheMomentTheBackstopStarts() {
    jitter = 60_000;
    source.then(credentials("AAAA", in(Duration.ofMinutes(22))));
    assertEquals(Duration.ofMinutes(2), refresher.refresh());
  }

  @Test
  void refresh_outageOutlastsTheCredentials_backToFastRetries() {
    source.then(credentials("AAAA", in(Duration.ofMinutes(10))));
    refresher.refresh();
    clock.advance(Duration.ofMinutes(11));
    source.thenFail("down");
    assertEquals(Duration.ofSeconds(1), refresher.refresh());
    // expired ones are still held (never served: Endpoint answers 503), and replaced by any valid
    Credentials fresh = credentials("BBBB", in(Duration.ofHours(6)));
    source.then(fresh);
    refresher.refresh();
    assertSame(fresh, refresher.held().credentials());
  }

  @Test
  void refresh_anUnexpectedException_isAFailure_andRefreshingGoesOn() {
    source.thenThrow(new IllegalStateException("secret-looking detail"));
    assertEquals(Duration.ofSeconds(1), refresher.refresh());
    assertEquals(
        "failed: the scripted source: internal error: java.lang.IllegalStateException; holding none",
        events.last());
    source.then(credentials("AAAA", in(Duration.ofHours(6))));
    refresher.refresh();
    assertTrue(refresher.held() != null);
  }

  @Test
  void held_bodyIsRenderedOnceWhenTaken() {
    source.then(credentials("AAAA", in(Duration.ofHours(6))));
    refresher.refresh();
    byte[] body = refresher.held().body();
    source.then(credentials("BBBB", in(Duration.ofHours(5))));
    refresher.refresh();
    assertSame(body, refresher.held().body());
  }
}
