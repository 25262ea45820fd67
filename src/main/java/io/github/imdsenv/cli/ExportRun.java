package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.Printable;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.sink.FileSink;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One export, once the arguments are parsed (by picocli or by {@link Cli#fastPath}): fetch, render,
 * print or write.
 */
final class ExportRun {
  private final Map<String, String> env;
  private final VariableOptions variables;
  private final Settings.Flags source;
  private final Format format;
  private final Path output;
  private final Duration minValidity;
  private final Set<PosixFilePermission> mode;
  private final String profileName;
  private final PrintWriter out;
  private final PrintWriter err;

  ExportRun(Map<String, String> env, Request.Export r, PrintWriter out, PrintWriter err) {
    this.env = env;
    this.source = r.source();
    this.variables = r.variables();
    this.format = r.format();
    this.output = r.output();
    this.minValidity = r.minValidity();
    this.mode = r.mode();
    this.profileName = r.profileName();
    this.out = out;
    this.err = err;
  }

  int run() {
    Settings settings = Settings.resolve(source, env);
    validate();
    String profile = profileName == null ? "default" : profileName;
    Variables.Extras extras = variables.extras();
    if (output == null) {
      String text = format.render(variables(settings, extras, err), profile);
      // stdout is written once, at the very end: a failure above leaves it empty
      out.print(text);
      out.flush();
      if (out.checkError()) {
        String why = Console.failure(out);
        throw new ImdsEnvException(
            ImdsEnvException.Reason.STDOUT,
            "cannot write to stdout (" + (why != null ? why : "closed, or a broken pipe") + ")");
      }
      return 0;
    }
    boolean quiet = settings.quiet();
    FileSink.write(
        output,
        format,
        profile,
        mode,
        minValidity,
        settings.budget().deadline(),
        warning -> {
          if (!quiet) {
            err.println("imds-env: " + Printable.escape(warning));
          }
        },
        Log.create(settings.verbose()),
        new Fetch(settings, extras, profile));
    return 0;
  }

  /** The credentials for FILE, fetched within what the wait for its lock left of the deadline. */
  private final class Fetch implements FileSink.Content {
    private final Settings settings;
    private final Variables.Extras extras;
    private final String profile;

    Fetch(Settings settings, Variables.Extras extras, String profile) {
      this.settings = settings;
      this.extras = extras;
      this.profile = profile;
    }

    @Override
    public Variables names() {
      return Variables.namesOnly(extras, variables.regionName());
    }

    @Override
    public String render(Duration left) {
      return format.render(variables(settings.withDeadline(left), extras, err), profile);
    }
  }

  private Variables variables(Settings settings, Variables.Extras extras, PrintWriter err) {
    return format.needsValues()
        ? CredentialsFetch.variables(settings, variables, err)
        : Variables.namesOnly(extras);
  }

  /** The rules between options, in one place. */
  private void validate() {
    if (minValidity != null && output == null) {
      throw new ImdsEnvException(
          ImdsEnvException.Reason.USAGE, "--min-validity needs --output FILE");
    }
    if (mode != null && output == null) {
      throw new ImdsEnvException(ImdsEnvException.Reason.USAGE, "--mode needs --output FILE");
    }
    if (profileName != null && format != Format.INI) {
      throw new ImdsEnvException(ImdsEnvException.Reason.USAGE, "--profile-name goes with -f ini");
    }
    if (profileName != null && !Format.validProfileName(profileName)) {
      throw new ImdsEnvException(
          ImdsEnvException.Reason.USAGE,
          "--profile-name '" + profileName + "' cannot stand in an ini section header");
    }
    if (Format.INI_DEFAULT_SECTION.equals(profileName)) {
      throw new ImdsEnvException(
          ImdsEnvException.Reason.USAGE,
          "--profile-name DEFAULT is the ini default section, whose keys every profile inherits"
              + " (botocore reads it so); for the default profile, leave --profile-name out or"
              + " write 'default'");
    }
  }
}
