package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.imds.ImdsClient;
import io.github.imdsenv.imds.ImdsListener;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;

/**
 * Doctor's IMDS checks: the endpoint, doctor's TCP probe, the IMDS client's session, role,
 * credentials and region steps as it reports them, and doctor's own GET without a token.
 */
final class ImdsChecks {

  private final DoctorReport report;

  ImdsChecks(DoctorReport report) {
    this.report = report;
  }

  void run(Settings settings, Log log) {
    report.line("ok", "source", "IMDS (" + settings.sourceReason() + ")");
    report.line(
        "ok", "endpoint", settings.endpoint() + " (from " + settings.endpointOrigin() + ")");
    if (settings.imdsDisabled()) {
      report.fail(
          Reason.DISABLED,
          "endpoint",
          "IMDS is disabled by " + Environment.DISABLED + "=true: unset it");
    }
    report.reachable(
        settings,
        settings.endpoint(),
        "not an EC2 instance, or IMDS is disabled for it (`aws ec2 modify-instance-metadata-options"
            + " --instance-id ID --http-endpoint enabled`)");
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
      report.check("role");
    } else {
      report.line(
          "ok", "role", settings.role() + " (from --role / " + Environment.PROFILE_NAME + ")");
      report.check("credentials");
    }
    report.credentials(report.observe(client::credentials));
    report.check("region");
    report.line("ok", "region", report.observe(client::region) + " (from placement/region)");
  }

  /**
   * The IMDSv2 and IMDSv1 lines: the client's token step, and doctor's own GET without a token
   * ({@code v1}, -1: no answer).
   */
  private void session(ImdsSteps steps, ImdsEnvException noSession, int v1, boolean v1Disabled) {
    boolean viaV1 = steps.fellBack && v1 == 200;
    Reason kind = noSession != null ? noSession.reason() : Reason.UNREACHABLE;
    if (steps.ttlSeconds > 0) {
      report.line("ok", "IMDSv2", "token received (TTL " + steps.ttlSeconds + " s)");
    } else if (steps.tokenTimedOut) {
      String seen = "the token request (" + steps.tokenRequest + ") timed out while GETs answer: ";
      if (viaV1) {
        report.line(
            "warn", "IMDSv2", seen + "imds-env falls back to IMDSv1; " + ImdsClient.HOP_LIMIT_FIX);
      } else {
        report.fail(kind, "IMDSv2", seen + ImdsClient.HOP_LIMIT_FIX);
      }
    } else if (steps.tokenStatus == 403) {
      String seen =
          "the token request answered 403: IMDS is off for tokens, or the token API is disabled";
      if (viaV1) {
        report.line("warn", "IMDSv2", seen + "; imds-env falls back to IMDSv1");
      } else {
        report.fail(
            kind,
            "IMDSv2",
            seen
                + " (`aws ec2 modify-instance-metadata-options --instance-id ID"
                + " --http-endpoint enabled --http-tokens required`)");
      }
    } else if (viaV1) {
      report.line(
          "warn",
          "IMDSv2",
          "the token request answered "
              + steps.tokenStatus
              + " (an IMDS without IMDSv2?); imds-env falls back to IMDSv1");
    } else if (steps.fellBack) {
      report.fail(
          kind,
          "IMDSv2",
          "the token request answered "
              + steps.tokenStatus
              + " and IMDSv1 is not available: no way to read metadata");
    } else {
      // no token and no fallback: the client says why (a status no fallback follows, --no-imdsv1,
      // no answer)
      report.fail(kind, "IMDSv2", noSession.getMessage());
    }
    if (v1 < 0) {
      report.line("warn", "IMDSv1", "a GET without token did not answer");
    } else if (v1 == 401) {
      report.line("ok", "IMDSv1", "off: the instance requires IMDSv2 tokens (recommended)");
    } else if (v1 == 200) {
      report.line(
          "ok",
          "IMDSv1",
          "allowed by the instance (tokens optional)"
              + (v1Disabled ? "; not used: --no-imdsv1 / " + Environment.V1_DISABLED : ""));
    } else {
      report.line("warn", "IMDSv1", "a GET without token answered " + v1);
    }
  }

  /**
   * Doctor's lines from the IMDS client's steps; a step that fails leaves its explanation for
   * {@link DoctorReport#observe}.
   */
  private final class ImdsSteps implements ImdsListener {
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
        report.explain(null, path + " lists '" + name + "', which is not a valid IAM role name");
      } else if (!roleShown) {
        // a role listed again (it changed under the client) is not a second check
        roleShown = true;
        report.line("ok", "role", name + " (instance profile attached)");
        report.check("credentials");
      }
    }

    @Override
    public void noRole(String path, int status) {
      report.explain(
          null,
          "no instance profile is attached ("
              + path
              + " answered "
              + status
              + "): attach one with `aws ec2 associate-iam-instance-profile --instance-id ID"
              + " --iam-instance-profile Name=PROFILE`");
    }

    @Override
    public void extendedFellBack(String path, int status) {
      if (status != 404) {
        report.line(
            "warn",
            "account",
            path
                + " answered "
                + status
                + ": imds-env falls back to the legacy path,"
                + " which gives no AccountId (--account-id sets nothing)");
      }
    }

    @Override
    public void regionRefused(String path, int status) {
      // doctor's own verdict, as before: --region cannot be used with these credentials (exit 5)
      report.explain(
          Reason.BAD_ANSWER,
          path
              + " answered "
              + status
              + (status == 200 ? " without a region name" : "")
              + ": --region cannot be used");
    }
  }
}
