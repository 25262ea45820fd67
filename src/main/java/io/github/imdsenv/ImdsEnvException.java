package io.github.imdsenv;

/**
 * The one exception the tool's stages throw for an expected failure. Its kind decides the exit
 * code; its message is shown to the user as is, so it must never carry a secret or a response body.
 */
public final class ImdsEnvException extends RuntimeException {

  /** What went wrong, as the contract's exit codes see it. */
  public enum Kind {
    USAGE(2),
    UNREACHABLE(3),
    NO_ROLE(4),
    BAD_CREDENTIALS(5),
    OUTPUT(6),
    /** exec: the command exists but cannot be run, as a shell says it. */
    COMMAND_NOT_EXECUTABLE(126),
    /** exec: no such command, as a shell says it. */
    COMMAND_NOT_FOUND(127);

    private final int exitCode;

    Kind(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  private final Kind kind;

  public ImdsEnvException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ImdsEnvException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
