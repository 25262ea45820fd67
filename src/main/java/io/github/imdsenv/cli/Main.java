package io.github.imdsenv.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * Entry point. Output is UTF-8 whatever the locale: cron's POSIX locale would otherwise turn
 * non-ASCII into '?'.
 */
public final class Main {

  private Main() {}

  /**
   * halt, not exit: everything is flushed by then and no shutdown hook is ours, while exit on JDK
   * 21+ first sets up System.Logger for its debug line (JDK-8301627), ~10 ms of every run.
   */
  public static void main(String[] args) {
    // set by scripts/imds-env for exec alone: the pipe it reads the environment for COMMAND from
    String handoff = System.getProperty("imdsenv.handoff");
    Runtime.getRuntime()
        .halt(
            Cli.execute(
                args,
                environment(),
                utf8(new FileOutputStream(FileDescriptor.out)),
                utf8(new FileOutputStream(FileDescriptor.err)),
                handoff == null ? null : Path.of(handoff)));
  }

  /** The process environment: the one place it is read; everything else is handed this map. */
  public static Map<String, String> environment() {
    return System.getenv();
  }

  static PrintWriter utf8(OutputStream out) {
    return new Console(out);
  }
}
