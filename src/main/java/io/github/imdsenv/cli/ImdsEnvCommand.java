package io.github.imdsenv.cli;

import io.github.imdsenv.format.Format;
import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imds-env}: prints the instance role's credentials in one format, and nothing on failure.
 */
@Command(
    name = "imds-env",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Print the IAM role credentials of this EC2 instance (from its metadata service) as environment variables.",
      "",
      "  " + Recipes.SH,
      "  " + Recipes.DOCKER_VARS,
      "  " + Recipes.DOCKER_RUN_ENV_FILE_IN_HELP + "      # bash",
      "",
      "The output goes into a variable first, and a failure exits with the export's code: a bare"
          + " eval \"$(imds-env)\" hides a failure. More recipes: man imds-env, EXAMPLES.",
      ""
    })
// its exit codes are ExitCodes', which Cli sets on the model
public final class ImdsEnvCommand implements Callable<Integer> {

  /** Without -f: for picocli's field and the fast path alike. */
  static final Format DEFAULT_FORMAT = Format.ENV;

  static final String FORMAT = "--format";
  static final String FORMAT_SHORT = "-f";
  static final String OUTPUT = "--output";
  static final String OUTPUT_SHORT = "-o";
  static final String MIN_VALIDITY = "--min-validity";
  static final String MODE = "--mode";
  static final String PROFILE_NAME = "--profile-name";

  @Mixin SourceOptions source;

  @Option(
      names = {FORMAT_SHORT, FORMAT},
      paramLabel = "FORMAT",
      converter = FormatConverter.class,
      completionCandidates = FormatCandidates.class,
      description =
          "env (default), env-no-export (docker-env), fish, powershell, windows-cmd, process, json, ini, docker-args.")
  Format format = DEFAULT_FORMAT;

  @Mixin VariableOptions variables;

  @Option(
      names = {OUTPUT_SHORT, OUTPUT},
      paramLabel = "FILE",
      converter = FileConverter.class,
      description =
          "Write FILE atomically instead of stdout (fsynced, renamed into place; its owner and mode kept, never any"
              + " access for others; safe in a directory others can write). On failure FILE stays as it was.")
  Path output;

  @Option(
      names = MIN_VALIDITY,
      paramLabel = "DURATION",
      converter = SourceOptions.DurationConverter.class,
      description =
          "With -o: when FILE holds credentials valid for longer than DURATION, fetch nothing and leave it.")
  Duration minValidity;

  @Option(
      names = MODE,
      paramLabel = "OCTAL",
      converter = FileModeConverter.class,
      description =
          "With -o: the file's mode, e.g. 0640 for a group the reader is in; never any permission for others."
              + " Default: an existing file's mode without others' permissions, else 0600.")
  FileMode mode;

  @Option(
      names = PROFILE_NAME,
      paramLabel = "NAME",
      description =
          "The profile of -f ini (default: default); with -o, only that section of FILE is replaced.")
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
  Request.Export request() {
    return request(source.flags(), variables);
  }

  /** The request of these root options with those of the mixins (picocli's or the fast path's). */
  Request.Export request(Settings.Flags flags, VariableOptions variables) {
    return new Request.Export(
        flags,
        variables,
        format,
        output,
        minValidity,
        mode == null ? null : mode.permissions(),
        profileName);
  }

  /**
   * The fast path's way in to the root's own options, as {@link Settings.Flags#set}: true when
   * taken, false (nothing changed) when not an option here or not taking {@code value} so.
   */
  boolean set(String name, String value) {
    if (value == null) {
      return false;
    }
    switch (name) {
      case FORMAT, FORMAT_SHORT -> format = Format.fromValue(value);
      case OUTPUT, OUTPUT_SHORT -> output = file(value);
      case MIN_VALIDITY -> minValidity = Durations.parse(value);
      case MODE -> mode = FileMode.parse(value);
      case PROFILE_NAME -> profileName = value;
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The export itself, once the arguments are parsed (by picocli or by {@link Cli#fastPath}). */
  int run(Request.Export request, PrintWriter out, PrintWriter err) {
    return new ExportRun(env, request, out, err).run();
  }

  /**
   * FILE as given to -o: a file's name. Empty, or ending in a '/' that {@link Path#of} would drop,
   * it names a directory, and the slash dropped would write a file named as the directory ("/" is
   * kept, and refused as a directory when written, as any directory is).
   */
  static Path file(String value) {
    Path path = Path.of(value);
    if (value.isEmpty() || (value.endsWith("/") && !path.toString().endsWith("/"))) {
      throw new IllegalArgumentException(
          "'"
              + value
              + "' names a directory, not a file: give the file's name, such as "
              + value
              + "aws.env");
    }
    return path;
  }

  static final class FileConverter implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      return SourceOptions.convert(value, ImdsEnvCommand::file);
    }
  }

  static final class FileModeConverter implements ITypeConverter<FileMode> {
    @Override
    public FileMode convert(String value) {
      return SourceOptions.convert(value, FileMode::parse);
    }
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
