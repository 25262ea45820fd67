package io.github.imdsenv.cli;

import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.Settings;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

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
      "  eval \"$(imds-env)\"",
      "  docker run --env-file <(imds-env -f env-no-export) IMAGE",
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
    })
public final class ImdsEnvCommand implements Callable<Integer> {

  @Mixin SourceOptions source;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", converter = FormatConverter.class,
      completionCandidates = FormatCandidates.class,
      description = "env (default), env-no-export (docker-env), fish, powershell, windows-cmd, process, json, docker-args.")
  Format format = Format.ENV;

  @Option(names = "--region", description = "Also AWS_REGION and AWS_DEFAULT_REGION, from placement/region.")
  boolean region;

  @Option(names = "--account-id", description = "Also AWS_ACCOUNT_ID, where the metadata service gives one.")
  boolean accountId;

  @Option(names = "--security-token", description = "Also the legacy AWS_SECURITY_TOKEN.")
  boolean securityToken;

  @Option(names = "--allow-expired", description = "Print credentials that have already expired (with a warning).")
  boolean allowExpired;

  @Spec CommandSpec spec;

  private final Map<String, String> env;

  public ImdsEnvCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    return run(spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** The export itself, once the arguments are parsed (by picocli or by {@link FastPath}). */
  int run(PrintWriter out, PrintWriter err) {
    Settings settings = source.settings(env);
    Variables.Extras extras = new Variables.Extras(securityToken, region, accountId);
    String text = format.render(format.needsValues()
        ? Exporter.fetch(settings, extras, allowExpired, err)
        : Variables.namesOnly(extras));
    // stdout is written once, at the very end: a failure above leaves it empty
    out.print(text);
    out.flush();
    return 0;
  }

  /** What the arguments said, for comparing the two parsers. */
  record Parsed(Settings settings, Format format, boolean region, boolean accountId, boolean securityToken, boolean allowExpired) {}

  Parsed parsed() {
    return new Parsed(source.settings(env), format, region, accountId, securityToken, allowExpired);
  }

  static final class FormatConverter implements ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      try {
        return Format.fromValue(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
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
