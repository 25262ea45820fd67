package io.github.imdsenv.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Docker daemon for one test class: Debian's dockerd on its own socket, no iptables, no
 * bridge, the vfs storage driver, data and exec roots in a temporary directory; and one image,
 * imported from a tar holding the static busybox, whose default command reports each credential
 * variable by name and SHA-256 (the values are compared inside the container, never shown).
 */
final class DockerDaemon implements AutoCloseable {

  static final String IMAGE = "imds-env-recipes:busybox";

  static final List<String> REPORTED =
      List.of(
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "AWS_CREDENTIAL_EXPIRATION",
          "AWS_PROFILE");

  /** The image's CMD: one line per variable, `NAME unset` or `NAME sha256-of-its-bytes`. */
  private static final String REPORT =
      "for n in "
          + String.join(" ", REPORTED)
          + "; do\n"
          + "  eval \"s=\\${$n+set} v=\\${$n-}\"\n"
          + "  if [ -z \"$s\" ]; then echo \"$n unset\"; else printf '%s' \"$v\" | busybox sha256sum | { read h _; echo \"$n $h\"; }; fi\n"
          + "done\n";

  final Path dir;
  final Path docker;
  private final Path socket;
  private Process daemon;

  private DockerDaemon(Path dir, Path docker) {
    this.dir = dir;
    this.docker = docker;
    this.socket = dir.resolve("docker.sock");
  }

  /** Starts the daemon and imports the image; a daemon that does not come up fails with its log. */
  static DockerDaemon start() throws Exception {
    return start(List.of(), false);
  }

  /**
   * As {@link #start()}; the daemon's command after {@code prefix} (nsenter into a network
   * namespace), with Docker's default bridge when {@code bridge} (still no iptables rules).
   */
  static DockerDaemon start(List<String> prefix, boolean bridge) throws Exception {
    if (!Proc.root()) {
      throw new AssertionError(
          "the docker recipe tests start their own dockerd, which needs root: run them as root (CI does)");
    }
    Path dockerd = Consumers.require("dockerd", "docker.io");
    Consumers.require("runc", "runc");
    Path docker = Consumers.require("docker", "docker.io");
    Path busybox = Consumers.require("busybox", "busybox-static");
    // short: the daemon's unix sockets live under it (108 bytes at most)
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "imds-env-dockerd");
    DockerDaemon d = new DockerDaemon(dir, docker);
    Runtime.getRuntime().addShutdownHook(new Thread(d::close));
    try {
      d.boot(prefix, dockerd, bridge);
      d.importImage(busybox);
    } catch (Throwable t) {
      d.close();
      throw t;
    }
    return d;
  }

  private void boot(List<String> prefix, Path dockerd, boolean bridge) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(dir.resolve("exec"));
    Files.createDirectories(dir.resolve("config"));
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(
        List.of(
            dockerd.toString(),
            "--host",
            "unix://" + socket,
            "--iptables=false",
            "--ip6tables=false",
            bridge ? "--ip-forward=false" : "--bridge=none",
            "--storage-driver=vfs",
            "--data-root",
            dir.resolve("data").toString(),
            "--exec-root",
            dir.resolve("exec").toString(),
            "--pidfile",
            dir.resolve("docker.pid").toString(),
            // its own containerd namespaces, should another daemon share the system's containerd
            "--containerd-namespace",
            "imds-env-recipes",
            "--containerd-plugins-namespace",
            "imds-env-recipes-plugins"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    pb.redirectErrorStream(true)
        .redirectOutput(dir.resolve("dockerd.log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    daemon = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      if (!daemon.isAlive()) {
        throw new AssertionError(
            "dockerd exited (" + daemon.exitValue() + ") at start:\n" + logTail());
      }
      if (Files.exists(socket) && docker(List.of("version")).exit() == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "dockerd did not answer on " + socket + " within 90 s:\n" + logTail());
      }
      Thread.sleep(200);
    }
  }

  private void importImage(Path busybox) throws Exception {
    Path root = Files.createDirectories(dir.resolve("rootfs/bin"));
    Files.copy(busybox, root.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.createSymbolicLink(root.resolve("sh"), Path.of("busybox"));
    // for programs of the host's /usr, when a container mounts it (merged /usr: /lib, /lib64 in it)
    Files.createSymbolicLink(dir.resolve("rootfs/lib"), Path.of("usr/lib"));
    Files.createSymbolicLink(dir.resolve("rootfs/lib64"), Path.of("usr/lib64"));
    Files.writeString(dir.resolve("rootfs/report"), REPORT);
    Proc tar =
        Proc.run(
            List.of(
                "tar",
                "-C",
                dir.resolve("rootfs").toString(),
                "-cf",
                dir.resolve("rootfs.tar").toString(),
                "."),
            Proc.cronEnv(),
            dir);
    if (tar.exit() != 0) {
      throw new AssertionError("tar: " + tar.err());
    }
    Proc p =
        docker(
            List.of(
                "import",
                "--change",
                "CMD [\"/bin/sh\", \"/report\"]",
                dir.resolve("rootfs.tar").toString(),
                IMAGE));
    if (p.exit() != 0) {
      throw new AssertionError("docker import: " + p.err());
    }
    Proc check = docker(List.of("run", "--rm", "--network", "none", IMAGE));
    if (check.exit() != 0 || !check.out().contains("AWS_ACCESS_KEY_ID unset")) {
      throw new AssertionError(
          "the imported image does not run (is "
              + busybox
              + " the static busybox of busybox-static?): "
              + check.exit()
              + " "
              + check.out()
              + check.err()
              + "\n"
              + logTail());
    }
  }

  /** The environment a docker client needs to reach this daemon only. */
  Map<String, String> clientEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", "unix://" + socket);
    env.put("DOCKER_CONFIG", dir.resolve("config").toString());
    return env;
  }

  Proc docker(List<String> args) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>();
    c.add(docker.toString());
    c.addAll(args);
    Map<String, String> env = Proc.env();
    env.putAll(clientEnv());
    return Proc.run(c, env, dir);
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("dockerd.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no dockerd log: " + e.getMessage() + ")";
    }
  }

  /**
   * Stops the daemon (TERM, then KILL), unmounts whatever it left under its directory, and removes
   * that.
   */
  @Override
  public synchronized void close() {
    try {
      if (daemon != null && daemon.isAlive()) {
        daemon.destroy();
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
          daemon.descendants().forEach(ProcessHandle::destroyForcibly);
          daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      if (!Files.exists(dir)) {
        return;
      }
      List<String> mounts =
          Files.readAllLines(Path.of("/proc/self/mounts")).stream()
              .map(l -> l.split(" ")[1])
              .filter(m -> m.startsWith(dir.toString()))
              .sorted(Comparator.reverseOrder())
              .toList();
      for (String m : mounts) {
        new ProcessBuilder("umount", "-l", m).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
      }
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      System.err.println("DockerDaemon: could not clean up " + dir + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
