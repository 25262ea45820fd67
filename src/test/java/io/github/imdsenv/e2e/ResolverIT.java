package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resolver that never answers: the real launcher runs in a private mount and network namespace
 * (only its own loopback), with /etc/resolv.conf bound to {@code nameserver 127.0.0.1} where a UDP
 * socket reads queries and never replies, and /etc/nsswitch.conf to {@code hosts: files dns}. The
 * resolver is told to wait 30 s five times; the run must still end by its deadline. Needs root (CI
 * runs as root; elsewhere the test is skipped).
 */
class ResolverIT {

  /** Not in /etc/hosts: the lookup reaches the silent name server. */
  static final String NAME = "imds-env-silent-resolver.test";

  /** Binds 127.0.0.1:53 (UDP), reads and never answers, and runs the command meanwhile. */
  private static final String BLACKHOLE =
      String.join(
          "\n",
          "import socket, subprocess, sys, threading",
          "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
          "s.bind(('127.0.0.1', 53))",
          "threading.Thread(target=lambda: [s.recv(4096) for _ in iter(int, 1)], daemon=True).start()",
          "sys.exit(subprocess.call(sys.argv[1:]))");

  private static final String NAMESPACE =
      String.join(
          "\n",
          "set -e",
          "ip link set lo up 2>/dev/null || busybox ip link set lo up",
          "mount --bind \"$RESOLV\" /etc/resolv.conf",
          "mount --bind \"$NSS\" /etc/nsswitch.conf",
          "exec python3 -c \"$BLACKHOLE\" \"$@\"");

  @TempDir static Path dir;

  @BeforeAll
  static void rootOnly() throws Exception {
    boolean root = Proc.root();
    if ("true".equals(System.getenv("CI"))) {
      assertTrue(root, "CI runs as root: this test needs a private mount and network namespace");
    }
    assumeTrue(root, "needs root for unshare --mount --net");
    assertFalse(Files.readString(Path.of("/etc/hosts")).contains(NAME));
    Files.writeString(
        dir.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n");
    Path nss = Path.of("/etc/nsswitch.conf");
    String rest =
        Files.exists(nss)
            ? Files.readAllLines(nss).stream()
                .filter(l -> !l.startsWith("hosts:"))
                .collect(Collectors.joining("\n"))
            : "";
    Files.writeString(dir.resolve("nsswitch.conf"), rest + "\nhosts: files dns\n");
  }

  private static Proc inNamespace(Map<String, String> extraEnv, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--net",
                "--propagation",
                "private",
                "sh",
                "-c",
                NAMESPACE,
                "sh",
                Proc.LAUNCHER));
    cmd.addAll(List.of(args));
    Map<String, String> env = Proc.env();
    env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("RESOLV", dir.resolve("resolv.conf").toString());
    env.put("NSS", dir.resolve("nsswitch.conf").toString());
    env.put("BLACKHOLE", BLACKHOLE);
    env.putAll(extraEnv);
    return Proc.run(cmd, env, dir);
  }

  @Test
  void endpointName_silentResolver_runEndsAtItsDeadline_exit3() throws Exception {
    long start = System.nanoTime();
    Proc p = inNamespace(Map.of(), "--endpoint", "http://" + NAME, "--timeout", "30s");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(3, p.exit(), p.err());
    assertEquals("", p.out());
    assertTrue(
        p.err().startsWith("imds-env: ") && p.err().contains("within the run's 10s deadline"),
        p.err());
    assertTrue(ms >= 9_000 && ms < 14_000, "the deadline is 10 s; the run took " + ms + " ms");
  }

  @Test
  void endpointName_silentResolver_eachAttemptEndsAtItsTimeout() throws Exception {
    long start = System.nanoTime();
    Proc p = inNamespace(Map.of(), "--endpoint", "http://" + NAME + ":8080", "--timeout", "1s");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(3, p.exit(), p.err());
    assertTrue(
        p.err().contains("name resolution of " + NAME + " gave no answer within")
            && p.err().contains("(3 attempts)"),
        p.err());
    assertTrue(ms < 7_000, "three 1 s attempts; the run took " + ms + " ms");
  }

  @Test
  void containerUriName_silentResolver_theHostCheckEndsAtTheAttemptTimeout() throws Exception {
    long start = System.nanoTime();
    Proc p =
        inNamespace(
            Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://" + NAME + "/creds"),
            "--timeout",
            "2s");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(3, p.exit(), p.err());
    assertTrue(
        p.err()
            .contains(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI http://"
                    + NAME
                    + "/creds: the host could not be checked"
                    + " (name resolution of "
                    + NAME
                    + " gave no answer within"),
        p.err());
    assertTrue(ms < 6_000, "one 2 s wait; the run took " + ms + " ms");
  }

  @Test
  void doctor_silentResolver_reachableFailsAtTheAttemptTimeout() throws Exception {
    long start = System.nanoTime();
    Proc p = inNamespace(Map.of(), "doctor", "--endpoint", "http://" + NAME, "--timeout", "1s");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(3, p.exit(), p.out() + p.err());
    assertTrue(
        p.out().contains("FAIL  reachable   name resolution of " + NAME + " gave no answer within"),
        p.out());
    assertTrue(ms < 5_000, "one 1 s wait; doctor took " + ms + " ms");
  }
}
