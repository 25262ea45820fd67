package io.github.imdsenv.cli;

import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.Settings;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * What to export besides the four credential variables, and whether expired credentials will do.
 */
public final class ExportOptions {

  /**
   * The value {@link RegionValue} gives a bare {@code --region}: never a region name, nor anything
   * argv can hold.
   */
  static final String FROM_SOURCE = "\0";

  @Option(
      names = OptionNames.REGION,
      arity = "0..1",
      paramLabel = "REGION",
      preprocessor = RegionValue.class,
      converter = RegionConverter.class,
      description =
          "Also "
              + Variables.REGION
              + " and "
              + Variables.DEFAULT_REGION
              + ": REGION (--region us-east-1), or without it the instance's, from"
              + " placement/region (the container source: its "
              + Variables.REGION
              + ").")
  String region;

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
    return new Request.Export(
        region != null,
        FROM_SOURCE.equals(region) ? null : region,
        accountId,
        securityToken,
        allowExpired);
  }

  /**
   * --region's value: attached (--region=X) it is one whatever it is (the converter judges it);
   * apart, only a region name is (picocli would take any word, exec's COMMAND too); else the bare
   * option's {@link #FROM_SOURCE}, pushed for picocli to take as the value.
   */
  static final class RegionValue implements IParameterPreprocessor {
    @Override
    public boolean preprocess(
        Stack<String> args, CommandSpec spec, ArgSpec option, Map<String, Object> info) {
      boolean attached = !" ".equals(info.get("separator"));
      if (!attached && (args.isEmpty() || !Settings.validRegionName(args.peek()))) {
        args.push(FROM_SOURCE);
      }
      return false;
    }
  }

  /** A region name, or a bare --region's {@link #FROM_SOURCE}; --region=WORD is refused. */
  static final class RegionConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!value.equals(FROM_SOURCE) && !Settings.validRegionName(value)) {
        throw new TypeConversionException(notARegion(value));
      }
      return value;
    }
  }

  static String notARegion(String value) {
    return "'" + value + "' is not a region name (such as us-east-1 or us-gov-west-1)";
  }
}
