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
 * The options that say which variables to export besides the four credential variables, and whether
 * expired credentials will do: picocli's fields and the fast path's {@link #set}, one object,
 * carried as it is in the export's and exec's {@link Request}.
 */
public final class VariableOptions {

  static final String REGION = "--region";
  static final String ACCOUNT_ID = "--account-id";
  static final String SECURITY_TOKEN = "--security-token";
  static final String ALLOW_EXPIRED = "--allow-expired";

  /**
   * The value {@link RegionValue} gives a bare {@code --region}: never a region name, nor anything
   * argv can hold.
   */
  static final String FROM_SOURCE = "\0";

  @Option(
      names = REGION,
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
      names = ACCOUNT_ID,
      description = "Also " + Variables.ACCOUNT_ID + ", where the metadata service gives one.")
  boolean accountId;

  @Option(names = SECURITY_TOKEN, description = "Also the legacy " + Variables.SECURITY_TOKEN + ".")
  boolean securityToken;

  @Option(
      names = ALLOW_EXPIRED,
      description = "Use credentials that have already expired (with a warning).")
  boolean allowExpired;

  /**
   * The fast path's way in: sets option {@code name} to {@code value} (null: given without one) and
   * returns true, or returns false when {@code name} is no option here or does not take {@code
   * value} so (a word that is no region name is not --region's), and changes nothing.
   */
  boolean set(String name, String value) {
    if (value == null) {
      switch (name) {
        case REGION -> region = FROM_SOURCE;
        case ACCOUNT_ID -> accountId = true;
        case SECURITY_TOKEN -> securityToken = true;
        case ALLOW_EXPIRED -> allowExpired = true;
        default -> {
          return false;
        }
      }
      return true;
    }
    if (name.equals(REGION) && Settings.validRegionName(value)) {
      region = value;
      return true;
    }
    return false;
  }

  /** The variables asked for besides the credentials. */
  Variables.Extras extras() {
    return new Variables.Extras(securityToken, region != null, accountId);
  }

  /** The value of {@code --region REGION}; null for a bare --region (the source's) or none. */
  String regionName() {
    return FROM_SOURCE.equals(region) ? null : region;
  }

  boolean allowExpired() {
    return allowExpired;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VariableOptions v
        && java.util.Objects.equals(region, v.region)
        && accountId == v.accountId
        && securityToken == v.securityToken
        && allowExpired == v.allowExpired;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(region, accountId, securityToken, allowExpired);
  }

  @Override
  public String toString() {
    return "VariableOptions[region="
        + (FROM_SOURCE.equals(region) ? "(the source's)" : region)
        + ", accountId="
        + accountId
        + ", securityToken="
        + securityToken
        + ", allowExpired="
        + allowExpired
        + "]";
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
