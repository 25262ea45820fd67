package io.github.imdsenv.cli;

import io.github.imdsenv.settings.SourceKind;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.Printable;
import io.github.imdsenv.container.ContainerClient;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.Timestamps;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.imds.ImdsClient;
import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code imds-env doctor}: walks the path to credentials one check at a time and says, for each,
 * what it saw and how to fix it. Never prints a secret: the access key's last four characters and
 * the time left at most.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Check the way to the credentials, one line a check: ok, warn or FAIL, what was seen, and the fix.",
      "Exit 0 when nothing failed; else the exit code of the first failure (3, 4 or 5)."})
final class DoctorCommand implements Callable<Integer> {

  static final Duration SHORT_VALIDITY = Duration.ofMinutes(15);

  @Mixin SourceOptions source;

  @Spec CommandSpec spec;

  private final Map<String, String> env;
  private PrintWriter out;
  private int ok;
  private int warn;
  private int failed;
  private int firstFailure;
  /** The check a failure of the client belongs to, moved on as the client reports its steps. */
  private String check;
  /** What the client reported of the step that then failed; null: its exception's message says it. */
  private String failure;
  private Reason failureKind;

  DoctorCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Cli.rejectOptionsBefore(spec);
    out = spec.commandLine().getOut();
    Settings settings = source.settings(env);
    Log log = Log.create(settings.verbose());
    try {
      if (settings.source() == SourceKind.CONTAINER) {
        container(settings, log);
      } else {
        imds(settings, log);
      }
    } catch (Stop stop) {
      line("skip", "rest", "not checked: fix the failure above first");
    }
    out.println();
    out.println("doctor: " + ok + " ok, " + warn + " warn, " + failed + " FAIL: "
        + (failed == 0 ? "imds-env can export credentials here" : "see the FAIL lines above for the fix"));
    out.flush();
    return failed == 0 ? 0 : firstFailure;
  }

  private void imds(Settings settings, Log log) {
    line("ok", "source", "IMDS (" + settings.sourceReason() + ")");
    line("ok", "endpoint", settings.endpoint() + " (from " + settings.endpointOrigin() + ")");
    if (settings.imdsDisabled()) {
      fail(Reason.DISABLED, "endpoint", "IMDS is disabled by " + Environment.DISABLED + "=true: unset it");
    }
    reachable(settings, settings.endpoint(), "not an EC2 instance, or IMDS is disabled for it"
        + " (`aws ec2 modify-instance-metadata-options --instance-id ID --http-endpoint enabled`)");
    ImdsSteps steps = new ImdsSteps();
    ImdsClient client = ImdsClient.create(settings, log, steps);
    ImdsEnvException noSession = null;
    try {
      client.startSession();
    } catch (ImdsEnvException e) {
      noSession = e;
    }
    session(steps, noSession, client.statusWithoutToken(), settings.v1Disabled());

    if (settings.role() == null) {
      check = "role";
    } else {
      line("ok", "role", settings.role() + " (from --role / " + Environment.PROFILE_NAME + ")");
      check = "credentials";
    }
    credentials(observe(client::credentials));
    check = "region";
    line("ok", "region", observe(client::region) + " (from placement/region)");
  }

  /** The IMDSv2 and IMDSv1 lines: the client's token step, and doctor's own GET without a token ({@code v1}, -1: no answer). */
  private void session(ImdsSteps steps, ImdsEnvException noSession, int v1, boolean v1Disabled) {
    boolean viaV1 = steps.fellBack && v1 == 200;
    Reason kind = noSession != null ? noSession.reason() : Reason.UNREACHABLE;
    if (steps.ttlSeconds > 0) {
      line("ok", "IMDSv2", "token received (TTL " + steps.ttlSeconds + " s)");
    } else if (steps.tokenTimedOut) {
      String seen = "the token request (" + steps.tokenRequest + ") timed out while GETs answer: ";
      if (viaV1) {
        line("warn", "IMDSv2", seen + "imds-env falls back to IMDSv1; " + ImdsClient.HOP_LIMIT_FIX);
      } else {
        fail(kind, "IMDSv2", seen + ImdsClient.HOP_LIMIT_FIX);
      }
    } else if (steps.tokenStatus == 403) {
      String seen = "the token request answered 403: IMDS is off for tokens, or the token API is disabled";
      if (viaV1) {
        line("warn", "IMDSv2", seen + "; imds-env falls back to IMDSv1");
      } else {
        fail(kind, "IMDSv2", seen + " (`aws ec2 modify-instance-metadata-options --instance-id ID"
            + " --http-endpoint enabled --http-tokens required`)");
      }
    } else if (viaV1) {
      line("warn", "IMDSv2", "the token request answered " + steps.tokenStatus + " (an IMDS without IMDSv2?); imds-env falls back to IMDSv1");
    } else if (steps.fellBack) {
      fail(kind, "IMDSv2", "the token request answered " + steps.tokenStatus + " and IMDSv1 is not available: no way to read metadata");
    } else {
      // no token and no fallback: the client says why (a status no fallback follows, --no-imdsv1, no answer)
      fail(kind, "IMDSv2", noSession.getMessage());
    }
    if (v1 < 0) {
      line("warn", "IMDSv1", "a GET without token did not answer");
    } else if (v1 == 401) {
      line("ok", "IMDSv1", "off: the instance requires IMDSv2 tokens (recommended)");
    } else if (v1 == 200) {
      line("ok", "IMDSv1", "allowed by the instance (tokens optional)"
          + (v1Disabled ? "; not used: --no-imdsv1 / " + Environment.V1_DISABLED : ""));
    } else {
      line("warn", "IMDSv1", "a GET without token answered " + v1);
    }
  }

  /** Doctor's lines from the IMDS client's steps; a step that fails leaves its explanation for {@link #observe}. */
  private final class ImdsSteps implements ImdsClient.Listener {
    int ttlSeconds;
    boolean tokenTimedOut;
    String tokenRequest;
    int tokenStatus;
    boolean fellBack;
    private boolean roleShown;

    @Override
    public void tokenReceived(int ttlSeconds) {
      this.ttlSeconds = ttlSeconds;
    }

    @Override
    public void tokenTimedOut(String request) {
      tokenTimedOut = true;
      tokenRequest = request;
    }

    @Override
    public void tokenRefused(String request, int status) {
      tokenRequest = request;
      tokenStatus = status;
    }

    @Override
    public void v1FallbackTaken(String why) {
      fellBack = true;
    }

    @Override
    public void roleListed(String path, String name, boolean valid) {
      if (!valid) {
        explain(null, path + " lists '" + name + "', which is not a valid IAM role name");
      } else if (!roleShown) {
        // a role listed again (it changed under the client) is not a second check
        roleShown = true;
        line("ok", "role", name + " (instance profile attached)");
        check = "credentials";
      }
    }

    @Override
    public void noRole(String path, int status) {
      explain(null, "no instance profile is attached (" + path + " answered " + status + "): attach one with"
          + " `aws ec2 associate-iam-instance-profile --instance-id ID --iam-instance-profile Name=PROFILE`");
    }

    @Override
    public void extendedFellBack(String path, int status) {
      if (status != 404) {
        line("warn", "account", path + " answered " + status + ": imds-env falls back to the legacy path,"
            + " which gives no AccountId (--account-id sets nothing)");
      }
    }

    @Override
    public void regionRefused(String path, int status) {
      // doctor's own verdict, as before: --region cannot be used with these credentials (exit 5)
      explain(Reason.BAD_ANSWER, path + " answered " + status + (status == 200 ? " without a region name" : "")
          + ": --region cannot be used");
    }
  }

  private void container(Settings settings, Log log) {
    line("ok", "source", "container credentials endpoint (" + settings.sourceReason() + ")");
    check = "endpoint";
    ContainerClient client = ContainerClient.create(settings, log, new ContainerSteps(settings));
    credentials(observe(client::credentials));
    if (settings.regionFromEnvironment() != null) {
      line("ok", "region", settings.regionFromEnvironment() + " (from " + Environment.REGION + " / " + Environment.DEFAULT_REGION + ")");
    } else {
      line("warn", "region", Environment.REGION + " is not set in this container: --region cannot be used");
    }
  }

  /** Doctor's lines from the container client's steps, with doctor's TCP probe once the host is allowed. */
  private final class ContainerSteps implements ContainerClient.Listener {
    private final Settings settings;

    ContainerSteps(Settings settings) {
      this.settings = settings;
    }

    @Override
    public void hostAllowed(URI uri) {
      line("ok", "endpoint", uri + " (an allowed host)");
      reachable(settings, uri, "run this inside the ECS task or EKS pod, and check the agent is running");
      check = "token";
    }

    @Override
    public void authorization(String source, int length) {
      if (source != null) {
        line("ok", "token", "sent as Authorization (" + length + " characters, from " + source + ")");
      } else if (env.get(Environment.CONTAINER_RELATIVE_URI) == null) {
        line("warn", "token", "none: EKS Pod Identity needs " + Environment.CONTAINER_TOKEN_FILE);
      } else {
        line("ok", "token", "none (an ECS task needs none)");
      }
      check = "credentials";
    }

    @Override
    public void refused(int status, String code, String message) {
      explain(null, "the endpoint answered " + status + (code == null ? "" : ": " + code)
          + (message == null ? "" : " (" + message + ")")
          + (status == 401 || status == 403 ? ": the authorization token was refused; check the token file" : ""));
    }
  }

  /** Time to expiry and LastUpdated of what the client parsed: the same for both sources. */
  private void credentials(Credentials c) {
    Duration left = Duration.between(Instant.now(), c.expiration());
    String seen = "access key " + c.accessKeyHint() + ", expiring " + Timestamps.format(c.expiration())
        + (c.lastUpdated() == null ? "" : ", last updated " + Timestamps.format(c.lastUpdated()));
    if (left.isNegative() || left.isZero()) {
      fail(Reason.EXPIRED, "credentials", seen + ": EXPIRED " + Durations.human(left.negated().plusSeconds(1))
          + " ago; the service has not refreshed them (an outage?); --allow-expired would use them anyway");
    } else if (left.compareTo(SHORT_VALIDITY) < 0) {
      line("warn", "credentials", seen + ": only " + Durations.human(left) + " left (IMDS refreshes them well before expiry"
          + " as a rule: if this stays, the role's refresh is failing)");
    } else {
      line("ok", "credentials", seen + " (in " + Durations.human(left) + ")");
    }
  }

  private void reachable(Settings settings, URI uri, String fix) {
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    try {
      long ms = HttpLink.connectMillis(uri, deadline);
      line("ok", "reachable", "TCP connection in " + ms + " ms");
    } catch (ConnectException e) {
      fail(Reason.UNREACHABLE, "reachable", "connection refused: " + fix);
    } catch (SocketTimeoutException e) {
      fail(Reason.UNREACHABLE, "reachable", "no answer within " + Durations.human(settings.timeout()) + ": " + fix);
    } catch (java.net.UnknownHostException e) {
      fail(Reason.UNREACHABLE, "reachable", HttpLink.host(uri) + " does not resolve: check the name");
    } catch (HttpLink.ResolutionTimeout e) {
      fail(Reason.UNREACHABLE, "reachable", e.getMessage() + ": check the name and the resolver (/etc/resolv.conf)");
    } catch (IOException e) {
      fail(Reason.UNREACHABLE, "reachable", e.getClass().getSimpleName() + ": " + fix);
    }
  }

  /**
   * A step of the client: its failure is the FAIL line of the check the client had reached, with
   * what the client reported about it ({@link #explain}) or else its message, and the export's exit
   * code; the walk ends there.
   */
  private <T> T observe(Supplier<T> step) {
    try {
      return step.get();
    } catch (ImdsEnvException e) {
      fail(failureKind != null ? failureKind : e.reason(), check, failure != null ? failure : e.getMessage());
      return null;
    }
  }

  /** What a failing step's FAIL line says, and its exit code where doctor's differs from the export's (null: the same). */
  private void explain(Reason kind, String seen) {
    failureKind = kind;
    failure = seen;
  }

  private void fail(Reason kind, String name, String seen) {
    if (failed == 0) {
      firstFailure = ExitCodes.of(kind);
    }
    line("FAIL", name, seen);
    throw new Stop();
  }

  private void line(String status, String name, String seen) {
    switch (status) {
      case "ok" -> ok++;
      case "warn" -> warn++;
      case "FAIL" -> failed++;
      default -> { }
    }
    // what was seen quotes the endpoint (role names, Codes, Messages): escaped like stderr
    out.printf("%-4s  %-11s %s%n", status, name, Printable.escape(seen));
  }

  /** Ends the walk after a FAIL: the later checks depend on it. */
  private static final class Stop extends RuntimeException {
    Stop() {
      super(null, null, false, false);
    }
  }
}
