package io.github.imdsenv.format;

/**
 * The output formats, by the name {@code -f} takes. Each constant hands its work to its family's
 * {@link Renderer} (POSIX shell, fish, PowerShell, cmd, JSON, ini, docker-args), which owns its
 * quoting: every value reaches the consumer byte for byte, or the format refuses it (exit 5)
 * without showing it. No value can run code in the consumer. Lines end in LF.
 */
public enum Format {
  ENV("env", null, PosixShell.EXPORT),
  ENV_NO_EXPORT("env-no-export", "docker-env", PosixShell.NO_EXPORT),
  FISH("fish", null, Fish.INSTANCE),
  POWERSHELL("powershell", null, PowerShell.INSTANCE),
  WINDOWS_CMD("windows-cmd", null, WindowsCmd.INSTANCE),
  PROCESS("process", null, Json.PROCESS),
  JSON("json", null, Json.VARIABLES),
  INI("ini", null, Ini.INSTANCE),
  DOCKER_ARGS("docker-args", null, DockerArgs.INSTANCE);

  private final String label;
  private final String alias;
  private final Renderer renderer;

  Format(String label, String alias, Renderer renderer) {
    this.label = label;
    this.alias = alias;
    this.renderer = renderer;
  }

  /** The format's name on the command line. */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }

  /** False for a format that prints names only, so no credentials need fetching. */
  public boolean needsValues() {
    return renderer.needsValues();
  }

  /** The whole output. */
  public String render(Variables vars) {
    return renderer.render(vars, "default");
  }

  /** The output, for formats that name a profile ({@link #INI}); the others ignore it. */
  public String render(Variables vars, String profile) {
    return renderer.render(vars, profile);
  }

  /**
   * What stands before and after {@code variable}'s value on its own line of this format's output,
   * as {@code {prefix, suffix}}; null where the format has no place for it.
   */
  public String[] keyLine(String variable) {
    return renderer.keyLine(variable);
  }

  /** What may follow a key line's suffix (JSON's comma between members); "" for nothing. */
  public String keyLineSeparator() {
    return renderer.separator();
  }

  /**
   * The section Python's configparser (botocore's parser) reads as defaults for every other: its
   * {@code default_section}, compared case-sensitively ({@code [Default]} is a profile).
   */
  public static final String INI_DEFAULT_SECTION = IniLines.DEFAULT_SECTION;

  /** A profile name {@link #INI} can write a header for and find again. */
  public static boolean validProfileName(String name) {
    return IniLines.validProfileName(name);
  }

  /** {@code value} as one POSIX shell word, in single quotes (env's quoting). */
  public static String shellWord(String value) {
    return PosixShell.quote(value);
  }

  /** Names and aliases, comma-separated, for help and errors. */
  public static String names() {
    StringBuilder sb = new StringBuilder();
    for (Format f : values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(f.label);
      if (f.alias != null) {
        sb.append(" (").append(f.alias).append(')');
      }
    }
    return sb.toString();
  }

  public static Format fromValue(String value) {
    for (Format f : values()) {
      if (f.label.equals(value) || value.equals(f.alias)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "'" + value + "' is not a format; choose one of: " + names());
  }
}
