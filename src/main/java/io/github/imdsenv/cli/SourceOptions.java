package io.github.imdsenv.cli;

import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.EndpointMode;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.Settings.Flags;
import io.github.imdsenv.settings.SourceKind;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The options that say where credentials come from, shared by every command: picocli's declaration
 * of {@link Settings.Flags}, whose names and fast-path table are there.
 */
public final class SourceOptions {

  @Option(
      names = Flags.ENDPOINT,
      paramLabel = "URL",
      description = "IMDS base URL (env " + Environment.ENDPOINT + "; default by --endpoint-mode).")
  String endpoint;

  @Option(
      names = Flags.ENDPOINT_MODE,
      paramLabel = "IPv4|IPv6",
      converter = EndpointModeConverter.class,
      description =
          "http://169.254.169.254 or http://[fd00:ec2::254] (env "
              + Environment.ENDPOINT_MODE
              + "; default IPv4).")
  EndpointMode endpointMode;

  @Option(
      names = Flags.ROLE,
      paramLabel = "NAME",
      description =
          "Use this role instead of discovering it (env " + Environment.PROFILE_NAME + ").")
  String role;

  @Option(
      names = Flags.TIMEOUT,
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Per attempt, connect and read: 900ms, 2s, PT1S (env "
              + Environment.TIMEOUT
              + " in seconds; default 1s).")
  Duration timeout;

  @Option(
      names = Flags.ATTEMPTS,
      paramLabel = "N",
      description =
          "Attempts per request, for retryable failures (env "
              + Environment.NUM_ATTEMPTS
              + "; default 3).")
  Integer attempts;

  @Option(
      names = Flags.NO_IMDSV1,
      description = "Never fall back to IMDSv1 (env " + Environment.V1_DISABLED + "=true).")
  boolean noImdsv1;

  @Option(
      names = Flags.SOURCE,
      paramLabel = "auto|imds|container",
      converter = SourceConverter.class,
      description =
          "auto: the container endpoint when "
              + Environment.CONTAINER_RELATIVE_URI
              + " or _FULL_URI is set, else IMDS.")
  SourceKind source;

  @Option(
      names = {Flags.VERBOSE_SHORT, Flags.VERBOSE},
      description = "Diagnostics on stderr (never a secret).")
  boolean verbose;

  @Option(
      names = {Flags.QUIET_SHORT, Flags.QUIET},
      description = "No warnings on stderr; errors still show.")
  boolean quiet;

  /** What these options say, as parsed. */
  Flags flags() {
    return Flags.none()
        .endpoint(endpoint)
        .endpointMode(endpointMode)
        .role(role)
        .timeout(timeout)
        .attempts(attempts)
        .noImdsv1(noImdsv1)
        .source(source)
        .verbose(verbose)
        .quiet(quiet);
  }

  /** The settings of this run: these options over the environment over the defaults. */
  Settings settings(Map<String, String> env) {
    return Settings.resolve(flags(), env);
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

  static final class EndpointModeConverter implements ITypeConverter<EndpointMode> {
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
