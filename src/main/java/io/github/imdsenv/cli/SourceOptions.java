package io.github.imdsenv.cli;

import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.EndpointMode;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options that say where credentials come from, shared by every command. */
public final class SourceOptions {

  @Option(
      names = OptionNames.ENDPOINT,
      paramLabel = "URL",
      description = "IMDS base URL (env " + Environment.ENDPOINT + "; default by --endpoint-mode).")
  String endpoint;

  @Option(
      names = OptionNames.ENDPOINT_MODE,
      paramLabel = "IPv4|IPv6",
      converter = ModeConverter.class,
      description =
          "http://169.254.169.254 or http://[fd00:ec2::254] (env "
              + Environment.ENDPOINT_MODE
              + "; default IPv4).")
  EndpointMode endpointMode;

  @Option(
      names = OptionNames.ROLE,
      paramLabel = "NAME",
      description =
          "Use this role instead of discovering it (env " + Environment.PROFILE_NAME + ").")
  String role;

  @Option(
      names = OptionNames.TIMEOUT,
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Per attempt, connect and read: 900ms, 2s, PT1S (env "
              + Environment.TIMEOUT
              + " in seconds; default 1s).")
  Duration timeout;

  @Option(
      names = OptionNames.ATTEMPTS,
      paramLabel = "N",
      description =
          "Attempts per request, for retryable failures (env "
              + Environment.NUM_ATTEMPTS
              + "; default 3).")
  Integer attempts;

  @Option(
      names = OptionNames.NO_IMDSV1,
      description = "Never fall back to IMDSv1 (env " + Environment.V1_DISABLED + "=true).")
  boolean noImdsv1;

  @Option(
      names = OptionNames.SOURCE,
      paramLabel = "auto|imds|container",
      converter = SourceConverter.class,
      description =
          "auto: the container endpoint when "
              + Environment.CONTAINER_RELATIVE_URI
              + " or _FULL_URI is set, else IMDS.")
  SourceKind source;

  @Option(
      names = {OptionNames.VERBOSE_SHORT, OptionNames.VERBOSE},
      description = "Diagnostics on stderr (never a secret).")
  boolean verbose;

  @Option(
      names = {OptionNames.QUIET_SHORT, OptionNames.QUIET},
      description = "No warnings on stderr; errors still show.")
  boolean quiet;

  /** What these options say, as parsed. */
  Settings.Flags values() {
    return new Settings.Flags(
        endpoint, endpointMode, role, timeout, attempts, noImdsv1, source, verbose, quiet);
  }

  /** The settings of this run: these options over the environment over the defaults. */
  Settings settings(Map<String, String> env) {
    return Settings.resolve(values(), env);
  }

  /**
   * A parser's IllegalArgumentException as picocli's conversion error: its message is the user's.
   */
  static <T> T convert(String value, Function<String, T> parser) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return SourceOptions.convert(value, Durations::parse);
    }
  }

  static final class ModeConverter implements ITypeConverter<EndpointMode> {
    @Override
    public EndpointMode convert(String value) {
      return SourceOptions.convert(value, EndpointMode::fromValue);
    }
  }

  static final class SourceConverter implements ITypeConverter<SourceKind> {
    @Override
    public SourceKind convert(String value) {
      return SourceOptions.convert(value, SourceKind::fromValue);
    }
  }
}
