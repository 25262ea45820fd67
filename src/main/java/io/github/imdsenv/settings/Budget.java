package io.github.imdsenv.settings;

import java.time.Duration;

/**
 * The time and tries a run may spend on its endpoint.
 *
 * @param timeout per attempt, connect and read
 * @param attempts per request, for retryable failures
 * @param deadline for the whole run
 */
public record Budget(Duration timeout, int attempts, Duration deadline) {

  /** This budget with less time left (what an earlier step, such as a lock wait, used up). */
  public Budget withDeadline(Duration left) {
    return new Budget(timeout, attempts, left);
  }
}
