package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.imds.ImdsClient;
import io.github.imdsenv.imds.ImdsListener;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;

/**
 * Doctor's IMDS checks: the endpoint, doctor's TCP probe, then the IMDS client's session, role,
 * credentials and region steps as it reports them: doctor judges with the export's own requests.
 * Its one request of its own is a GET without a token, when the session holds one (IMDSv1 still
 * served is a warning: Security Hub control EC2.8).
 */
final class ImdsChecks {

  private final DoctorReport report;

  ImdsChecks(DoctorReport report) {
    this.report = report;
  }

  void run(Settings settings, Log log) {
    report.line("ok", "source", "IMDS (" + settings.sourceReason() + ")");
    report.line(
        "ok",
        "endpoint",
        settings.imds().endpoint() + " (from " + settings.imds().endpointOrigin() + ")");
    if (settings.imds().disabled()) {
      report.fail(
          Reason.DISABLED,
          "endpoint",
          "IMDS is disabled by " + Environment.DISABLED + "=true: unset it");
    }
    report.reachable(
        settings.budget().timeout(),
        settings.imds().endpoint(),
        "not an EC2 instance, or IMDS is disabled for it (`aws ec2 modify-instance-metadata-options"
            + " --instance-id ID --http-endpoint enabled`)");
    ImdsSteps steps = new ImdsSteps(settings);
    ImdsClient client = ImdsClient.create(settings.imds(), settings.budget(), log, steps);
    // the session as the export starts it: a token, or the IMDSv1 fallback, or the export's error
    report.check("IMDSv2");
    report.observe(
        () -> {
          client.startSession();
          return null;
        });
    if (steps.ttlSeconds > 0) {
      report.line("ok", "IMDSv2", "token received (TTL " + steps.ttlSeconds + " s)");
      imdsV1(client.statusWithoutToken(), settings.imds().v1Disabled());
      steps.sessionChecked();
    }
    // else it fell back: the export's first GET, without a token, tells whether IMDSv1 works
    // (ImdsSteps); one that gets no answer at all fails under IMDSv2 with the client's message
    report.credentials(report.observe(client::credentials));
    report.check("region");
    report.line("ok", "region", report.observe(client::region) + " (from placement/region)");
  }

  /** Security Hub's control for instances that still answer IMDSv1, and its fix. */
  static final String REQUIRE_TOKENS =
      "Security Hub control EC2.8: require tokens with `aws ec2 modify-instance-metadata-options"
          + " --instance-id ID --http-tokens required`";

  /**
   * The IMDSv1 line once the session holds a token: doctor's one GET of its own, without a token
   * ({@code status}; -1: no answer).
   */
  private void imdsV1(int status, boolean v1Disabled) {
    String asked = "a GET of " + ImdsClient.pathWithoutToken() + " without a token answered ";
    if (status == 401) {
      report.line("ok", "IMDSv1", "off: the instance requires IMDSv2 tokens (recommended)");
    } else if (status == 200 || status == 404) {
      report.line(
          "warn",
          "IMDSv1",
          "still on: "
              + asked
              + status
              + (v1Disabled
                  ? " (imds-env does not use it: --no-imdsv1 / " + Environment.V1_DISABLED + ")"
                  : "")
              + "; "
              + REQUIRE_TOKENS);
    } else if (status < 0) {
      report.line("warn", "IMDSv1", "a GET without a token did not answer");
    } else {
      report.line("warn", "IMDSv1", asked + status);
    }
  }

  /**
   * Doctor's lines from the IMDS client's steps; a step that fails leaves its explanation for
   * {@link DoctorReport#observe}.
   */
  private final class ImdsSteps implements ImdsListener {
    private final Settings settings;
    int ttlSeconds;
    private boolean tokenTimedOut;
    private int tokenStatus;
    private boolean answeredWithoutToken;
    private boolean roleShown;

    ImdsSteps(Settings settings) {
      this.settings = settings;
    }

    @Override
    public void tokenReceived(int ttlSeconds) {
      this.ttlSeconds = ttlSeconds;
    }

    @Override
    public void tokenTimedOut(String request) {
      tokenTimedOut = true;
    }

    @Override
    public void tokenRefused(String request, int status) {
      tokenStatus = status;
    }

    /** The fallback's first GET tells whether IMDSv1 works: the IMDSv2 and IMDSv1 lines then. */
    @Override
    public void answeredWithoutToken(String path, int status) {
      if (answeredWithoutToken) {
        return;
      }
      answeredWithoutToken = true;
      if (status == 401) {
        // the client fails now, as the export does: the FAIL is the token's
        report.check("IMDSv2");
        report.explain(
            null,
            tokenSeen()
                + (tokenTimedOut
                    ? ": " + ImdsClient.HOP_LIMIT_FIX
                    : "; IMDSv1 is off too ("
                        + path
                        + " answered 401 without a token): no way to read metadata"));
        return;
      }
      report.line(
          "warn",
          "IMDSv2",
          tokenSeen()
              + ": imds-env falls back to IMDSv1"
              + (tokenTimedOut ? "; " + ImdsClient.HOP_LIMIT_FIX : ""));
      report.line(
          "warn",
          "IMDSv1",
          "in use: "
              + path
              + " answered "
              + status
              + " without a token; "
              + REQUIRE_TOKENS
              + (tokenTimedOut ? ", once the hop limit is raised" : ""));
      sessionChecked();
    }

    /** What the token request met. */
    private String tokenSeen() {
      return tokenTimedOut
          ? "the token request (PUT /latest/api/token) timed out while GETs answer"
          : tokenStatus == 403
              ? "the token request answered 403: IMDS is off for tokens, or the token API is"
                  + " disabled"
              : "the token request answered " + tokenStatus + " (an IMDS without IMDSv2?)";
    }

    /** The session is judged: the role's check comes next (the named role's line, if any). */
    void sessionChecked() {
      if (settings.imds().role() == null) {
        report.check("role");
      } else {
        report.line(
            "ok",
            "role",
            settings.imds().role() + " (from --role / " + Environment.PROFILE_NAME + ")");
        report.check("credentials");
      }
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
