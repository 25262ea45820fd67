package io.github.imdsenv.cli;

import io.github.imdsenv.settings.Settings;
import java.util.Arrays;
import java.util.Map;

/**
 * The everyday invocations ({@code imds-env [--endpoint URL] [-f FORMAT] [-o FILE] ...} and {@code
 * imds-env exec [OPTIONS] -- COMMAND...}) parsed without building picocli's model, which costs more
 * start-up than the whole rest of a run.
 *
 * <p>It knows no option: it fills the objects picocli fills ({@link Settings.Flags}, {@link
 * VariableOptions}, {@link ImdsEnvCommand}'s own options) through their {@code set(name, value)},
 * and so yields the same {@link Request}. It accepts a strict subset of what picocli accepts
 * (FastPathTest walks picocli's model and a corpus through the very {@code CommandLine} that {@link
 * Cli} builds): anything else (help, version, other subcommands, clustered short options, {@code
 * @files}, a value that looks like an option, any value a converter rejects) returns null, and
 * picocli parses the arguments, with its messages for whatever is wrong.
 */
final class FastPath {

  private FastPath() {}

  /** The request these arguments make, or null to let picocli parse them. */
  static Request parse(String[] args) {
    boolean exec = args.length > 0 && args[0].equals("exec");
    Settings.Flags flags = Settings.Flags.none();
    VariableOptions variables = new VariableOptions();
    // the root's own options; exec has none (the root's are refused there, as picocli does)
    ImdsEnvCommand root = exec ? null : new ImdsEnvCommand(Map.of());
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
          return new Request.Exec(flags, variables, Arrays.asList(args).subList(from, args.length));
        }
        String name = arg;
        if (arg.startsWith("--") && arg.indexOf('=') > 0) {
          // an attached value is the option's, or the arguments are picocli's to judge
          int eq = arg.indexOf('=');
          name = arg.substring(0, eq);
          if (!set(flags, variables, root, name, arg.substring(eq + 1))) {
            return null;
          }
          continue;
        }
        if (!arg.startsWith("--") && (arg.length() != 2 || arg.charAt(0) != '-')) {
          return null;
        }
        // the next word, unless it looks like an option or an @file, is the value of an option
        // that takes it; else the option stands bare (a flag, a bare --region)
        String next = i + 1 < args.length ? args[i + 1] : null;
        if (next != null
            && !next.startsWith("-")
            && !next.startsWith("@")
            && set(flags, variables, root, name, next)) {
          i++;
        } else if (!set(flags, variables, root, name, null)) {
          return null;
        }
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return exec ? null : root.request(flags, variables);
  }

  /** Option {@code name} set to {@code value} in whichever object has it (null: bare). */
  private static boolean set(
      Settings.Flags flags,
      VariableOptions variables,
      ImdsEnvCommand root,
      String name,
      String value) {
    return flags.set(name, value)
        || variables.set(name, value)
        || (root != null && root.set(name, value));
  }
}
