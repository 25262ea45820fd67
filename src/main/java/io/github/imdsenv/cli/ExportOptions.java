package io.github.imdsenv.cli;

import io.github.imdsenv.format.Variables;
import picocli.CommandLine.Option;

/** What to export besides the four credential variables, and whether expired credentials will do. */
public final class ExportOptions {

  @Option(names = "--region", description = "Also " + Variables.REGION + " and " + Variables.DEFAULT_REGION + ", from placement/region.")
  boolean region;

  @Option(names = "--account-id", description = "Also " + Variables.ACCOUNT_ID + ", where the metadata service gives one.")
  boolean accountId;

  @Option(names = "--security-token", description = "Also the legacy " + Variables.SECURITY_TOKEN + ".")
  boolean securityToken;

  @Option(names = "--allow-expired", description = "Use credentials that have already expired (with a warning).")
  boolean allowExpired;

  Variables.Extras extras() {
    return new Variables.Extras(securityToken, region, accountId);
  }
}
