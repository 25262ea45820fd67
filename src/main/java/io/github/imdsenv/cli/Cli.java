package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Printable;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.sink.Handoff;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** Builds the command line and turns every failure into one stderr line and an exit code. */
public final class Cli {

  private Cli() {}

  /** Runs imds-env with these arguments; returns the exit code. */
  public static int execute(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    return execute(args, env, out, err, null);
  }

  /**
   * As {@link #execute(String[], Map, PrintWriter, PrintWriter)}; with a {@code handoff} channel
   * (the launcher's, for exec), what the run would print on stdout goes through it instead, as sh.
   */
  public static int execute(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, Path handoff) {
    try {
      if (handoff == null) {
        return dispatch(args, env, out, err, null);
      }
      Handoff h = new Handoff(handoff, args);
      StringWriter stdout = new StringWriter();
      PrintWriter buffered = new PrintWriter(stdout);
      int code = dispatch(args, env, buffered, err, h);
      buffered.flush();
      return h.finish(code, stdout.toString(), err);
    } finally {
      // Main halts the JVM right after: nothing may stay in a buffer
      out.flush();
      err.flush();
    }
  }

  private static int dispatch(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, Handoff handoff) {
    Request fast = fastPath(args);
    if (fast != null) {
      try {
        // instanceof resolves the class it names: the export's, loaded by the export anyway
        return fast instanceof Request.Export export
            ? new ImdsEnvCommand(env).run(export, out, err)
            : new ExecCommand(env).handoff(handoff).run((Request.Exec) fast, out, err);
      } catch (Exception e) {
        return failure(e, err, fast.source().verbose());
      }
    }
    return commandLine(env, out, err, handoff, args).execute(args);
  }

  /**
   * The fast path: the everyday invocations ({@code imds-env [--endpoint URL] [-f FORMAT] [-o FILE]
   * ...} and {@code imds-env exec [OPTIONS] -- COMMAND...}) parsed without building picocli's model,
   * which costs more start-up than the whole rest of a run. Here, beside picocli's, and no class of
   * its own: one class fewer to load on every run.
   *
   * <p>It knows no option: it fills the objects picocli fills ({@link Settings.Flags}, {@link
   * VariableOptions}, {@link ImdsEnvCommand}'s own options) through their {@code set(name, value)},
   * and so yields the same {@link Request}. It accepts a strict subset of what picocli accepts
   * (FastPathTest walks picocli's model and a corpus through the very {@code CommandLine} built
   * here): anything else (help, version, other subcommands, clustered short options, {@code
   * @files}, a value that looks like an option, any value a converter rejects) returns null, and
   * picocli parses the arguments, with its messages for whatever is wrong.
   */
  static Request fastPath(String[] args) {
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
          // COMMAND's words as given, an @word too: picocli expands no @file for exec either
          // (commandLine)
          return new Request.Exec(flags, variables, Arrays.asList(args).subList(from, args.length));
        }
        int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
        if (eq > 0) {
          // an attached value is the option's, or the arguments are picocli's to judge
          if (!fastSet(flags, variables, root, arg.substring(0, eq), arg.substring(eq + 1))) {
            return null;
          }
          continue;
        }
        if (!arg.startsWith("--") && (arg.length() != 2 || arg.charAt(0) != '-')) {
          return null;
        }
        // the next word, unless it looks like an option or an @file, is the value of an option
        // that takes it; else the option stands bare (a flag, a bare --region)
        // (picocli also refuses a subcommand's name as the root's option value: -o exec)
        String next = i + 1 < args.length ? args[i + 1] : null;
        if (next != null
            && !next.startsWith("-")
            && !next.startsWith("@")
            && (exec || !isSubcommand(next))
            && fastSet(flags, variables, root, arg, next)) {
          i++;
        } else if (!fastSet(flags, variables, root, arg, null)) {
          return null;
        }
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return exec ? null : root.request(flags, variables);
  }

  /**
   * The root's subcommands, as {@link #commandLine} adds them (FastPathTest checks the two agree).
   */
  static boolean isSubcommand(String word) {
    switch (word) {
      case "exec", "doctor", "serve", "completion":
        return true;
      default:
        return false;
    }
  }

  /** Option {@code name} set to {@code value} in whichever object has it (null: bare). */
  private static boolean fastSet(
      Settings.Flags flags,
      VariableOptions variables,
      ImdsEnvCommand root,
      String name,
      String value) {
    return flags.set(name, value)
        || variables.set(name, value)
        || (root != null && root.set(name, value));
  }

  /**
   * The picocli model as it parses these arguments: what the fast path must match (FastPathTest).
   */
  static CommandLine commandLine(
      Map<String, String> env, PrintWriter out, PrintWriter err, Handoff handoff, String[] args) {
    CommandLine cl = commandLine(env, out, err, handoff);
    if (args.length > 0 && args[0].equals("exec")) {
      // and byte for byte: picocli would read an @file among COMMAND's words (curl -d @body.json)
      cl.setExpandAtFiles(false);
    }
    return cl;
  }

  /**
   * The full picocli model of imds-env, as help, errors and every other slow-path run see it; the
   * build generates the man page and the completions from this same model.
   */
  public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
    return commandLine(env, out, err, null);
  }

  private static CommandLine commandLine(
      Map<String, String> env, PrintWriter out, PrintWriter err, Handoff handoff) {
    CommandLine cl =
        new CommandLine(new ImdsEnvCommand(env))
            .addSubcommand(new ExecCommand(env).handoff(handoff))
            .addSubcommand(new DoctorCommand(env))
            .addSubcommand(new ServeCommand(env))
            .addSubcommand(new CompletionCommand())
            .setOut(out)
            .setErr(err)
            .setOverwrittenOptionsAllowed(true)
            .setParameterExceptionHandler(Cli::usageError)
            .setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> failure(e, err, verbose(parseResult)));
    CommandLine exec = cl.getSubcommands().get("exec");
    // everything after COMMAND is COMMAND's, even what looks like an option of ours
    exec.setStopAtPositional(true);
    for (CommandLine c : new CommandLine[] {cl, exec}) {
      c.getCommandSpec()
          .usageMessage()
          .exitCodeListHeading("%nExit codes:%n")
          .exitCodeList(ExitCodes.helpList())
          .footerHeading("%nEnvironment (a flag wins over its variable):%n")
          .footer(environmentHelp());
    }
    return cl;
  }

  /** The help's list of environment variables, from their one table. */
  private static String[] environmentHelp() {
    List<String> lines = new ArrayList<>();
    for (Environment.Variable v : Environment.TABLE) {
      lines.add("  " + v.name());
      lines.add(
          "      "
              + v.meaning()
              + (v.defaultValue() == null ? "" : "; default " + v.defaultValue()));
    }
    return lines.toArray(String[]::new);
  }

  /** The root's options are not the subcommand's: refuse them rather than ignore them. */
  static void rejectOptionsBefore(picocli.CommandLine.Model.CommandSpec spec) {
    if (!spec.parent().commandLine().getParseResult().matchedOptions().isEmpty()) {
      String name = spec.name();
      throw new ImdsEnvException(
          ImdsEnvException.Reason.USAGE,
          "options before '"
              + name
              + "' do not apply to it: write them"
              + " after it (imds-env "
              + name
              + " --endpoint URL"
              + (name.equals("exec") ? " -- COMMAND" : "")
              + ")");
    }
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println(
        "imds-env: "
            + shown(usageMessage(e, args))
            + " (see '"
            + cl.getCommandSpec().qualifiedName()
            + " --help')");
    err.flush();
    return ExitCodes.USAGE;
  }

  /** picocli's message, or one that says what was probably meant, where that can be told. */
  static String usageMessage(ParameterException e, String[] args) {
    CommandSpec spec = e.getCommandLine().getCommandSpec();
    if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String word = u.getUnmatched().get(0);
      int at = Arrays.asList(args).indexOf(word);
      if (at > 0 && args[at - 1].equals(VariableOptions.REGION)) {
        // a bare --region took none of it: the word was meant as its value
        return VariableOptions.REGION + ": " + VariableOptions.notARegion(word);
      }
      String name = u.isUnknownOption() ? word.replaceFirst("=.*", "") : word;
      String meant =
          Typo.closest(
              name, u.isUnknownOption() ? spec.optionsMap().keySet() : spec.subcommands().keySet());
      if (meant != null) {
        return (u.isUnknownOption() ? "unknown option '" : "unknown command '")
            + name
            + "'; did you mean '"
            + meant
            + "'?";
      }
    }
    if (e instanceof MissingParameterException m
        && spec.userObject() instanceof ExecCommand
        && m.getMissing().equals(spec.positionalParameters())) {
      return "exec needs the COMMAND to run: imds-env exec [OPTIONS] -- COMMAND [ARG...]";
    }
    return e.getMessage();
  }

  /** The one place an exception becomes a message and an exit code. */
  static int failure(Exception e, PrintWriter err, boolean verbose) {
    int code;
    boolean trace = verbose;
    if (e instanceof ImdsEnvException f) {
      code = ExitCodes.of(f.reason());
      trace = verbose && code != ExitCodes.USAGE;
      String hint = code == ExitCodes.USAGE ? " (see 'imds-env --help')" : "";
      err.println("imds-env: " + shown(f.getMessage()) + hint);
    } else {
      err.println(
          "imds-env: internal error: "
              + e.getClass().getName()
              + (verbose ? "" : " (run with -v for details)"));
      code = 1;
    }
    if (trace) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  private static boolean verbose(ParseResult parseResult) {
    for (CommandLine cl : parseResult.asCommandLineList()) {
      if (cl.getParseResult() != null
          && cl.getParseResult().hasMatchedOption(Settings.Flags.VERBOSE)) {
        return true;
      }
    }
    return false;
  }

  /** A warning line on stderr (not with -q: the caller decides). */
  static void warn(PrintWriter err, String message) {
    err.println("imds-env: warning: " + shown(message));
  }

  /**
   * A message as stderr shows it: one line, and anything an endpoint put into it that could act on
   * the terminal escaped (the messages quote Codes, Messages, header values).
   */
  private static String shown(String s) {
    return s == null ? "" : Printable.escape(s.replace('\n', ' ').replace('\r', ' '));
  }
}
