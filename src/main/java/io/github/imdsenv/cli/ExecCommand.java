package io.github.imdsenv.cli;

import io.github.imdsenv.format.Variables;
import io.github.imdsenv.sink.ChildProcess;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code imds-env exec -- COMMAND [ARG...]}: runs COMMAND with the credentials in its environment. */
@Command(name = "exec", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run COMMAND with the credentials added to its environment (never to its arguments).",
      "Inherited AWS_PROFILE and AWS_* credential variables are removed first. The exit status is COMMAND's.",
      "",
      "  imds-env exec -- docker run -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN IMAGE"})
final class ExecCommand implements Callable<Integer>, FastPath.Invocation {

  /** What an inherited environment may hold that would fight the credentials handed in. */
  static final List<String> SCRUBBED = List.of("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION");

  @Mixin SourceOptions source;

  @Mixin ExportOptions export;

  @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
  List<String> command;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;

  ExecCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Cli.rejectOptionsBefore(spec);
    return run(spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  @Override
  public boolean verbose() {
    return source.verbose;
  }

  /** What the arguments said, for comparing the two parsers. */
  record Parsed(io.github.imdsenv.settings.Settings settings, Variables.Extras extras, boolean allowExpired, List<String> command) {}

  Parsed parsed() {
    return new Parsed(source.settings(env), export.extras(), export.allowExpired, command);
  }

  /** Fetches, then runs the command; parsed by picocli or by {@link FastPath}. */
  @Override
  public int run(java.io.PrintWriter out, java.io.PrintWriter err) {
    Variables vars = Exporter.fetch(source.settings(env), export.extras(), export.allowExpired, err);
    Map<String, String> childEnv = new HashMap<>(env);
    childEnv.keySet().removeAll(SCRUBBED);
    for (int i = 0; i < vars.size(); i++) {
      childEnv.put(vars.name(i), vars.value(i));
    }
    return ChildProcess.run(command, childEnv);
  }
}
