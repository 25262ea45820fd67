package io.github.imdsenv;

import io.github.imdsenv.cli.Cli;
import io.github.imdsenv.format.Variables;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training workload of {@code scripts/train-cds}: the runs users make (export, -o, exec, help), in one JVM, so that
 * one class-data archive (a dynamic AppCDS archive, an AOT cache) covers all their paths. Never
 * part of a normal run. Usage: {@code Training ENDPOINT WORKDIR}.
 */
public final class Training {

  private Training() {}

  public static void main(String[] args) throws Exception {
    String endpoint = args[0];
    Path file = Path.of(args[1], "aws.env");
    Files.writeString(file, Variables.ACCESS_KEY_ID + "=A\n" + Variables.SECRET_ACCESS_KEY + "=B\n"
        + Variables.SESSION_TOKEN + "=C\n" + Variables.EXPIRATION + "=2000-01-01T00:00:00Z\n");
    String[][] runs = {
      {"--endpoint", endpoint},
      {"--endpoint", endpoint, "-f", "env-no-export", "-o", file.toString(), "--min-validity", "15m"},
      {"--endpoint", endpoint, "-f", "env-no-export", "-o", file.toString(), "--min-validity", "15m"},
      {"--endpoint", endpoint, "-f", "json", "--region"},
      // picocli's help model too (--help 298 -> 226 ms); not doctor, whose classes cost the
      // everyday runs ~8 ms in a JDK 17 dynamic archive
      {"--help"},
    };
    // what reading the environment in Main loads; the runs themselves get an empty environment
    Main.environment();
    PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
    for (String[] run : runs) {
      check(Cli.execute(run, Map.of(), sink, sink), run);
    }
    // exec as the launcher runs it, its script to a file of the work directory instead of the launcher's pipe
    String[] exec = {"exec", "--endpoint", endpoint, "--", "true"};
    check(Cli.execute(exec, Map.of(), sink, sink, Path.of(args[1], "handoff.sh")), exec);
  }

  private static void check(int code, String[] run) {
    if (code != 0) {
      throw new IllegalStateException("training run failed with exit " + code + ": " + String.join(" ", run));
    }
  }
}
