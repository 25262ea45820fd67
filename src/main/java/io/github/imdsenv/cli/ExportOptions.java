package io.github.imdsenv.cli;

import io.github.imdsenv.format.Variables;
import picocli.CommandLine.Option;

/**
 * What to export besides the four credential variables, and whether expired credentials will do.
 */
public final class ExportOptions {

  @Option(
      names = OptionNames.REGION,
      description =
          "Also "
              + Variables.REGION
              + " and "
              + Variables.DEFAULT_REGION
              + ", from placement/region.")
  boolean region;

  @Option(
      names = OptionNames.ACCOUNT_ID,
      description = "Also " + Variables.ACCOUNT_ID + ", where the metadata service gives one.")
  boolean accountId;

  @Option(
      names = OptionNames.SECURITY_TOKEN,
      description = "Also the legacy " + Variables.SECURITY_TOKEN + ".")
  boolean securityToken;

  @Option(
      names = OptionNames.ALLOW_EXPIRED,
      description = "Use credentials that have already expired (with a warning).")
  boolean allowExpired;

  /** What these options say, as parsed. */
  Request.Export values() {
    return new Request.Export(region, accountId, securityToken, allowExpired);
  }
}
