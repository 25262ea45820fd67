package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.Printable;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.sink.CredentialsFile;
import io.github.imdsenv.sink.EnvFile;
import io.github.imdsenv.sink.Expiry;
import io.github.imdsenv.sink.FileKind;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
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
    Log log = Log.create(settings.verbose());
    long started = System.nanoTime();
    boolean quiet = settings.quiet();
    try (EnvFile file =
        EnvFile.lock(
            output,
            settings.budget().deadline(),
            warning -> {
              if (!quiet) {
                err.println("imds-env: " + Printable.escape(warning));
              }
            })) {
      // the lock wait counts against the run's deadline
      settings =
          settings.withDeadline(
              settings.budget().deadline().minusNanos(System.nanoTime() - started));
      byte[] existing = file.read();
      String mismatch = existing == null ? null : FileKind.mismatch(output, format, existing);
      if (mismatch != null) {
        throw new ImdsEnvException(ImdsEnvException.Reason.OUTPUT, mismatch);
      }
      try {
        // read before any fetch: a profile that appears twice is refused at once
        CredentialsFile.Section section =
            format == Format.INI && existing != null
                ? CredentialsFile.section(existing, profile)
                : null;
        if (minValidity != null
            && existing != null
            && fresh(validUntil(existing, section, extras), log)) {
          return 0;
        }
        String text = format.render(variables(settings, extras, err), profile);
        file.replace(
            format == Format.INI && existing != null
                ? CredentialsFile.merge(existing, profile, text)
                : text.getBytes(StandardCharsets.UTF_8),
            mode);
      } catch (CredentialsFile.Unsafe e) {
        throw new ImdsEnvException(
            ImdsEnvException.Reason.OUTPUT,
            "cannot write " + output + ": " + e.getMessage() + "; the file was left as it was");
      }
      log.debug("wrote " + output);
    }
    return 0;
  }

  /** When the credentials in FILE (for ini: in its profile's section) expire; null for none. */
  private Instant validUntil(
      byte[] existing, CredentialsFile.Section section, Variables.Extras extras) {
    Variables names = Variables.namesOnly(extras);
    if (format != Format.INI) {
      return Expiry.validUntil(format, existing, 0, existing.length, names);
    }
    return section == null
        ? null
        : Expiry.validUntil(format, existing, section.from(), section.to(), names);
  }

  /**
   * True when the credentials FILE holds, valid {@code until} (null: none, or not every variable
   * asked for), are valid for longer than --min-validity.
   */
  private boolean fresh(Instant until, Log log) {
    Instant now = Instant.now();
    if (until == null) {
      log.debug(output + " holds no readable credentials: fetching");
      return false;
    }
    Duration left = Duration.between(now, until);
    if (left.compareTo(Expiry.MAX_PLAUSIBLE) > 0) {
      log.debug(
          output
              + " says its credentials expire in "
              + Durations.human(left)
              + ", longer than any metadata"
              + " credential lives ("
              + Durations.human(Expiry.MAX_PLAUSIBLE)
              + "): not believed, fetching");
      return false;
    }
    if (left.compareTo(minValidity) > 0) {
      log.debug(
          output
              + " holds credentials valid for "
              + Durations.human(left)
              + " more, over --min-validity "
              + Durations.human(minValidity)
              + ": nothing fetched, the file left as it is");
      return true;
    }
    log.debug(
        output
            + " holds credentials valid for only "
            + (left.isNegative() ? "0s" : Durations.human(left))
            + ": fetching");
    return false;
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
