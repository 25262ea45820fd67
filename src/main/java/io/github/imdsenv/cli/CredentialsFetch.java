package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.container.ContainerClient;
import io.github.imdsenv.credentials.CredentialSource;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.imds.ImdsClient;
import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/**
 * Fetches the credentials from the source the settings name and decides whether they may be used:
 * the part every command that hands out credentials shares (the export, exec, serve).
 */
final class CredentialsFetch {

  private CredentialsFetch() {}

  static CredentialSource source(Settings settings, Log log) {
    return settings.source() == SourceKind.CONTAINER
        ? ContainerClient.create(settings.container(), settings.budget(), log)
        : ImdsClient.create(settings.imds(), settings.budget(), log);
  }

  /**
   * The run's variables; expired credentials are refused unless {@code allowExpired} (then a
   * warning).
   */
  static Variables variables(Settings settings, VariableOptions wanted, PrintWriter err) {
    Variables.Extras extras = wanted.extras();
    boolean allowExpired = wanted.allowExpired();
    Log log = Log.create(settings.verbose());
    CredentialSource source = source(settings, log);
    Credentials c = source.credentials();
    log.debug(
        "credentials "
            + c.accessKeyHint()
            + " from "
            + source.describe()
            + ", expiring "
            + Variables.timestamp(c.expiration()));
    Instant now = Instant.now();
    if (!c.expiration().isAfter(now)) {
      String when =
          "expired at "
              + Variables.timestamp(c.expiration())
              + " ("
              + Durations.human(Duration.between(c.expiration(), now).plusSeconds(1))
              + " ago)";
      if (!allowExpired) {
        throw new ImdsEnvException(
            ImdsEnvException.Reason.EXPIRED,
            "the credentials from "
                + source.describe()
                + " "
                + when
                + ": the service has not refreshed them (an outage?); try again later, or pass --allow-expired to use them anyway");
      }
      if (!settings.quiet()) {
        Cli.warn(err, "the credentials " + when + "; using them because of --allow-expired");
      }
    }
    if (extras.accountId() && c.accountId() == null && !settings.quiet()) {
      Cli.warn(
          err,
          "--account-id: "
              + source.describe()
              + " gave no AccountId (IMDS gives it only on its"
              + " extended credentials path; -v shows which path answered); AWS_ACCOUNT_ID is not set");
    }
    String region =
        !extras.region()
            ? null
            : wanted.regionName() != null ? wanted.regionName() : source.region();
    return Variables.of(c, region, extras);
  }
}
