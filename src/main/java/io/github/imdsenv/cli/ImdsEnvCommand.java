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
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
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
    })
// its exit codes are ExitCodes', which Cli sets on the model
public final class ImdsEnvCommand implements Callable<Integer> {

  /** Without -f: for picocli's field and FastPath alike. */
  static final Format DEFAULT_FORMAT = Format.ENV;

  @Mixin SourceOptions source;

  @Option(names = {OptionNames.FORMAT_SHORT, OptionNames.FORMAT}, paramLabel = "FORMAT", converter = FormatConverter.class,
      completionCandidates = FormatCandidates.class,
      description = "env (default), env-no-export (docker-env), fish, powershell, windows-cmd, process, json, ini, docker-args.")
  Format format = DEFAULT_FORMAT;

  @Mixin ExportOptions export;

  @Option(names = {OptionNames.OUTPUT_SHORT, OptionNames.OUTPUT}, paramLabel = "FILE",
      description = "Write FILE atomically instead of stdout (fsynced, renamed into place; its owner and mode kept, never any"
          + " access for others; safe in a directory others can write). On failure FILE stays as it was.")
  Path output;

  @Option(names = OptionNames.MIN_VALIDITY, paramLabel = "DURATION", converter = SourceOptions.DurationConverter.class,
      description = "With -o: when FILE holds credentials valid for longer than DURATION, fetch nothing and leave it.")
  Duration minValidity;

  @Option(names = OptionNames.MODE, paramLabel = "OCTAL", converter = ModeConverter.class,
      description = "With -o: the file's mode, e.g. 0640 for a group the reader is in; never any permission for others."
          + " Default: an existing file's mode without others' permissions, else 0600.")
  FileMode mode;

  @Option(names = OptionNames.PROFILE_NAME, paramLabel = "NAME",
      description = "The profile of -f ini (default: default); with -o, only that section of FILE is replaced.")
  String profileName;

  @Spec CommandSpec spec;

  private final Map<String, String> env;

  public ImdsEnvCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    return run(request(), spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** What picocli parsed into the annotated fields. */
  Request request() {
    return new Request(source.values(), export.values(), format, output, minValidity,
        mode == null ? null : mode.permissions(), profileName, null);
  }

  /**
   * The value of --mode. A set-typed field would make picocli collect every --mode given (0640 and
   * 600 making 0640) where a repeated option takes its last value.
   */
  record FileMode(Set<PosixFilePermission> permissions) {}

  /** The export itself, once the arguments are parsed (by picocli or by {@link FastPath}). */
  int run(Request request, PrintWriter out, PrintWriter err) {
    return new Run(request, out, err).run();
  }

  /** One export: the request's values, in the names the steps below use. */
  private final class Run {
    private final Request.Export export;
    private final Request.Source source;
    private final Format format;
    private final Path output;
    private final Duration minValidity;
    private final Set<PosixFilePermission> mode;
    private final String profileName;
    private final PrintWriter out;
    private final PrintWriter err;

    Run(Request r, PrintWriter out, PrintWriter err) {
      this.source = r.source();
      this.export = r.export();
      this.format = r.format();
      this.output = r.output();
      this.minValidity = r.minValidity();
      this.mode = r.mode();
      this.profileName = r.profileName();
      this.out = out;
      this.err = err;
    }

    int run() {
      Settings settings = source.settings(env);
      validate();
      String profile = profileName == null ? "default" : profileName;
      Variables.Extras extras = export.extras();
      if (output == null) {
        String text = format.render(variables(settings, extras, err), profile);
        // stdout is written once, at the very end: a failure above leaves it empty
        out.print(text);
        out.flush();
        if (out.checkError()) {
          throw new ImdsEnvException(ImdsEnvException.Reason.STDOUT, "cannot write to stdout (closed, or a broken pipe)");
        }
        return 0;
      }
      Log log = Log.create(settings.verbose());
      long started = System.nanoTime();
      boolean quiet = settings.quiet();
      try (EnvFile file = EnvFile.lock(output, settings.deadline(), warning -> {
        if (!quiet) {
          err.println("imds-env: " + Printable.escape(warning));
        }
      })) {
        // the lock wait counts against the run's deadline
        settings = settings.withDeadline(settings.deadline().minusNanos(System.nanoTime() - started));
        byte[] existing = format == Format.INI || minValidity != null ? file.read() : null;
        try {
          String section = format == Format.INI && existing != null ? CredentialsFile.section(existing, profile) : null;
          if (minValidity != null && existing != null && fresh(format == Format.INI ? section
              : new String(existing, StandardCharsets.UTF_8), extras, log)) {
            return 0;
          }
          String text = format.render(variables(settings, extras, err), profile);
          file.replace(format == Format.INI && existing != null ? CredentialsFile.merge(existing, profile, text)
              : text.getBytes(StandardCharsets.UTF_8), mode);
        } catch (CredentialsFile.Unsafe e) {
          throw new ImdsEnvException(ImdsEnvException.Reason.OUTPUT, "cannot write " + output + ": " + e.getMessage()
              + "; the file was left as it was");
        }
        log.debug("wrote " + output);
      }
      return 0;
    }

    /** True when {@code content} (FILE, or its profile's section) holds every variable asked for, valid for longer than --min-validity. */
    private boolean fresh(String content, Variables.Extras extras, Log log) {
      Instant until = content == null ? null : Expiry.validUntil(format, content, Variables.namesOnly(extras));
      Instant now = Instant.now();
      if (until == null) {
        log.debug(output + " holds no readable credentials: fetching");
        return false;
      }
      Duration left = Duration.between(now, until);
      if (left.compareTo(Expiry.MAX_PLAUSIBLE) > 0) {
        log.debug(output + " says its credentials expire in " + Durations.human(left) + ", longer than any metadata"
            + " credential lives (" + Durations.human(Expiry.MAX_PLAUSIBLE) + "): not believed, fetching");
        return false;
      }
      if (left.compareTo(minValidity) > 0) {
        log.debug(output + " holds credentials valid for " + Durations.human(left) + " more, over --min-validity "
            + Durations.human(minValidity) + ": nothing fetched, the file left as it is");
        return true;
      }
      log.debug(output + " holds credentials valid for only " + (left.isNegative() ? "0s" : Durations.human(left))
          + ": fetching");
      return false;
    }

    private Variables variables(Settings settings, Variables.Extras extras, PrintWriter err) {
      return format.needsValues() ? Exporter.fetch(settings, extras, export.allowExpired(), err) : Variables.namesOnly(extras);
    }

    /** The rules between options, in one place. */
    private void validate() {
      if (minValidity != null && output == null) {
        throw new ImdsEnvException(ImdsEnvException.Reason.USAGE, "--min-validity needs --output FILE");
      }
      if (mode != null && output == null) {
        throw new ImdsEnvException(ImdsEnvException.Reason.USAGE, "--mode needs --output FILE");
      }
      if (profileName != null && format != Format.INI) {
        throw new ImdsEnvException(ImdsEnvException.Reason.USAGE, "--profile-name goes with -f ini");
      }
      if (profileName != null && !Format.validProfileName(profileName)) {
        throw new ImdsEnvException(ImdsEnvException.Reason.USAGE, "--profile-name '" + profileName
            + "' cannot stand in an ini section header");
      }
    }
  }

  static final class ModeConverter implements ITypeConverter<FileMode> {
    @Override
    public FileMode convert(String value) {
      return new FileMode(SourceOptions.convert(value, ImdsEnvCommand::mode));
    }
  }

  /** An octal mode for the output file: permission bits only, none for others. */
  static Set<PosixFilePermission> mode(String value) {
    if (!value.matches("0?[67][0-7]{2}")) {
      if (value.matches("0?[0-7]{3}")) {
        throw new IllegalArgumentException("--mode " + value + " would keep the owner from reading and writing the file;"
            + " use 0600 or 0640");
      }
      throw new IllegalArgumentException("--mode '" + value + "' is not an octal file mode such as 0600 or 0640");
    }
    int bits = Integer.parseInt(value, 8);
    if ((bits & 07) != 0) {
      throw new IllegalArgumentException("--mode " + value + " would give every user access to the credentials;"
          + " use a group instead (0640)");
    }
    Set<PosixFilePermission> perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((bits & (0400 >> p.ordinal())) != 0) {
        perms.add(p);
      }
    }
    return perms;
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
