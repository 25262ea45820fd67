package io.github.imdsenv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * A clock that moves only when told to or when slept on, and never sleeps: what waits (a retry's
 * backoff, a scripted transport's delay) advances it. Its jitter is random, the system's, unless a
 * test fixes it.
 */
public class FakeClock implements Clock {

  /** Each wait asked of {@link #sleep}, in ms. */
  public final List<Long> sleeps = new ArrayList<>();

  /** An arbitrary origin: nanoTime values are only ever compared. */
  private long now = Duration.ofDays(1).toNanos();

  /** Null: the system's. */
  public LongUnaryOperator jitter;

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void sleep(long millis) throws InterruptedException {
    sleeps.add(millis);
    advance(Duration.ofMillis(millis));
  }

  @Override
  public long random(long bound) {
    return jitter == null ? Clock.super.random(bound) : jitter.applyAsLong(bound);
  }

  public void advance(Duration d) {
    now += d.toNanos();
  }

  /** Moves to {@code nanoTime}, never back. */
  public void advanceTo(long nanoTime) {
    now = Math.max(now, nanoTime);
  }

  /** How long since {@code start}, a value of {@link #nanoTime}: the fake time a step took. */
  public Duration since(long start) {
    return Duration.ofNanos(now - start);
  }
}
