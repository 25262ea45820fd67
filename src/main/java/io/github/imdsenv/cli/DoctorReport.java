package io.github.imdsenv.cli;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Printable;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.Timestamps;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.settings.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Doctor's lines and tally: one line a check (ok, warn, FAIL, or skip and info, which are not
 * counted), the check a client's failure belongs to, the checks both sources share (TCP
 * reachability, the credentials' expiry), and the exit code of the first failure.
 */
final class DoctorReport {

  static final Duration SHORT_VALIDITY = Duration.ofMinutes(15);

  private final PrintWriter out;
  private int ok;
  private int warn;
  private int failed;
  private int firstFailure;

  /** The check a failure of the client belongs to, moved on as the client reports its steps. */
  private String check;

  /**
   * What the client reported of the step that then failed; null: its exception's message says it.
   */
  private String failure;

  private Reason failureKind;

  DoctorReport(PrintWriter out) {
    this.out = out;
  }

  /** The check a failure of the client belongs to from now on. */
  void check(String name) {
    check = name;
  }

  /** The closing summary line; returns the exit code: 0, or the first failure's. */
  int finish() {
    out.println();
    out.println(
        "doctor: "
            + ok
            + " ok, "
            + warn
            + " warn, "
            + failed
            + " FAIL: "
            + (failed == 0
                ? "imds-env can export credentials here"
                : "see the FAIL lines above for the fix"));
    out.flush();
    return failed == 0 ? 0 : firstFailure;
  }

  /** Time to expiry and LastUpdated of what the client parsed: the same for both sources. */
  void credentials(Credentials c) {
    Duration left = Duration.between(Instant.now(), c.expiration());
    String seen =
        "access key "
            + c.accessKeyHint()
            + ", expiring "
            + Timestamps.format(c.expiration())
            + (c.lastUpdated() == null
                ? ""
                : ", last updated " + Timestamps.format(c.lastUpdated()));
    if (left.isNegative() || left.isZero()) {
      fail(
          Reason.EXPIRED,
          "credentials",
          seen
              + ": EXPIRED "
              + Durations.human(left.negated().plusSeconds(1))
              + " ago; the service has not refreshed them (an outage?); --allow-expired would use"
              + " them anyway");
    } else if (left.compareTo(SHORT_VALIDITY) < 0) {
      line(
          "warn",
          "credentials",
          seen
              + ": only "
              + Durations.human(left)
              + " left (IMDS refreshes them well before expiry"
              + " as a rule: if this stays, the role's refresh is failing)");
    } else {
      line("ok", "credentials", seen + " (in " + Durations.human(left) + ")");
    }
  }

  void reachable(Duration timeout, URI uri, String fix) {
    long deadline = Clock.SYSTEM.nanoTime() + timeout.toNanos();
    try {
      long ms = new HttpLink(Clock.SYSTEM).connectMillis(uri, deadline);
      line("ok", "reachable", "TCP connection in " + ms + " ms");
    } catch (ConnectException e) {
      fail(Reason.UNREACHABLE, "reachable", "connection refused: " + fix);
    } catch (SocketTimeoutException e) {
      fail(
          Reason.UNREACHABLE,
          "reachable",
          "no answer within " + Durations.human(timeout) + ": " + fix);
    } catch (java.net.UnknownHostException e) {
      fail(
          Reason.UNREACHABLE,
          "reachable",
          HttpLink.host(uri) + " does not resolve: check the name");
    } catch (HttpLink.ResolutionTimeout e) {
      fail(
          Reason.UNREACHABLE,
          "reachable",
          e.getMessage() + ": check the name and the resolver (/etc/resolv.conf)");
    } catch (IOException e) {
      fail(Reason.UNREACHABLE, "reachable", e.getClass().getSimpleName() + ": " + fix);
    }
  }

  /**
   * A step of the client: its failure is the FAIL line of the check the client had reached, with
   * what the client reported about it ({@link #explain}) or else its message, and the export's exit
   * code; the walk ends there.
   */
  <T> T observe(Supplier<T> step) {
    try {
      return step.get();
    } catch (ImdsEnvException e) {
      fail(
          failureKind != null ? failureKind : e.reason(),
          check,
          failure != null ? failure : e.getMessage());
      return null;
    }
  }

  /**
   * What a failing step's FAIL line says, and its exit code where doctor's differs from the
   * export's (null: the same).
   */
  void explain(Reason kind, String seen) {
    failureKind = kind;
    failure = seen;
  }

  void fail(Reason kind, String name, String seen) {
    if (failed == 0) {
      firstFailure = ExitCodes.of(kind);
    }
    line("FAIL", name, seen);
    throw new Stop();
  }

  void line(String status, String name, String seen) {
    switch (status) {
      case "ok" -> ok++;
      case "warn" -> warn++;
      case "FAIL" -> failed++;
      default -> {}
    }
    // what was seen quotes the endpoint (role names, Codes, Messages): escaped like stderr
    out.printf("%-4s  %-11s %s%n", status, name, Printable.escape(seen));
  }

  /** Ends the walk after a FAIL: the later checks depend on it. */
  static final class Stop extends RuntimeException {
    Stop() {
      super(null, null, false, false);
    }
  }
}
