package io.github.imdsenv.cli;

import io.github.imdsenv.format.Format;
import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.Settings.EndpointMode;
import io.github.imdsenv.settings.Settings.SourceKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;

/**
 * The everyday invocations ({@code imds-env [--endpoint URL] [-f FORMAT] [-o FILE] ...} and
 * {@code imds-env exec [OPTIONS] -- COMMAND...}) parsed without building picocli's model, which
 * costs more start-up than the whole rest of a run.
 *
 * <p>It accepts a strict subset of what picocli accepts and yields the same command state (a test
 * compares the two on a corpus). Anything else (help, version, other subcommands, clustered short
 * options, {@code @files}, a value that looks like an option, any value a converter rejects)
 * returns null, and picocli parses the arguments, with its messages for whatever is wrong.
 */
final class FastPath {

  private FastPath() {}

  /** A parsed command, ready to run. */
  interface Invocation {
    int run(PrintWriter out, PrintWriter err);

    boolean verbose();
  }

  /** The command with these arguments applied, or null to let picocli parse them. */
  static Invocation parse(String[] args, Map<String, String> env) {
    boolean exec = args.length > 0 && args[0].equals("exec");
    SourceOptions src = new SourceOptions();
    ExportOptions export = new ExportOptions();
    ImdsEnvCommand root = exec ? null : new ImdsEnvCommand(env);
    ExecCommand execCommand = exec ? new ExecCommand(env) : null;
    if (exec) {
      execCommand.source = src;
      execCommand.export = export;
    } else {
      root.source = src;
      root.export = export;
    }
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
          execCommand.command = new ArrayList<>(Arrays.asList(args).subList(from, args.length));
          return execCommand;
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
        boolean flag = value == null;
        switch (name) {
          case "--region" -> export.region = flag;
          case "--account-id" -> export.accountId = flag;
          case "--security-token" -> export.securityToken = flag;
          case "--allow-expired" -> export.allowExpired = flag;
          case "--no-imdsv1" -> src.noImdsv1 = flag;
          case "-v", "--verbose" -> src.verbose = flag;
          case "-q", "--quiet" -> src.quiet = flag;
          default -> {
            if (value == null) {
              if (++i >= args.length || args[i].startsWith("-") || args[i].startsWith("@")) {
                return null;
              }
              value = args[i];
            }
            if (!sourceOption(src, name, value) && (root == null || !rootOption(root, name, value))) {
              return null;
            }
          }
        }
        if (!flag && isBoolean(name)) {
          return null;
        }
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return root;
  }

  private static boolean isBoolean(String name) {
    return switch (name) {
      case "--region", "--account-id", "--security-token", "--allow-expired", "--no-imdsv1", "--verbose", "--quiet" -> true;
      default -> false;
    };
  }

  /** Applies a source option; false for a name it does not know. Converters throw IllegalArgumentException. */
  private static boolean sourceOption(SourceOptions src, String name, String value) {
    switch (name) {
      case "--endpoint" -> src.endpoint = value;
      case "--endpoint-mode" -> src.endpointMode = EndpointMode.fromValue(value);
      case "--role" -> src.role = value;
      case "--timeout" -> src.timeout = Durations.parse(value);
      case "--attempts" -> src.attempts = digits(value);
      case "--source" -> src.source = SourceKind.fromValue(value);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** Applies an option of the root command alone; false for a name it does not know. */
  private static boolean rootOption(ImdsEnvCommand cmd, String name, String value) {
    switch (name) {
      case "-f", "--format" -> cmd.format = Format.fromValue(value);
      case "-o", "--output" -> cmd.output = Path.of(value);
      case "--min-validity" -> cmd.minValidity = Durations.parse(value);
      case "--mode" -> cmd.mode = ImdsEnvCommand.mode(value);
      case "--profile-name" -> cmd.profileName = value;
      default -> {
        return false;
      }
    }
    return true;
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
