package io.github.imdsenv.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end tests' harness: the launcher under test, a clean environment, and a real process
 * run with only that environment, bounded in time (its whole tree killed past the bound), its
 * status, stdout and stderr captured; the root check. A port nothing listens on: {@link
 * io.github.imdsenv.Fixtures#unlistenedPort()}; WireMock on 127.0.0.1: {@link
 * io.github.imdsenv.Fixtures#imds()}.
 */
public record Proc(int exit, String out, String err) {

  /** The launcher under test: scripts/imds-env of this checkout, running target/imds-env.jar. */
  public static final String LAUNCHER =
      Path.of(System.getProperty("imdsenv.launcher", "scripts/imds-env"))
          .toAbsolutePath()
          .normalize()
          .toString();

  /** The checkout the launcher is in. */
  public static final Path BASEDIR = Path.of(LAUNCHER).getParent().getParent();

  /** The jar the launcher runs. */
  public static final Path JAR = BASEDIR.resolve("target").resolve("imds-env.jar");

  /** The build's tools jar, which runs the IMDS simulator. */
  public static final Path TOOLS_JAR = BASEDIR.resolve("target").resolve("imds-env-tools.jar");

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

  private static final File DEV_NULL = new File("/dev/null");

  private static Boolean root;

  /** The launcher and ARGS: a command a test may add to. */
  public static List<String> launcher(String... args) {
    List<String> command = new ArrayList<>(List.of(LAUNCHER));
    command.addAll(List.of(args));
    return command;
  }

  public static Proc run(List<String> command, Map<String, String> env, Path cwd)
      throws IOException, InterruptedException {
    return run(command, env, cwd, null);
  }

  /**
   * Runs COMMAND in CWD with ENV and nothing else (no AWS_* from the machine running the tests),
   * STDIN on its standard input (/dev/null if null); fails after 60 s, its process tree killed.
   */
  public static Proc run(List<String> command, Map<String, String> env, Path cwd, String stdin)
      throws IOException, InterruptedException {
    Path in = stdin == null ? null : Files.createTempFile("imds-env-in", ".txt");
    Path out = Files.createTempFile("imds-env-out", ".txt");
    Path err = Files.createTempFile("imds-env-err", ".txt");
    try {
      if (in != null) {
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
      }
      ProcessBuilder pb = builder(command, env, cwd, out, err);
      pb.redirectInput(in == null ? DEV_NULL : in.toFile());
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
        stop(p);
        throw new AssertionError("timed out: " + command);
      }
      return new Proc(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      if (in != null) {
        Files.deleteIfExists(in);
      }
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * Starts COMMAND in the background in CWD with ENV and nothing else, stdin /dev/null, stdout and
   * stderr to the files OUT and ERR (the same file if equal, discarded where null); end it with
   * {@link #stop}.
   */
  public static Process start(
      List<String> command, Map<String, String> env, Path cwd, Path out, Path err)
      throws IOException {
    return builder(command, env, cwd, out, err).redirectInput(DEV_NULL).start();
  }

  private static ProcessBuilder builder(
      List<String> command, Map<String, String> env, Path cwd, Path out, Path err) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectOutput(out == null ? ProcessBuilder.Redirect.DISCARD : redirect(out));
    if (err != null && err.equals(out)) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(err == null ? ProcessBuilder.Redirect.DISCARD : redirect(err));
    }
    if (cwd != null) {
      pb.directory(cwd.toFile());
    }
    return pb;
  }

  private static ProcessBuilder.Redirect redirect(Path file) {
    return ProcessBuilder.Redirect.to(file.toFile());
  }

  /** Kills P and whatever it started, and waits for it (10 s at most). */
  public static void stop(Process p) throws InterruptedException {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /** The minimal environment cron gives a job: no HOME, PATH=/usr/bin:/bin. */
  public static Map<String, String> cronEnv() {
    return Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8");
  }

  /** {@link #cronEnv()} with these NAME, VALUE pairs added: a map a test may add to. */
  public static Map<String, String> env(String... namesAndValues) {
    Map<String, String> env = new HashMap<>(cronEnv());
    for (int i = 0; i < namesAndValues.length; i += 2) {
      env.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return env;
  }

  /** Whether the tests run as root (CI does), who can play another user with setpriv. */
  public static synchronized boolean root() throws IOException, InterruptedException {
    if (root == null) {
      Proc id = run(List.of("id", "-u"), cronEnv(), Path.of("/"));
      if (id.exit() != 0) {
        throw new AssertionError("id -u: " + id.err());
      }
      root = id.out().trim().equals("0");
    }
    return root;
  }
}
