package io.github.imdsenv;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time, waiting and jitter for the loops that wait (the retries between attempts, the lock on an
 * output file), and the time of day: the system's, or a test's that waits without sleeping.
 */
public interface Clock {

  Clock SYSTEM = new SystemClock();

  long nanoTime();

  void sleep(long millis) throws InterruptedException;

  /** The time of day: what a file's credentials' expiry is measured against. */
  default Instant now() {
    return Instant.now();
  }

  /** A random number in [0, {@code bound}). */
  default long random(long bound) {
    return ThreadLocalRandom.current().nextLong(bound);
  }

  /** A class, not a lambda: no invokedynamic bootstrap on the start-up path. */
  final class SystemClock implements Clock {
    private SystemClock() {}

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
      Thread.sleep(millis);
    }
  }
}
