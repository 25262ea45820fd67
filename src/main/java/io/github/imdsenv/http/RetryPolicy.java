package io.github.imdsenv.http;

import io.github.imdsenv.Clock;
import java.time.Duration;

/**
 * How {@link Requester} tries a request again: at most {@code attempts} tries, each within {@code
 * timeout}, on 429, 5xx and I/O errors, and between them a backoff with "equal jitter" (the SDKs'):
 * before attempt n, half of min(max, base · 2^(n-2)) fixed and half random.
 *
 * @param attempts per request, at least 1
 * @param timeout per attempt: connect, send and read
 */
public record RetryPolicy(
    int attempts, Duration timeout, long backoffBaseMillis, long backoffMaxMillis) {

  /** The SDKs' backoff for IMDS: 100 ms doubling up to 1 s. */
  public static RetryPolicy of(int attempts, Duration timeout) {
    return new RetryPolicy(attempts, timeout, 100, 1_000);
  }

  /** The wait before {@code attempt} (2 for the first retry), jittered by {@code clock}. */
  long backoffMillis(int attempt, Clock clock) {
    long cap = Math.min(backoffMaxMillis, backoffBaseMillis << (attempt - 2));
    return cap / 2 + clock.random(cap / 2 + 1);
  }
}
