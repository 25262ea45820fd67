package io.github.imdsenv.http;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.settings.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Requests to one metadata endpoint, as the SDKs make them: retries by a {@link RetryPolicy} (429,
 * 5xx and I/O errors, exponential backoff with jitter, a per-attempt timeout) and one deadline for
 * the whole run. Shared by the IMDS and the container-credentials clients; the network is a {@link
 * Transport}, time a {@link Clock}, both the caller's.
 */
public final class Requester {

  private final URI base;
  private final String service;
  private final String unreachableAdvice;
  private final String origin;
  private final RetryPolicy policy;
  private final Duration deadline;
  private final Transport transport;
  private final Clock clock;
  private final Log log;
  private final long deadlineNanos;

  /**
   * @param service what the endpoint is, for messages: "the instance metadata service"
   * @param unreachableAdvice what to check when it does not answer at all
   * @param origin where the endpoint came from, for messages: "--endpoint", a variable's name
   * @param deadline for the whole run, counted from now
   */
  Requester(
      URI base,
      String service,
      String unreachableAdvice,
      String origin,
      RetryPolicy policy,
      Duration deadline,
      Transport transport,
      Clock clock,
      Log log) {
    this.base = base;
    this.service = service;
    this.unreachableAdvice = unreachableAdvice;
    this.origin = origin;
    this.policy = policy;
    this.deadline = deadline;
    this.transport = transport;
    this.clock = clock;
    this.log = log;
    this.deadlineNanos = clock.nanoTime() + deadline.toNanos();
  }

  /**
   * Requests to the instance metadata service at {@code base}.
   *
   * @param origin where {@code base} came from, for messages: "--endpoint", a variable's name
   */
  public static Requester imds(
      URI base,
      String origin,
      RetryPolicy policy,
      Duration deadline,
      Transport transport,
      Clock clock,
      Log log) {
    return new Requester(
        base,
        "the instance metadata service",
        "this is not an EC2 instance, IMDS is turned off (--http-endpoint disabled), or the"
            + " endpoint (from "
            + origin
            + ") is wrong",
        origin,
        policy,
        deadline,
        transport,
        clock,
        log);
  }

  /**
   * Requests to the container credentials endpoint at {@code base}.
   *
   * @param origin where {@code base} came from, for messages: the variables' names
   */
  public static Requester container(
      URI base,
      String origin,
      RetryPolicy policy,
      Duration deadline,
      Transport transport,
      Clock clock,
      Log log) {
    return new Requester(
        base,
        "the container credentials endpoint",
        "check " + origin + ", or that this runs inside the task or pod",
        origin,
        policy,
        deadline,
        transport,
        clock,
        log);
  }

  /** When an attempt starting now must end: its timeout, within the run's deadline. */
  public long attemptDeadline() {
    return Math.min(clock.nanoTime() + policy.timeout().toNanos(), deadlineNanos);
  }

  public String url(String path) {
    return base + path;
  }

  /**
   * One request with retries on 429, 5xx and I/O errors. Returns any other response. With {@code
   * timeoutIsAnswer}, a timeout returns null at once instead of being retried (the IMDS token PUT).
   */
  public Response send(String method, String path, String headers, boolean timeoutIsAnswer) {
    return send(method, path, headers, timeoutIsAnswer, false);
  }

  /**
   * As {@link #send}, but a 429 or 5xx that is still the answer when the attempts are spent is
   * returned, not thrown: for a request the caller has another way round (the extended credentials
   * path, whose fallback is the legacy one).
   */
  public Response sendOrLastStatus(String method, String path, String headers) {
    return send(method, path, headers, false, true);
  }

  private Response send(
      String method,
      String path,
      String headers,
      boolean timeoutIsAnswer,
      boolean lastStatusIsAnswer) {
    String failure = null;
    IOException lastError = null;
    boolean unresolved = false;
    Response last = null;
    for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
      if (attempt > 1) {
        backoff(attempt, method, path, failure, lastError);
      }
      long start = clock.nanoTime();
      unresolved = false;
      long attemptDeadline = Math.min(start + policy.timeout().toNanos(), deadlineNanos);
      lastError = null;
      try {
        Response r = transport.exchange(base, method, path, headers, attemptDeadline);
        log.debug(method + " " + path + " -> " + r.status() + " (" + millisSince(start) + " ms)");
        if (r.status() != 429 && r.status() < 500) {
          return r;
        }
        failure = "answered " + r.status();
        last = r;
      } catch (SocketTimeoutException e) {
        log.debug(method + " " + path + " -> timed out (" + millisSince(start) + " ms)");
        if (clock.nanoTime() - deadlineNanos >= 0) {
          throw deadlineExceeded(method, path, e);
        }
        if (timeoutIsAnswer) {
          return null;
        }
        failure = "did not answer within " + Durations.human(policy.timeout());
        lastError = e;
        last = null;
      } catch (ConnectException e) {
        log.debug(method + " " + path + " -> connection refused (" + millisSince(start) + " ms)");
        failure = "refused the connection";
        lastError = e;
        last = null;
      } catch (UnknownHostException e) {
        // retried all the same: a resolver that fails for a moment looks just like this
        log.debug(method + " " + path + " -> unknown host (" + millisSince(start) + " ms)");
        failure = "failed (its name does not resolve)";
        unresolved = true;
        lastError = e;
        last = null;
      } catch (IOException e) {
        log.debug(
            method + " " + path + " -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
        failure = "failed (" + describe(e) + ")";
        lastError = e;
        last = null;
      }
    }
    if (lastStatusIsAnswer && last != null) {
      return last;
    }
    if (unresolved) {
      throw new ImdsEnvException(
          Reason.UNREACHABLE,
          "the name "
              + HttpLink.host(base)
              + " does not resolve: "
              + service
              + " at "
              + base
              + " cannot be reached ("
              + method
              + " "
              + path
              + ", "
              + attempts()
              + "); check the host name (from "
              + origin
              + ") and the resolver (/etc/resolv.conf)",
          lastError);
    }
    throw new ImdsEnvException(
        Reason.UNREACHABLE,
        service
            + " at "
            + base
            + " "
            + failure
            + " to "
            + method
            + " "
            + path
            + " ("
            + attempts()
            + "): "
            + adviceFor(last == null ? 0 : last.status()),
        lastError);
  }

  private String attempts() {
    return policy.attempts() + (policy.attempts() == 1 ? " attempt" : " attempts");
  }

  /**
   * @param status the last attempt's status; 0 when it had none (no answer)
   */
  private String adviceFor(int status) {
    if (status == 429) {
      return "it is throttling this host; call it less often (see --min-validity) and try again";
    }
    if (status >= 500) {
      return "it is failing; try again shortly";
    }
    return unreachableAdvice;
  }

  /**
   * @param cause the failure of the attempt before, null for a status
   */
  private void backoff(int attempt, String method, String path, String failure, IOException cause) {
    long sleep = policy.backoffMillis(attempt, clock);
    if (clock.nanoTime() + sleep * 1_000_000 - deadlineNanos >= 0) {
      throw deadlineExceeded(method, path, cause);
    }
    log.debug(
        "attempt "
            + attempt
            + " of "
            + policy.attempts()
            + " in "
            + sleep
            + " ms ("
            + failure
            + ")");
    try {
      clock.sleep(sleep);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImdsEnvException(
          Reason.UNREACHABLE, "interrupted while waiting to retry " + method + " " + path, e);
    }
  }

  private ImdsEnvException deadlineExceeded(String method, String path, IOException cause) {
    return new ImdsEnvException(
        Reason.UNREACHABLE,
        service
            + " at "
            + base
            + " gave no complete answer to "
            + method
            + " "
            + path
            + " within the run's "
            + Durations.human(deadline)
            + " deadline: it is too slow or overloaded; try again",
        cause);
  }

  /** A status that no retry cures. */
  public ImdsEnvException fatalStatus(String method, String path, int status, String detail) {
    String why =
        status >= 300 && status < 400
            ? " (a redirect, which imds-env never follows)"
            : status == 400 ? " (bad request)" : status == 403 ? " (forbidden)" : "";
    return new ImdsEnvException(
        Reason.REFUSED,
        method
            + " "
            + url(path)
            + " answered "
            + status
            + why
            + (detail == null ? "" : ": " + detail));
  }

  private long millisSince(long start) {
    return (clock.nanoTime() - start) / 1_000_000;
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
  }
}
