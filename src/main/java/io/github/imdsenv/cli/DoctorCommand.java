package io.github.imdsenv.cli;

import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.Printable;
import io.github.imdsenv.container.ContainerClient;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.CredentialsParser;
import io.github.imdsenv.credentials.Timestamps;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.http.Requester;
import io.github.imdsenv.imds.ImdsClient;
import io.github.imdsenv.settings.Durations;
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
      if (settings.source() == Settings.SourceKind.CONTAINER) {
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
    Requester http = Requester.imds(settings.endpoint(), settings, log);

    HttpLink.Response put = quietly(() -> http.send("PUT", ImdsClient.TOKEN_PATH,
        "X-aws-ec2-metadata-token-ttl-seconds: " + ImdsClient.TOKEN_TTL_SECONDS + "\r\n", true));
    HttpLink.Response v1 = quietly(() -> http.send("GET", "/latest/meta-data/", "", false));
    boolean v1Answers = v1 != null && v1.status() == 200;
    String token = null;
    if (put != null && put.status() == 200 && !put.text().isBlank()) {
      token = put.text().trim();
      line("ok", "IMDSv2", "token received (TTL " + ImdsClient.TOKEN_TTL_SECONDS + " s)");
    } else if (put == null) {
      String seen = "the token request (PUT " + ImdsClient.TOKEN_PATH + ") timed out while GETs answer: ";
      if (v1Answers && !settings.v1Disabled()) {
        line("warn", "IMDSv2", seen + "imds-env falls back to IMDSv1; " + ImdsClient.HOP_LIMIT_FIX);
      } else {
        fail(Reason.NO_TOKEN, "IMDSv2", seen + ImdsClient.HOP_LIMIT_FIX);
      }
    } else if (put.status() == 403) {
      String seen = "the token request answered 403: IMDS is off for tokens, or the token API is disabled";
      if (v1Answers && !settings.v1Disabled()) {
        line("warn", "IMDSv2", seen + "; imds-env falls back to IMDSv1");
      } else {
        fail(Reason.NO_TOKEN, "IMDSv2", seen + " (`aws ec2 modify-instance-metadata-options --instance-id ID"
            + " --http-endpoint enabled --http-tokens required`)");
      }
    } else {
      String seen = "the token request answered " + put.status();
      if (v1Answers && !settings.v1Disabled()) {
        line("warn", "IMDSv2", seen + " (an IMDS without IMDSv2?); imds-env falls back to IMDSv1");
      } else {
        fail(Reason.NO_TOKEN, "IMDSv2", seen + " and IMDSv1 is not available: no way to read metadata");
      }
    }
    if (v1 == null) {
      line("warn", "IMDSv1", "a GET without token did not answer");
    } else if (v1.status() == 401) {
      line("ok", "IMDSv1", "off: the instance requires IMDSv2 tokens (recommended)");
    } else if (v1Answers) {
      line("ok", "IMDSv1", "allowed by the instance (tokens optional)"
          + (settings.v1Disabled() ? "; not used: --no-imdsv1 / " + Environment.V1_DISABLED : ""));
    } else {
      line("warn", "IMDSv1", "a GET without token answered " + v1.status());
    }
    if (token == null && !(v1Answers && !settings.v1Disabled())) {
      throw new Stop();
    }
    String header = token == null ? "" : "X-aws-ec2-metadata-token: " + token + "\r\n";

    String role = settings.role();
    if (role == null) {
      HttpLink.Response roles = check("role", () -> http.send("GET", ImdsClient.ROLES_PATH, header, false));
      if (roles.status() == 404 || roles.text().isBlank()) {
        fail(Reason.NO_ROLE, "role", "no instance profile is attached (" + ImdsClient.ROLES_PATH + " answered "
            + roles.status() + "): attach one with `aws ec2 associate-iam-instance-profile --instance-id ID"
            + " --iam-instance-profile Name=PROFILE`");
      } else if (roles.status() != 200) {
        fail(Reason.REFUSED, "role", ImdsClient.ROLES_PATH + " answered " + roles.status());
      }
      role = roles.text().trim().split("\n")[0].trim();
      if (!Settings.validRoleName(role)) {
        fail(Reason.BAD_ANSWER, "role", ImdsClient.ROLES_PATH + " lists '" + role + "', which is not a valid IAM role name");
      }
      line("ok", "role", role + " (instance profile attached)");
    } else {
      line("ok", "role", role + " (from --role / " + Environment.PROFILE_NAME + ")");
    }

    String name = role;
    HttpLink.Response creds = check("credentials",
        () -> http.sendOrLastStatus("GET", ImdsClient.EXTENDED_PATH + name, header));
    String path = ImdsClient.EXTENDED_PATH + name;
    // as the export does: any HTTP error but 401 leads to the legacy path, once
    if (creds.status() >= 400 && creds.status() != 401) {
      if (creds.status() != 404) {
        line("warn", "account", path + " answered " + creds.status() + ": imds-env falls back to the legacy path,"
            + " which gives no AccountId (--account-id sets nothing)");
      }
      path = ImdsClient.ROLES_PATH + name;
      String legacy = path;
      creds = check("credentials", () -> http.send("GET", legacy, header, false));
    }
    if (creds.status() == 404) {
      fail(Reason.ROLE_NOT_FOUND, "credentials", "the role '" + name + "' has no credentials here (404): check --role");
    } else if (creds.status() != 200) {
      fail(Reason.REFUSED, "credentials", path + " answered " + creds.status());
    }
    credentials(creds.body(), http.url(path));

    HttpLink.Response region = check("region", () -> http.send("GET", ImdsClient.REGION_PATH, header, false));
    if (region.status() == 200 && ImdsClient.validRegion(region.text().trim())) {
      line("ok", "region", region.text().trim() + " (from placement/region)");
    } else {
      fail(Reason.BAD_ANSWER, "region", ImdsClient.REGION_PATH + " answered " + region.status()
          + (region.status() == 200 ? " without a region name" : "") + ": --region cannot be used");
    }
  }

  private void container(Settings settings, Log log) {
    URI uri = settings.containerUri();
    line("ok", "source", "container credentials endpoint (" + settings.sourceReason() + ")");
    check("endpoint", () -> {
      ContainerClient.requireAllowedHost(uri, System.nanoTime() + settings.timeout().toNanos());
      return null;
    });
    line("ok", "endpoint", uri + " (an allowed host)");
    reachable(settings, uri, "run this inside the ECS task or EKS pod, and check the agent is running");
    String token = check("token", () -> ContainerClient.authorizationToken(settings));
    if (token != null) {
      line("ok", "token", "sent as Authorization (" + token.length() + " characters, from "
          + (settings.containerAuthTokenFile() != null ? settings.containerAuthTokenFile() : Environment.CONTAINER_TOKEN) + ")");
    } else if (env.get(Environment.CONTAINER_RELATIVE_URI) == null) {
      line("warn", "token", "none: EKS Pod Identity needs " + Environment.CONTAINER_TOKEN_FILE);
    } else {
      line("ok", "token", "none (an ECS task needs none)");
    }
    Requester http = Requester.container(uri, settings, log);
    HttpLink.Response r = check("credentials",
        () -> http.send("GET", "", token == null ? "" : "Authorization: " + token + "\r\n", false));
    if (r.status() / 100 != 2) {
      CredentialsParser.ErrorBody e = CredentialsParser.errorBody(r.body());
      fail(r.status() == 403 || r.status() == 401 ? Reason.REFUSED : Reason.BAD_ANSWER, "credentials",
          "the endpoint answered " + r.status() + (e.code() == null ? "" : ": " + e.code())
              + (e.message() == null ? "" : " (" + e.message() + ")")
              + (r.status() == 401 || r.status() == 403 ? ": the authorization token was refused; check the token file" : ""));
    }
    credentials(r.body(), uri.toString());
    if (settings.regionFromEnvironment() != null) {
      line("ok", "region", settings.regionFromEnvironment() + " (from " + Environment.REGION + " / " + Environment.DEFAULT_REGION + ")");
    } else {
      line("warn", "region", Environment.REGION + " is not set in this container: --region cannot be used");
    }
  }

  /** Parse, Code, time to expiry, LastUpdated: the same for both sources. */
  private void credentials(byte[] body, String url) {
    Credentials c = check("credentials", () -> CredentialsParser.parse(body, url));
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

  private interface Step<T> {
    T run();
  }

  /** A step whose failure is this check's FAIL line and ends the walk. */
  private <T> T check(String name, Step<T> step) {
    try {
      return step.run();
    } catch (ImdsEnvException e) {
      fail(e.reason(), name, e.getMessage());
      return null;
    }
  }

  /** A step whose failure is an answer too (null). */
  private static <T> T quietly(Step<T> step) {
    try {
      return step.run();
    } catch (ImdsEnvException e) {
      return null;
    }
  }

  private void fail(Reason reason, String name, String seen) {
    if (failed == 0) {
      firstFailure = ExitCodes.of(reason);
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
