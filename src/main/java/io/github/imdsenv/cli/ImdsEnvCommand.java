package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.sink.EnvFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imds-env}: prints the instance role's credentials in one format, and nothing on failure. */
@Command(
    name = "imds-env",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Print the IAM role credentials of this EC2 instance (from its metadata service) as environment variables.",
      "",
      "  creds=$(imds-env) || exit; eval \"$creds\"",
      "  vars=$(imds-env -f env-no-export) || exit",
      "  docker run --env-file <(printf '%%s\\n' \"$vars\") IMAGE      # bash",
      "",
      "The output goes into a variable first: the status of a bare eval \"$(imds-env)\" is lost on failure.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:unexpected internal error",
      "2:usage error",
      "3:metadata service unreachable, disabled, timed out, or kept failing",
      "4:no role / instance profile attached, or the named role not found",
      "5:the service answered, but not with usable credentials",
      "6:the output file could not be written (it is left as it was)",
    })
public final class ImdsEnvCommand implements Callable<Integer>, FastPath.Invocation {

  @Mixin SourceOptions source;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", converter = FormatConverter.class,
      completionCandidates = FormatCandidates.class,
      description = "env (default), env-no-export (docker-env), fish, powershell, windows-cmd, process, json, ini, docker-args.")
  Format format = Format.ENV;

  @Mixin ExportOptions export;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Write FILE atomically (owner-only, fsynced, renamed into place) instead of stdout; on failure FILE stays as it was.")
  Path output;

  @Option(names = "--min-validity", paramLabel = "DURATION", converter = SourceOptions.DurationConverter.class,
      description = "With -o: when FILE holds credentials valid for longer than DURATION, fetch nothing and leave it.")
  Duration minValidity;

  @Option(names = "--profile-name", paramLabel = "NAME",
      description = "The profile of -f ini (default: default); with -o, only that section of FILE is replaced.")
  String profileName;

  @Spec CommandSpec spec;

  private final Map<String, String> env;

  public ImdsEnvCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    return run(spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  @Override
  public boolean verbose() {
    return source.verbose;
  }

  /** The export itself, once the arguments are parsed (by picocli or by {@link FastPath}). */
  @Override
  public int run(PrintWriter out, PrintWriter err) {
    Settings settings = source.settings(env);
    validate();
    String profile = profileName == null ? "default" : profileName;
    Variables.Extras extras = export.extras();
    if (output == null) {
      String text = format.render(variables(settings, extras, err), profile, null);
      // stdout is written once, at the very end: a failure above leaves it empty
      out.print(text);
      out.flush();
      if (out.checkError()) {
        throw new ImdsEnvException(ImdsEnvException.Kind.OUTPUT, "cannot write to stdout (closed, or a broken pipe)");
      }
      return 0;
    }
    Log log = Log.create(settings.verbose());
    try (EnvFile file = EnvFile.lock(output)) {
      String existing = file.read();
      if (minValidity != null && existing != null) {
        Instant until = format.validUntil(existing, profile, Variables.namesOnly(extras));
        Duration left = until == null ? null : Duration.between(Instant.now(), until);
        if (left != null && left.compareTo(minValidity) > 0) {
          log.debug(output + " holds credentials valid for " + Durations.human(left) + " more, over --min-validity "
              + Durations.human(minValidity) + ": nothing fetched, the file left as it is");
          return 0;
        }
        log.debug(output + (left == null ? " holds no readable credentials" : " holds credentials valid for only "
            + (left.isNegative() ? "0s" : Durations.human(left))) + ": fetching");
      }
      file.replace(format.render(variables(settings, extras, err), profile, existing));
      log.debug("wrote " + output);
    }
    return 0;
  }

  private Variables variables(Settings settings, Variables.Extras extras, PrintWriter err) {
    return format.needsValues() ? Exporter.fetch(settings, extras, export.allowExpired, err) : Variables.namesOnly(extras);
  }

  /** The rules between options, in one place. */
  private void validate() {
    if (minValidity != null && output == null) {
      throw new ImdsEnvException(ImdsEnvException.Kind.USAGE, "--min-validity needs --output FILE");
    }
    if (profileName != null && format != Format.INI) {
      throw new ImdsEnvException(ImdsEnvException.Kind.USAGE, "--profile-name goes with -f ini");
    }
    if (profileName != null && !Format.validProfileName(profileName)) {
      throw new ImdsEnvException(ImdsEnvException.Kind.USAGE, "--profile-name '" + profileName
          + "' cannot stand in an ini section header");
    }
  }

  /** What the arguments said, for comparing the two parsers. */
  record Parsed(Settings settings, Format format, Variables.Extras extras, boolean allowExpired, Path output,
      Duration minValidity, String profileName) {}

  Parsed parsed() {
    return new Parsed(source.settings(env), format, export.extras(), export.allowExpired, output, minValidity, profileName);
  }

  static final class FormatConverter implements ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      return SourceOptions.convert(value, Format::fromValue);
    }
  }

  static final class FormatCandidates implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      java.util.List<String> names = new java.util.ArrayList<>();
      for (Format f : Format.values()) {
        names.add(f.label());
      }
      return names.iterator();
    }
  }
}
