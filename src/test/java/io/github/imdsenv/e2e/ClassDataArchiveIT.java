package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data archive is the launcher's business: on a fresh install of the tarball or after a
 * rebuild the first export makes it, later runs map it (seen in /proc/PID/maps), it never holds a
 * secret, concurrent first runs leave one whole archive, and a read-only install run by another
 * user works, prints nothing extra and makes none. Runs the JDK that runs the tests (JAVA_HOME).
 */
class ClassDataArchiveIT {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  @TempDir Path dir;

  private Path prefix;
  private Path lib;

  @BeforeEach
  void install() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    prefix = TarballIT.unpack(dir.resolve("opt"));
    lib = prefix.resolve("lib/imds-env");
    Fixtures.healthy(wm);
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/bin:/bin");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return env;
  }

  private List<String> export(String endpoint, String... more) {
    List<String> c =
        new ArrayList<>(List.of(prefix.resolve("bin/imds-env").toString(), "--endpoint", endpoint));
    c.addAll(List.of(more));
    return c;
  }

  /**
   * Exit 0, nothing on stderr, and on stdout the credentials and not a byte more (a JVM may print
   * there).
   */
  private static void assertCleanSuccess(Proc p) {
    assertEquals(0, p.exit(), p.err());
    assertEquals("", p.err());
    assertEquals(
        "export AWS_ACCESS_KEY_ID='"
            + Fixtures.ACCESS_KEY_ID
            + "'\n"
            + "export AWS_SECRET_ACCESS_KEY='"
            + Fixtures.SECRET
            + "'\n"
            + "export AWS_SESSION_TOKEN='"
            + Fixtures.SESSION_TOKEN
            + "'\n"
            + "export AWS_CREDENTIAL_EXPIRATION='"
            + Fixtures.EXPIRES
            + "'\n",
        p.out());
  }

  private static List<Path> archives(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(d)) {
      return files
          .filter(p -> p.toString().endsWith(".jsa") || p.toString().endsWith(".aot"))
          .toList();
    }
  }

  /** Temporary files of the archive's making: none may stay. */
  private static List<Path> leftovers(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(d)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    }
  }

  private static void assertNoSecretIn(Path archive) throws IOException {
    byte[] bytes = Files.readAllBytes(archive);
    String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
    String utf16 =
        new String(bytes, StandardCharsets.UTF_16LE)
            + new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_16LE);
    for (String secret :
        List.of(
            Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.IMDS_TOKEN, Fixtures.ACCESS_KEY_ID)) {
      assertFalse(
          latin1.contains(secret) || utf16.contains(secret),
          archive + " holds " + secret.substring(0, 4) + "...");
    }
  }

  /**
   * The files the JVM of a run maps, read from /proc/PID/maps while it waits on an endpoint that
   * accepts and never answers; the launcher execs the JVM, so PID is the JVM's.
   */
  private String mapsOfAWaitingRun(List<String> asUser, Map<String, String> env, Path expected)
      throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      List<String> c = new ArrayList<>(asUser);
      c.addAll(
          export(
              "http://127.0.0.1:" + silent.getLocalPort(), "--timeout", "8s", "--attempts", "1"));
      ProcessBuilder pb =
          new ProcessBuilder(c)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().clear();
      pb.environment().putAll(env);
      Process p = pb.start();
      try {
        String maps = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < deadline) {
          Thread.sleep(100);
          try {
            maps = Files.readString(Path.of("/proc/" + p.pid() + "/maps"));
          } catch (IOException gone) {
            break;
          }
          // once the JVM runs main it has mapped its archive, if it has one: give it a moment
          if (maps.contains("libjvm.so")
              && (expected != null ? maps.contains(expected.toString()) : !held.isEmpty())) {
            break;
          }
        }
        return maps;
      } finally {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void freshInstall_firstRunMakesTheArchive_theNextMapsIt_andItHoldsNoSecret() throws Exception {
    assertEquals(List.of(), archives(lib));
    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), env(), dir));
    List<Path> made = archives(lib);
    assertEquals(1, made.size(), "one archive beside the jar: " + made);
    assertEquals(List.of(), leftovers(lib));
    assertNoSecretIn(made.get(0));

    String maps = mapsOfAWaitingRun(List.of(), env(), made.get(0));
    assertTrue(
        maps.contains(made.get(0).toString()), "the second run maps " + made.get(0) + ":\n" + maps);
    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), env(), dir));
    assertEquals(made, archives(lib));
  }

  @Test
  void rebuild_theNextRunMakesAFreshArchive_andDropsTheStaleOne() throws Exception {
    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), env(), dir));
    List<Path> before = archives(lib);
    assertEquals(1, before.size(), before.toString());
    // what a rebuild or an upgrade in place does to the jar
    Path jar = lib.resolve("imds-env.jar");
    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));

    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), env(), dir));
    List<Path> after = archives(lib);
    assertEquals(1, after.size(), after.toString());
    assertNotEquals(before, after);
    assertEquals(List.of(), leftovers(lib));
    String maps = mapsOfAWaitingRun(List.of(), env(), after.get(0));
    assertTrue(maps.contains(after.get(0).toString()), "maps " + after.get(0) + ":\n" + maps);
  }

  @Test
  void concurrentFirstRuns_leaveOneWholeArchive() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Proc>> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        runs.add(pool.submit(() -> Proc.run(export(Fixtures.endpoint(wm)), env(), dir)));
      }
      for (Future<Proc> run : runs) {
        assertCleanSuccess(run.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    List<Path> made = archives(lib);
    assertEquals(1, made.size(), made.toString());
    assertEquals(List.of(), leftovers(lib));
    String maps = mapsOfAWaitingRun(List.of(), env(), made.get(0));
    assertTrue(maps.contains(made.get(0).toString()), "maps " + made.get(0) + ":\n" + maps);
  }

  /**
   * The install read-only to the caller: another user when the tests run as root, else its owner.
   */
  private List<String> readOnlyInstall() throws Exception {
    Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("r-xr-xr-x"));
    return OutputFileIT.asUnprivileged();
  }

  @Test
  void readOnlyInstall_anotherUserWithoutACache_runsCleanly_andMakesNoArchive() throws Exception {
    List<String> asUser = readOnlyInstall();
    for (Map<String, String> env :
        List.of(
            Map.of("PATH", "/usr/bin:/bin"),
            Map.of("PATH", "/usr/bin:/bin", "HOME", "/nonexistent"))) {
      Map<String, String> e = new HashMap<>(env);
      e.put("JAVA_HOME", System.getProperty("java.home"));
      List<String> c = new ArrayList<>(asUser);
      c.addAll(export(Fixtures.endpoint(wm)));
      for (int i = 0; i < 2; i++) {
        assertCleanSuccess(Proc.run(c, e, Path.of("/")));
      }
      assertEquals(List.of(), archives(lib));
      assertEquals(List.of(), leftovers(lib));
      String maps = mapsOfAWaitingRun(asUser, e, null);
      assertTrue(maps.contains("libjvm.so"), maps);
      // the JDK's own default archive (lib/server/classes.jsa) is mapped, never one of imds-env's
      assertFalse(
          java.util.regex.Pattern.compile("(?m)/imds-env-[^/]*\\.(jsa|aot)$").matcher(maps).find(),
          maps);
    }
  }

  @Test
  void readOnlyInstall_anotherUserWithACache_archivesThere() throws Exception {
    List<String> asUser = readOnlyInstall();
    Path cache = Files.createDirectories(dir.resolve("cache"));
    if (!asUser.isEmpty()) {
      assertEquals(
          0,
          Proc.run(List.of("chown", "65534:65534", cache.toString()), Proc.cronEnv(), dir).exit());
    }
    Map<String, String> e = env();
    e.put("XDG_CACHE_HOME", cache.toString());
    List<String> c = new ArrayList<>(asUser);
    c.addAll(export(Fixtures.endpoint(wm)));
    assertCleanSuccess(Proc.run(c, e, Path.of("/")));
    assertEquals(List.of(), archives(lib));
    List<Path> made = archives(cache.resolve("imds-env"));
    assertEquals(1, made.size(), made.toString());
    assertNoSecretIn(made.get(0));
    String maps = mapsOfAWaitingRun(asUser, e, made.get(0));
    assertTrue(maps.contains(made.get(0).toString()), "maps " + made.get(0) + ":\n" + maps);
  }

  @Test
  void noCds_makesNone_andUsesNone() throws Exception {
    Map<String, String> e = env();
    e.put("IMDS_ENV_NO_CDS", "1");
    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), e, dir));
    assertEquals(List.of(), archives(lib));
  }

  @Test
  void corruptArchive_isIgnoredSilently() throws Exception {
    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), env(), dir));
    for (Path a : archives(lib)) {
      Files.writeString(a, "not an archive");
    }
    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), env(), dir));
  }
}
