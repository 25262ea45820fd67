package io.github.imdsenv.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imds-env completion}: a bash (and zsh) completion script. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {"Print a bash/zsh completion script.", "", "  " + Recipes.COMPLETION})
final class CompletionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String script = AutoComplete.bash("imds-env", spec.parent().commandLine());
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
