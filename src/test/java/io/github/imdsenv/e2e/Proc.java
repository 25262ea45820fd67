package io.github.imdsenv.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real process with a given environment, bounded in time; stdout and stderr go to files. */
public record Proc(int exit, String out, String err) {

  /** The launcher under test: scripts/imds-env of this checkout, running target/imds-env.jar. */
  public static final String LAUNCHER =
      Path.of(System.getProperty("imdsenv.launcher", "scripts/imds-env"))
          .toAbsolutePath()
          .normalize()
          .toString();

  /**
   * The shells whose consumers the formats promise to serve; a missing one fails the test, it is
   * not skipped.
   */
  public static final List<List<String>> POSIX_SHELLS =
      List.of(
          List.of("dash"),
          List.of("bash"),
          List.of("zsh"),
          List.of("mksh"),
          List.of("busybox", "ash"));

  public static Proc run(List<String> command, Map<String, String> env, Path cwd)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    Path out = Files.createTempFile("imds-env-out", ".txt");
    Path err = Files.createTempFile("imds-env-err", ".txt");
    try {
      pb.redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      if (cwd != null) {
        pb.directory(cwd.toFile());
      }
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new IOException(
            "cannot run "
                + command.get(0)
                + ": install it (CI: apt-get install -y zsh fish busybox mksh)",
            e);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + command);
      }
      return new Proc(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The minimal environment cron gives a job: no HOME, PATH=/usr/bin:/bin. */
  public static Map<String, String> cronEnv() {
    return Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8");
  }
}
