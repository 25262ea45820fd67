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
    Request fast = FastPath.parse(args);
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
