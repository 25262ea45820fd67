package io.github.imdsenv.serve;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.credentials.CredentialSource;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The credentials serve holds, and when to ask the source again. Requests read {@link #held()} and
 * never wait on the source; {@link #refresh()} runs beside them (one thread, scheduled by {@link
 * Server}) and says when it wants to run next:
 *
 * <ul>
 *   <li>nothing held yet, or only expired credentials: again after 1 s, 2 s, 4 s … up to 30 s;
 *   <li>otherwise every {@link #POLL} (jittered) to take credentials that expire later, so that a
 *       rotation or revocation reaches containers within minutes; a failure is tried again sooner
 *       (30 s, doubling up to the poll);
 *   <li>under {@link #LOW} left: every {@link #BACKSTOP}, whatever the outcome.
 * </ul>
 *
 * Credentials that expire earlier than the ones held are never taken; a failure keeps what is held.
 * The clock and the jitter are injected: the rules are tested without waiting.
 */
public final class Refresher {

  static final Duration POLL = Duration.ofMinutes(5);
  static final Duration POLL_JITTER = Duration.ofMinutes(1);
  static final Duration LOW = Duration.ofMinutes(20);
  static final Duration BACKSTOP = Duration.ofSeconds(30);
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);

  /** What is served: the credentials and the body rendered once, when they were taken. */
  public record Held(Credentials credentials, byte[] body) {}

  /** Where a refresh's outcome is told (stderr; -v for the routine ones). */
  public interface Events {
    /**
     * @param notable the first credentials, or the first after a failure (shown without -v)
     */
    void took(Credentials c, String from, boolean notable);

    void kept(Credentials held, Credentials offered, String from);

    void failed(String message, Credentials held, Duration next);
  }

  private final Supplier<CredentialSource> sources;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final Events events;
  private volatile Held held;
  private int failures;

  /**
   * @param sources a new source for each refresh (a client's deadline is counted from its creation)
   */
  public Refresher(
      Supplier<CredentialSource> sources,
      InstantSource clock,
      RandomGenerator random,
      Events events) {
    this.sources = sources;
    this.clock = clock;
    this.random = random;
    this.events = events;
  }

  /** What requests are answered with; null before the first success. */
  public Held held() {
    return held;
  }

  /** Asks the source once, takes what expires later than what is held; returns when to run next. */
  public synchronized Duration refresh() {
    String from = "the source";
    try {
      CredentialSource source = sources.get();
      from = source.describe();
      Credentials c = source.credentials();
      Held h = held;
      if (h == null || c.expiration().isAfter(h.credentials().expiration())) {
        held = new Held(c, Body.credentials(c));
        events.took(c, from, h == null || failures > 0);
      } else {
        events.kept(h.credentials(), c, from);
      }
      failures = 0;
      return next(false);
    } catch (RuntimeException e) {
      // anything at all: the refreshing must go on (the ImdsEnvException's message is the user's)
      failures++;
      Duration next = next(true);
      Held h = held;
      String why =
          e instanceof ImdsEnvException
              ? e.getMessage()
              : "internal error: " + e.getClass().getName();
      events.failed(from + ": " + why, h == null ? null : h.credentials(), next);
      return next;
    }
  }

  private Duration next(boolean failed) {
    Instant now = clock.instant();
    Held h = held;
    if (h == null || !h.credentials().expiration().isAfter(now)) {
      return backoff(FIRST_RETRY, BACKSTOP);
    }
    Duration left = Duration.between(now, h.credentials().expiration());
    if (left.compareTo(LOW.plus(BACKSTOP)) <= 0) {
      return BACKSTOP;
    }
    // jittered within ±POLL_JITTER, and never past the moment the backstop takes over
    long spread = POLL_JITTER.toMillis();
    Duration poll = POLL.plusMillis(random.nextLong(-spread, spread + 1));
    if (failed) {
      poll = min(poll, backoff(BACKSTOP, POLL));
    }
    return min(poll, left.minus(LOW));
  }

  /** first, doubled for each failure after the first, at most max. */
  private Duration backoff(Duration first, Duration max) {
    int doublings = Math.max(0, Math.min(failures - 1, 20));
    Duration d = first.multipliedBy(1L << doublings);
    return min(d, max);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** "…ABCD expiring 2026-12-07T18:00:00Z", for messages. */
  static String describe(Credentials c) {
    return c.accessKeyHint() + " expiring " + Timestamps.format(c.expiration());
  }
}
