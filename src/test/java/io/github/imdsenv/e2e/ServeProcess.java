package io.github.imdsenv.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code imds-env serve} through the real launcher, in a process of its own, on 127.0.0.1 at a port
 * the kernel picks; its token in {@code DIR/state/token/token} (state 0700), its stderr in a file.
 */
final class ServeProcess implements AutoCloseable {

  private static final Pattern SERVING =
      Pattern.compile("imds-env: serving http://127\\.0\\.0\\.1:(\\d+)/v1/credentials");

  final Process process;
  final Path stderr;
  final Path tokenFile;
  final int port;

  private ServeProcess(Process process, Path stderr, Path tokenFile, int port) {
    this.process = process;
    this.stderr = stderr;
    this.tokenFile = tokenFile;
    this.port = port;
  }

  /** Starts serve with these extra arguments and waits until it holds credentials. */
  static ServeProcess start(Path dir, String endpoint, String... args) throws Exception {
    ServeProcess p = listening(dir, endpoint, args);
    if (!p.awaitErr("imds-env: serving credentials ", 30)) {
      p.close();
      throw new AssertionError("serve got no credentials within 30 s: " + p.err());
    }
    return p;
  }

  /** Starts serve with these extra arguments and waits until it listens. */
  static ServeProcess listening(Path dir, String endpoint, String... args) throws Exception {
    Path state = dir.resolve("state");
    if (!Files.exists(state)) {
      Files.createDirectory(state);
      Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    }
    Path token = state.resolve("token/token");
    Path err = Files.createTempFile(dir, "serve", ".err");
    List<String> cmd =
        Proc.launcher(
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--token-file",
            token.toString(),
            "--endpoint",
            endpoint,
            "--timeout",
            "500ms");
    cmd.addAll(List.of(args));
    Process p =
        Proc.start(cmd, Proc.env("JAVA_HOME", System.getProperty("java.home")), null, null, err);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Matcher m = SERVING.matcher(Files.readString(err, StandardCharsets.UTF_8));
      if (m.find()) {
        return new ServeProcess(p, err, token, Integer.parseInt(m.group(1)));
      }
      if (!p.isAlive()) {
        throw new AssertionError("serve exited " + p.exitValue() + ": " + Files.readString(err));
      }
      Thread.sleep(50);
    }
    Proc.stop(p);
    throw new AssertionError("serve did not listen within 30 s: " + Files.readString(err));
  }

  String token() throws IOException {
    return Files.readString(tokenFile, StandardCharsets.US_ASCII);
  }

  String err() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  String url() {
    return "http://127.0.0.1:" + port + "/v1/credentials";
  }

  /** Waits until stderr holds {@code text}; false after {@code seconds}. */
  boolean awaitErr(String text, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (err().contains(text)) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      Proc.stop(process);
    }
  }
}
