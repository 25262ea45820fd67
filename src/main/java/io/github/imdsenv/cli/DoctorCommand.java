package io.github.imdsenv.cli;

import io.github.imdsenv.Log;
import io.github.imdsenv.serve.EcsAgent;
import io.github.imdsenv.serve.Listen;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code imds-env doctor}: walks the path to credentials one check at a time and says, for each,
 * what it saw and how to fix it. Never prints a secret: the access key's last four characters and
 * the time left at most.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Check the way to the credentials, one line a check: ok, warn or FAIL, what was seen, and the"
          + " fix; on a host using IMDS, a last line says whether an imds-env serve answers its"
          + " containers at 169.254.170.2:80 (info or warn: a host needs none).",
      "Exit 0 when nothing failed (a warning does not fail); else the exit code of the first"
          + " failure (2: a setting, 3, 4 or 5)."
    })
final class DoctorCommand implements Callable<Integer> {

  @Mixin SourceOptions source;

  @Spec CommandSpec spec;

  private final Map<String, String> env;

  DoctorCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Cli.rejectOptionsBefore(spec);
    DoctorReport report = new DoctorReport(spec.commandLine().getOut());
    try {
      // a bad value (an endpoint's port out of range, say) is doctor's first FAIL, exit 2
      report.check("settings");
      Settings settings = report.observe(() -> source.settings(env));
      Log log = Log.create(settings.verbose());
      if (settings.source() == SourceKind.CONTAINER) {
        new ContainerChecks(report, env, Listen.DEFAULT.socketAddress()).run(settings, log);
      } else {
        new ImdsChecks(report).run(settings, log);
        // on the host: does an imds-env serve answer its containers?
        new ServeChecks(report, Listen.DEFAULT.socketAddress(), EcsAgent::detect)
            .run(settings.budget().timeout());
      }
    } catch (DoctorReport.Stop stop) {
      report.line("skip", "rest", "not checked: fix the failure above first");
    }
    return report.finish();
  }
}
