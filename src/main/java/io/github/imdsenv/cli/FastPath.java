package io.github.imdsenv.cli;

import io.github.imdsenv.format.Format;
import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.EndpointMode;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The everyday invocations ({@code imds-env [--endpoint URL] [-f FORMAT] [-o FILE] ...} and {@code
 * imds-env exec [OPTIONS] -- COMMAND...}) parsed without building picocli's model, which costs more
 * start-up than the whole rest of a run.
 *
 * <p>It accepts a strict subset of what picocli accepts and yields the same {@link Request}: the
 * option names are {@link OptionNames}', and FastPathTest walks picocli's model (names, arity,
 * defaults, negatable forms) and a corpus through the very {@code CommandLine} that {@link Cli}
 * builds. Anything else (help, version, other subcommands, clustered short options, {@code @files},
 * a value that looks like an option, any value a converter rejects) returns null, and picocli
 * parses the arguments, with its messages for whatever is wrong.
 */
final class FastPath {

  private FastPath() {}

  /** The request these arguments make, or null to let picocli parse them. */
  static Request parse(String[] args) {
    boolean exec = args.length > 0 && args[0].equals("exec");
    String endpoint = null;
    EndpointMode endpointMode = null;
    String role = null;
    Duration timeout = null;
    Integer attempts = null;
    boolean noImdsv1 = false;
    SourceKind source = null;
    boolean verbose = false;
    boolean quiet = false;
    boolean region = false;
    String regionName = null;
    boolean accountId = false;
    boolean securityToken = false;
    boolean allowExpired = false;
    Format format = exec ? null : ImdsEnvCommand.DEFAULT_FORMAT;
    Path output = null;
    Duration minValidity = null;
    Set<PosixFilePermission> mode = null;
    String profileName = null;
    List<String> command = null;
    try {
      for (int i = exec ? 1 : 0; i < args.length; i++) {
        String arg = args[i];
        if (exec && (arg.equals("--") || !arg.startsWith("-"))) {
          // exec stops at its first positional: the rest is the command's
          int from = arg.equals("--") ? i + 1 : i;
          if (from >= args.length) {
            return null;
          }
          // COMMAND's words as given, an @word too: picocli expands no @file for exec either (Cli)
          command = Arrays.asList(args).subList(from, args.length);
          break;
        }
        String name = arg;
        String value = null;
        if (arg.startsWith("--")) {
          int eq = arg.indexOf('=');
          if (eq > 0) {
            name = arg.substring(0, eq);
            value = arg.substring(eq + 1);
          }
        } else if (arg.length() != 2 || arg.charAt(0) != '-') {
          return null;
        }
        switch (name) {
          // an optional value: a region name, attached or next; anything else is not its value
          case OptionNames.REGION -> {
            if (value == null && i + 1 < args.length && Settings.validRegionName(args[i + 1])) {
              value = args[++i];
            } else if (value != null && !Settings.validRegionName(value)) {
              return null;
            }
            region = true;
            regionName = value;
          }
          // flags (arity 0): a value attached with = is picocli's to judge
          case OptionNames.ACCOUNT_ID,
              OptionNames.SECURITY_TOKEN,
              OptionNames.ALLOW_EXPIRED,
              OptionNames.NO_IMDSV1,
              OptionNames.VERBOSE,
              OptionNames.VERBOSE_SHORT,
              OptionNames.QUIET,
              OptionNames.QUIET_SHORT -> {
            if (value != null) {
              return null;
            }
            switch (name) {
              case OptionNames.ACCOUNT_ID -> accountId = true;
              case OptionNames.SECURITY_TOKEN -> securityToken = true;
              case OptionNames.ALLOW_EXPIRED -> allowExpired = true;
              case OptionNames.NO_IMDSV1 -> noImdsv1 = true;
              case OptionNames.VERBOSE, OptionNames.VERBOSE_SHORT -> verbose = true;
              default -> quiet = true;
            }
          }
          default -> {
            // options with one value (arity 1)
            if (value == null) {
              if (++i >= args.length || args[i].startsWith("-") || args[i].startsWith("@")) {
                return null;
              }
              value = args[i];
            }
            switch (name) {
              case OptionNames.ENDPOINT -> endpoint = value;
              case OptionNames.ENDPOINT_MODE -> endpointMode = EndpointMode.fromValue(value);
              case OptionNames.ROLE -> role = value;
              case OptionNames.TIMEOUT -> timeout = Durations.parse(value);
              case OptionNames.ATTEMPTS -> attempts = digits(value);
              case OptionNames.SOURCE -> source = SourceKind.fromValue(value);
              default -> {
                if (exec) {
                  return null;
                }
                switch (name) {
                  case OptionNames.FORMAT, OptionNames.FORMAT_SHORT ->
                      format = Format.fromValue(value);
                  case OptionNames.OUTPUT, OptionNames.OUTPUT_SHORT -> output = Path.of(value);
                  case OptionNames.MIN_VALIDITY -> minValidity = Durations.parse(value);
                  case OptionNames.MODE -> mode = FileMode.parse(value).permissions();
                  case OptionNames.PROFILE_NAME -> profileName = value;
                  default -> {
                    return null;
                  }
                }
              }
            }
          }
        }
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (exec && command == null) {
      return null;
    }
    return new Request(
        new Settings.Flags(
            endpoint, endpointMode, role, timeout, attempts, noImdsv1, source, verbose, quiet),
        new Request.Export(region, regionName, accountId, securityToken, allowExpired),
        format,
        output,
        minValidity,
        mode,
        profileName,
        command);
  }

  /** Plain decimal digits only: the forms where every integer parser agrees. */
  private static int digits(String value) {
    if (value.isEmpty() || value.length() > 9 || (value.length() > 1 && value.charAt(0) == '0')) {
      throw new IllegalArgumentException(value);
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        throw new IllegalArgumentException(value);
      }
    }
    return Integer.parseInt(value);
  }
}
