package io.github.imdsenv.format;

/**
 * The POSIX-shell family. {@code export NAME='value'} (env): single quotes, a quote written as
 * {@code '\''}, for eval in any POSIX shell. {@code NAME=value} (env-no-export), unquoted: a shell
 * assignment and a docker/systemd env file alike; docker takes the text after '=' literally and a
 * shell and systemd would unquote it, so only values that need no quoting anywhere are carried.
 */
final class PosixShell extends Renderer {

  static final PosixShell EXPORT = new PosixShell(true);
  static final PosixShell NO_EXPORT = new PosixShell(false);

  private final boolean export;

  private PosixShell(boolean export) {
    this.export = export;
  }

  @Override
  String line(String name, String value) {
    if (export) {
      return "export " + name + "=" + quote(value);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "+/=_.:,@-".indexOf(c) >= 0;
      if (!plain) {
        throw cannotCarry(
            name,
            c == '\n' ? "a newline" : "a character that an env file cannot carry unquoted",
            "use -f env (for eval) or -f json");
      }
    }
    return name + "=" + value;
  }

  /**
   * A shell word in single quotes; a quote becomes '\''. Everything else is literal inside them.
   */
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
