package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The class-data archive is the launcher's business and only ever saves time: the first export
 * after an install, a rebuild or a JDK change makes it in the caller's own cache, later runs map it
 * (seen in /proc/PID/maps) without forking anything, it never holds a secret; and whatever is in
 * the cache (corrupted, truncated, another user's, a link, a full disk, another JDK build), a run's
 * output, status and stderr are those of a run without one. Runs the JDK that runs the tests
 * (JAVA_HOME), as root in CI (another user is played by setpriv as nobody).
 */
class ClassDataArchiveIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  private Path prefix;
  private Path lib;
  private Path home;
  private Path cache;

  @BeforeEach
  void install() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    prefix = TarballIT.unpack(dir.resolve("opt"));
    lib = prefix.resolve("lib/imds-env");
    home = Files.createDirectory(dir.resolve("home"));
    cache = home.resolve(".cache/imds-env");
    Fixtures.healthy(wm);
  }

  /** The caller's environment: its own HOME, so its cache is the test's. */
  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/bin:/bin");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("HOME", home.toString());
    return env;
  }

  private Proc run(Map<String, String> env) throws Exception {
    return Proc.run(export(Fixtures.endpoint(wm)), env, dir);
  }

  /** The first run: it makes the archive, which is then the cache's one. */
  private Path made() throws Exception {
    assertCleanSuccess(run(env()));
    List<Path> made = archives(cache);
    assertEquals(1, made.size(), "one archive in the caller's cache: " + made);
    assertEquals(List.of(), leftovers(cache));
    return made.get(0);
  }

  private void assertMapped(Path archive) throws Exception {
    String maps = mapsOfAWaitingRun(List.of(), env(), archive);
    assertTrue(maps.contains(archive.toString()), "the run maps " + archive + ":\n" + maps);
  }

  private static void assertNotMapped(String maps) {
    assertTrue(maps.contains("libjvm.so"), maps);
    // the JDK's own default archive (lib/server/classes.jsa) is mapped, never one of imds-env's
    assertFalse(
        java.util.regex.Pattern.compile("(?m)/e-[0-9]+\\.[0-9]+/[^/]*\\.(jsa|aot)$")
            .matcher(maps)
            .find(),
        maps);
  }

  private static void sh(String script, Path... args) throws Exception {
    List<String> c = new ArrayList<>(List.of("sh", "-c", script, "sh"));
    for (Path a : args) {
      c.add(a.toString());
    }
    Proc p = Proc.run(c, Proc.cronEnv(), Path.of("/"));
    assertEquals(0, p.exit(), script + ": " + p.err());
  }

  /** No JVM crash report where the run was, nor anywhere under the test's directory. */
  private void assertNoCrashReport() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      assertEquals(
          List.of(), files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList());
    }
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

  /**
   * The archives of the entries of a cache (e-KEY.N/VERSION.jsa or .aot), not those moved aside.
   */
  private static List<Path> archives(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(d, 2)) {
      return files
          .filter(p -> p.getParent().getFileName().toString().startsWith("e-"))
          .filter(p -> p.toString().endsWith(".jsa") || p.toString().endsWith(".aot"))
          .sorted()
          .toList();
    }
  }

  /** What a making leaves while it works: none may stay (what it moved aside is deleted later). */
  private static List<Path> leftovers(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(d, 2)) {
      return files
          .filter(
              p ->
                  p.getFileName().toString().startsWith(".new-")
                      || (p.getParent().getFileName().toString().startsWith("e-")
                          && p.getFileName().toString().startsWith(".")))
          .toList();
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
      Process p = Proc.start(c, env, null, null, null);
      try {
        String maps = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < deadline) {
          Thread.sleep(100);
          try {
            maps = jvmMaps(p.pid());
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
        Proc.stop(p);
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  /**
   * The maps of the run's JVM: the launcher's own PID once it has exec'd the JVM, or its child
   * while it waits on it (a run after which the launcher makes an archive).
   */
  private static String jvmMaps(long pid) throws IOException {
    String maps = Files.readString(Path.of("/proc/" + pid + "/maps"));
    if (maps.contains("libjvm.so")) {
      return maps;
    }
    for (String child :
        Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children"))
            .trim()
            .split(" ")) {
      if (!child.isEmpty()) {
        maps += Files.readString(Path.of("/proc/" + child + "/maps"));
      }
    }
    return maps;
  }

  @Test
  void freshInstall_firstRunMakesTheArchive_theNextMapsIt_andItHoldsNoSecret() throws Exception {
    assertEquals(List.of(), archives(lib));
    Path archive = made();
    assertNoSecretIn(archive);
    assertEquals(List.of(), archives(lib), "nothing is written beside the jar");
    assertEquals("rwx------", mode(cache));
    assertEquals("r--------", mode(archive));
    assertEquals("rwx------", mode(archive.getParent()));
    assertMapped(archive);
    assertCleanSuccess(run(env()));
    assertEquals(List.of(archive), archives(cache));
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  /**
   * Issue 20: once the archive is in place the launcher starts no process but the JVM: strace sees
   * the launcher's execve, then java's, and no fork or clone before it.
   */
  @Test
  void archiveInPlace_theLauncherForksNothing() throws Exception {
    made();
    Path trace = dir.resolve("trace");
    List<String> c =
        new ArrayList<>(
            List.of("strace", "-f", "-qq", "-e", "trace=execve,fork,vfork,clone,clone3"));
    c.addAll(List.of("-o", trace.toString()));
    c.addAll(export(Fixtures.endpoint(wm)));
    assertCleanSuccess(Proc.run(c, env(), dir));
    List<String> lines = Files.readAllLines(trace);
    int java = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).matches(".*execve\\(\"[^\"]*/bin/java\".*")) {
        java = i;
        break;
      }
    }
    assertTrue(java > 0, String.join("\n", lines));
    assertEquals(
        List.of(lines.get(0)),
        lines.subList(0, java),
        "before java: the launcher's own execve and nothing else");
  }

  @Test
  void rebuild_theNextRunMakesAFreshArchive_andDropsTheStaleOne() throws Exception {
    Path before = made();
    // what a rebuild or an upgrade in place does to the jar
    Path jar = lib.resolve("imds-env.jar");
    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
    String maps = mapsOfAWaitingRun(List.of(), env(), null);
    assertNotMapped(maps);
    assertCleanSuccess(run(env()));
    List<Path> after = archives(cache);
    assertEquals(1, after.size(), after.toString());
    assertEquals(
        Files.getLastModifiedTime(jar),
        Files.getLastModifiedTime(after.get(0)),
        "made anew for the rebuilt jar (" + before + " was the old one's name)");
    assertEquals(List.of(), leftovers(cache));
    assertMapped(after.get(0));
  }

  /**
   * Issue 17 item 4: a JDK rebuilt at the same path with the same version names another build
   * (JAVA_RUNTIME_VERSION): the archive of the old build is not used, one for the new build is made
   * and the old one pruned. The JDK here is a wrapper of the real one with a release file of its
   * own.
   */
  @Test
  void jdkRebuiltInPlace_isNoticed_andTheOldArchivePruned() throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
    Path realJava = Path.of(System.getProperty("java.home"), "bin", "java");
    Files.writeString(jdk.resolve("java"), "#!/bin/sh\nexec '" + realJava + "' \"$@\"\n");
    Files.setPosixFilePermissions(
        jdk.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Path release = jdk.resolveSibling("release");
    String original = Files.readString(Path.of(System.getProperty("java.home"), "release"));
    Files.writeString(release, original);
    Map<String, String> env = env();
    env.put("JAVA_HOME", jdk.getParent().toString());
    assertCleanSuccess(run(env));
    List<Path> before = archives(cache);
    assertEquals(1, before.size(), before.toString());
    Files.writeString(
        release,
        original.replaceFirst(
            "(?m)^JAVA_RUNTIME_VERSION=\"([^\"]*)\"", "JAVA_RUNTIME_VERSION=\"$1-rebuilt\""));
    assertCleanSuccess(run(env));
    List<Path> after = archives(cache);
    assertEquals(1, after.size(), after.toString());
    assertTrue(after.get(0).getFileName().toString().contains("-rebuilt."), after.toString());
    assertFalse(Files.exists(before.get(0)), "the old build's archive is moved aside");
  }

  /**
   * Issue 17 items 2 and 3: whatever is at the archive's place, a run's status, stdout and stderr
   * are those of a run without any archive, no crash report is left, and the next making replaces
   * it.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "corrupted in place",
        "truncated",
        "a corrupted copy put in its place",
        "not an archive, with the jar's mtime",
        "a symlink to the archive",
        "another user's file",
        "the entry another user's",
        "an empty file"
      })
  void doubtfulArchive_changesNothing_andIsReplaced(String what) throws Exception {
    Map<String, String> noCds = env();
    noCds.put("IMDS_ENV_NO_CDS", "1");
    Proc without = run(noCds);
    assertCleanSuccess(without);
    Path archive = made();
    Path jar = lib.resolve("imds-env.jar");
    switch (what) {
      case "corrupted in place" ->
          sh(
              "chmod u+w \"$1\" && head -c 65536 /dev/urandom"
                  + " | dd of=\"$1\" bs=4096 seek=16 conv=notrunc 2>/dev/null",
              archive);
      case "truncated" -> sh("chmod u+w \"$1\" && truncate -s 1000000 \"$1\"", archive);
      case "a corrupted copy put in its place" ->
          sh(
              "cp \"$1\" \"$1.copy\" && head -c 65536 /dev/urandom"
                  + " | dd of=\"$1.copy\" bs=4096 seek=16 conv=notrunc 2>/dev/null"
                  + " && mv -f \"$1.copy\" \"$1\"",
              archive);
      case "not an archive, with the jar's mtime" ->
          sh(
              "chmod u+w \"$1\" && echo 'not an archive' > \"$1\" && touch -r \"$2\" \"$1\"",
              archive,
              jar);
      case "a symlink to the archive" ->
          sh("mv \"$1\" \"$1.real\" && ln -s \"$1.real\" \"$1\"", archive);
      case "another user's file" -> sh("chown 65534:65534 \"$1\"", archive);
      case "the entry another user's" -> sh("chown 65534:65534 \"$1\"", archive.getParent());
      case "an empty file" ->
          sh("chmod u+w \"$1\" && : > \"$1\" && touch -r \"$2\" \"$1\"", archive, jar);
      default -> throw new AssertionError(what);
    }
    assertNotMapped(mapsOfAWaitingRun(List.of(), env(), null));
    for (int i = 0; i < 3; i++) {
      Proc p = run(env());
      assertEquals(without, p, what + ": as without an archive");
    }
    assertNoCrashReport();
    if (what.startsWith("not an archive")) {
      // only the caller can give a file the jar's own mtime (touch -r): the JVM's header check
      // refuses it and every run goes on as without an archive, until the jar or the JDK changes
      return;
    }
    List<Path> now = archives(cache);
    assertEquals(1, now.size(), now.toString());
    assertFalse(Files.isSymbolicLink(now.get(0)));
    assertEquals(
        0,
        Files.getAttribute(now.get(0), "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS),
        "the caller's own, new archive");
    assertMapped(now.get(0));
  }

  /**
   * Issue 17 item 3: a cache on a full file system (a 256 KiB tmpfs in a private mount namespace):
   * the run is as without an archive, the failure is remembered, and the next run does not try
   * again (it starts one JVM, the export's).
   */
  @Test
  void fullCache_theRunIsUnchanged_andTheMakingIsNotRetriedOnEveryRun() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        OutputFileIT.asUnprivileged().isEmpty(), "mounts a tmpfs: needs root, as CI runs");
    Map<String, String> noCds = env();
    noCds.put("IMDS_ENV_NO_CDS", "1");
    Proc without = run(noCds);
    assertCleanSuccess(without);
    Files.createDirectories(home.resolve(".cache"));
    Path out = Files.createDirectory(dir.resolve("out"));
    String launcher =
        String.join(" ", export(Fixtures.endpoint(wm)).stream().map(a -> "'" + a + "'").toList());
    String script =
        "mount -t tmpfs -o size=256k,mode=0755 tmpfs \"$HOME/.cache\" || exit 9\n"
            + launcher
            + " > '"
            + out
            + "/1.out' 2> '"
            + out
            + "/1.err'; echo $? > '"
            + out
            + "/1.rc'\n"
            + "ls -A \"$HOME/.cache/imds-env\" > '"
            + out
            + "/ls1'\n"
            + "strace -f -qq -e trace=execve -o '"
            + out
            + "/trace' "
            + launcher
            + " > '"
            + out
            + "/2.out' 2> '"
            + out
            + "/2.err'; echo $? > '"
            + out
            + "/2.rc'\n"
            + "ls -A \"$HOME/.cache/imds-env\" > '"
            + out
            + "/ls2'\n";
    Proc ns = Proc.run(List.of("unshare", "--mount", "sh", "-c", script), env(), dir);
    assertEquals(0, ns.exit(), ns.err());
    for (String run : List.of("1", "2")) {
      assertEquals(
          without,
          new Proc(
              Integer.parseInt(Files.readString(out.resolve(run + ".rc")).trim()),
              Files.readString(out.resolve(run + ".out")),
              Files.readString(out.resolve(run + ".err"))),
          "run " + run);
    }
    String ls1 = Files.readString(out.resolve("ls1"));
    assertTrue(ls1.contains(".failed-"), ls1);
    assertFalse(ls1.matches("(?s)(.*\n)?e-[^\n]*\n.*"), "no entry: " + ls1);
    assertEquals(ls1, Files.readString(out.resolve("ls2")));
    long javas =
        Files.readAllLines(out.resolve("trace")).stream()
            .filter(l -> l.matches(".*execve\\(\"[^\"]*/bin/java\".*"))
            .count();
    assertEquals(1, javas, "the second run starts the export's JVM alone");
    assertNoCrashReport();
  }

  /**
   * Issue 17 item 1: root whose HOME (or XDG_CACHE_HOME) is another user's never reads that user's
   * cache, even when it holds a valid archive under the very name root would use, and writes
   * nothing there.
   */
  @ParameterizedTest
  @ValueSource(strings = {"HOME", "XDG_CACHE_HOME"})
  void root_neverReadsACacheUnderAnotherUsersHome(String variable) throws Exception {
    List<String> asUser = OutputFileIT.asUnprivileged();
    org.junit.jupiter.api.Assumptions.assumeFalse(
        asUser.isEmpty(), "needs root, to run as another user: CI runs as root");
    sh("chown -R 65534:65534 \"$1\"", home);
    Map<String, String> alice = env();
    List<String> c = new ArrayList<>(asUser);
    c.addAll(export(Fixtures.endpoint(wm)));
    assertCleanSuccess(Proc.run(c, alice, Path.of("/")));
    List<Path> hers = archives(cache);
    assertEquals(1, hers.size(), hers.toString());
    Map<String, String> root = env();
    if (variable.equals("XDG_CACHE_HOME")) {
      root.remove("HOME");
      root.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
    }
    // root's own archive lives elsewhere (/var/cache/imds-env): made or not, hers is never mapped
    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), root, dir));
    String maps = mapsOfAWaitingRun(List.of(), root, null);
    assertFalse(maps.contains(cache.toString()), maps);
    try (Stream<Path> files = Files.walk(home)) {
      for (Path f : files.toList()) {
        assertEquals(
            65534,
            Files.getAttribute(f, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS),
            "root wrote nothing in her home: " + f);
      }
    }
  }

  /**
   * Root whose HOME is a sticky directory anyone may write (HOME=/tmp): another user plants
   * HOME/.cache as a symlink to a root-owned directory of her choosing. Root neither follows it nor
   * writes there (its making refuses any symlink on the way to the cache).
   */
  @Test
  void root_followsNoSymlinkPlantedOnTheWayToItsCache() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        OutputFileIT.asUnprivileged().isEmpty(), "needs root, as CI runs");
    Path sticky = Files.createDirectory(dir.resolve("sticky"));
    Path target = Files.createDirectory(dir.resolve("roots-own"));
    sh(
        "chmod 1777 \"$1\" && ln -s \"$2\" \"$1/.cache\" && chown -h 65534:65534 \"$1/.cache\"",
        sticky,
        target);
    Map<String, String> env = env();
    env.put("HOME", sticky.toString());
    assertCleanSuccess(run(env));
    assertCleanSuccess(run(env));
    try (Stream<Path> files = Files.list(target)) {
      assertEquals(List.of(), files.toList(), "root wrote nothing through the planted link");
    }
  }

  /**
   * Root whose HOME others may write (root's, group-writable): the making checks each directory
   * before it makes the next, so it makes nothing there (another user could have swapped a link in
   * for the cache root it was about to make).
   */
  @Test
  void homeOthersMayWrite_getsNothingMadeInIt() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        OutputFileIT.asUnprivileged().isEmpty(), "needs root, as CI runs");
    sh("chgrp 65534 \"$1\" && chmod 2775 \"$1\"", home);
    assertCleanSuccess(run(env()));
    assertFalse(Files.exists(home.resolve(".cache")), "nothing made in a HOME others may write");
  }

  /** exec hands COMMAND the caller's own descriptors 7 and 9, archive or not. */
  @Test
  void exec_keepsTheCallersDescriptors7And9_forCommand() throws Exception {
    made();
    Path seven = Files.writeString(dir.resolve("seven"), "caller's 7\n");
    Path nine = Files.writeString(dir.resolve("nine"), "caller's 9\n");
    String launcher = prefix.resolve("bin/imds-env").toString();
    Proc p =
        Proc.run(
            List.of(
                "sh",
                "-c",
                "exec 7<\"$1\" 9<\"$2\"; \"$3\" exec --endpoint \"$4\" -- sh -c 'cat <&7; cat <&9'",
                "sh",
                seven.toString(),
                nine.toString(),
                launcher,
                Fixtures.endpoint(wm)),
            env(),
            dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals("caller's 7\ncaller's 9\n", p.out());
  }

  /**
   * Issue 17 item 2, what is left: an archive corrupted behind its mtime's back (bit rot; here dd,
   * then the jar's mtime put back by hand) passes every check a run can make without reading it.
   * The JVM may then crash: never a byte on stdout or stderr, never a crash report left behind.
   */
  @Test
  void archiveCorruptedBehindItsMtime_neverPrintsACrash() throws Exception {
    Path archive = made();
    sh(
        "chmod u+w \"$1\" && head -c 65536 /dev/urandom"
            + " | dd of=\"$1\" bs=4096 seek=16 conv=notrunc 2>/dev/null && touch -r \"$2\" \"$1\"",
        archive,
        lib.resolve("imds-env.jar"));
    Proc p = run(env());
    assertEquals("", p.err());
    if (p.exit() == 0) {
      assertCleanSuccess(p);
    } else {
      assertEquals(134, p.exit(), "the JVM's abort");
      assertEquals("", p.out());
    }
    assertNoCrashReport();
  }

  /** A making whose check of the new archive fails keeps nothing, and says so for a day. */
  @Test
  void archiveThatFailsItsCheck_isNotKept() throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
    Path realJava = Path.of(System.getProperty("java.home"), "bin", "java");
    Files.writeString(
        jdk.resolve("java"),
        "#!/bin/sh\ncase \"$*\" in *VerifySharedSpaces*) exit 1 ;; esac\nexec '"
            + realJava
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(
        jdk.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.copy(Path.of(System.getProperty("java.home"), "release"), jdk.resolveSibling("release"));
    Map<String, String> env = env();
    env.put("JAVA_HOME", jdk.getParent().toString());
    assertCleanSuccess(run(env));
    assertEquals(List.of(), archives(cache));
    assertEquals(List.of(), leftovers(cache));
    try (Stream<Path> files = Files.list(cache)) {
      assertTrue(
          files.anyMatch(f -> f.getFileName().toString().startsWith(".failed-")),
          "the failure is remembered");
    }
  }

  /**
   * The caller's own cache directory made loose (0777) gets 0700 back from the next making; a cache
   * root that others may write (~/.cache 0775) gets no archive at all.
   */
  @Test
  void looseCache_isMadePrivateAgain_andAWritableCacheRootGetsNone() throws Exception {
    Files.createDirectories(cache);
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path archive = made();
    assertEquals("rwx------", mode(cache));
    Files.delete(archive);
    Files.setPosixFilePermissions(cache.getParent(), PosixFilePermissions.fromString("rwxrwxr-x"));
    assertCleanSuccess(run(env()));
    assertEquals(List.of(), archives(cache));
  }

  @Test
  void concurrentFirstRuns_leaveOneWholeArchive() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Proc>> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        runs.add(pool.submit(() -> run(env())));
      }
      for (Future<Proc> run : runs) {
        assertCleanSuccess(run.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    List<Path> made = archives(cache);
    assertEquals(1, made.size(), made.toString());
    assertEquals(List.of(), leftovers(cache));
    assertMapped(made.get(0));
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
      assertNotMapped(mapsOfAWaitingRun(asUser, e, null));
    }
  }

  @Test
  void readOnlyInstall_anotherUserWithACache_archivesThere_andAnUnreadableOneIsIgnored()
      throws Exception {
    List<String> asUser = readOnlyInstall();
    Path xdg = Files.createDirectories(dir.resolve("cache"));
    if (!asUser.isEmpty()) {
      sh("chown 65534:65534 \"$1\"", xdg);
    }
    Map<String, String> e = env();
    e.remove("HOME");
    e.put("XDG_CACHE_HOME", xdg.toString());
    List<String> c = new ArrayList<>(asUser);
    c.addAll(export(Fixtures.endpoint(wm)));
    assertCleanSuccess(Proc.run(c, e, Path.of("/")));
    assertEquals(List.of(), archives(lib));
    List<Path> made = archives(xdg.resolve("imds-env"));
    assertEquals(1, made.size(), made.toString());
    assertNoSecretIn(made.get(0));
    String maps = mapsOfAWaitingRun(asUser, e, made.get(0));
    assertTrue(maps.contains(made.get(0).toString()), "maps " + made.get(0) + ":\n" + maps);
    if (!asUser.isEmpty()) {
      // root reads any file: only another user can find its archive unreadable
      Files.setPosixFilePermissions(made.get(0), PosixFilePermissions.fromString("---------"));
      assertCleanSuccess(Proc.run(c, e, Path.of("/")));
      assertNoCrashReport();
    }
  }

  @Test
  void noCds_makesNone_andUsesNone() throws Exception {
    Map<String, String> e = env();
    e.put("IMDS_ENV_NO_CDS", "1");
    assertCleanSuccess(Proc.run(export(Fixtures.endpoint(wm)), e, dir));
    assertEquals(List.of(), archives(lib));
    assertFalse(Files.exists(cache));
  }

  /** Archives of installs that are gone are pruned by the next making, whoever's they were. */
  @Test
  void archivesOfRemovedInstalls_arePruned() throws Exception {
    Path first = made();
    Path other = TarballIT.unpack(dir.resolve("opt2"));
    sh("rm -rf \"$1\"", prefix);
    prefix = other;
    assertCleanSuccess(run(env()));
    List<Path> now = archives(cache);
    assertEquals(1, now.size(), now.toString());
    assertFalse(Files.exists(first), "the removed install's archive is moved aside");
  }
}
