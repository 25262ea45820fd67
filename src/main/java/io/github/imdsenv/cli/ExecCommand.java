package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.sink.Handoff;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code imds-env exec -- COMMAND [ARG...]}: COMMAND with the credentials in its environment. The
 * launcher execs COMMAND itself (an execve: nothing of ours stays); this only fetches and hands the
 * environment over ({@link Handoff}). Run from the jar alone, without the launcher, it refuses.
 */
@Command(
    name = "exec",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Replace imds-env with COMMAND (an execve), the credentials added to its environment (never to"
          + " its arguments).",
      "Inherited "
          + Environment.PROFILE
          + ", "
          + Environment.DEFAULT_PROFILE
          + ", "
          + Variables.ACCOUNT_ID
          + " (unless --account-id sets it) and AWS_* credential"
          + " variables are removed first. COMMAND keeps the caller's PID, terminal and signals; the exit status is"
          + " COMMAND's (127/126: not found/not executable). When the credentials cannot be had, COMMAND never starts."
          + " Needs the launcher (scripts/imds-env), not java -jar.",
      "",
      "  " + Recipes.EXEC_AWS,
      "",
      "More recipes: man imds-env, EXAMPLES."
    })
final class ExecCommand implements Callable<Integer> {

  /**
   * What an inherited environment may hold that would fight the credentials handed in (the export
   * sets some again).
   */
  static final List<String> SCRUBBED =
      List.of(
          Environment.PROFILE,
          Environment.DEFAULT_PROFILE,
          Variables.ACCESS_KEY_ID,
          Variables.SECRET_ACCESS_KEY,
          Variables.SESSION_TOKEN,
          Variables.SECURITY_TOKEN,
          Variables.EXPIRATION,
          Variables.ACCOUNT_ID);

  @Mixin SourceOptions source;

  @Mixin VariableOptions variables;

  @Parameters(
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "The command and its arguments.")
  List<String> command;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;

  /** The launcher's channel; null when run from the jar alone. */
  private Handoff handoff;

  ExecCommand(Map<String, String> env) {
    this.env = env;
  }

  ExecCommand handoff(Handoff handoff) {
    this.handoff = handoff;
    return this;
  }

  @Override
  public Integer call() {
    Cli.rejectOptionsBefore(spec);
    return run(request(), spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** What picocli parsed into the annotated fields. */
  Request.Exec request() {
    return new Request.Exec(source.flags(), variables, command);
  }

  /**
   * Fetches, then hands the environment to the launcher; parsed by picocli or by {@link
   * Cli#fastPath}.
   */
  int run(Request.Exec request, java.io.PrintWriter out, java.io.PrintWriter err) {
    if (handoff == null) {
      // a JVM that ran COMMAND as its child would stay resident and stand between COMMAND and its
      // signals
      throw new ImdsEnvException(
          ImdsEnvException.Reason.USAGE,
          "exec needs the launcher (scripts/imds-env), which replaces"
              + " itself with COMMAND; the jar alone cannot: run imds-env exec, not java -jar imds-env.jar exec");
    }
    int shift = handoff.shift(request.command());
    Settings settings = Settings.resolve(request.source(), env);
    handoff.exec(shift, SCRUBBED, CredentialsFetch.variables(settings, request.variables(), err));
    return 0;
  }
}
