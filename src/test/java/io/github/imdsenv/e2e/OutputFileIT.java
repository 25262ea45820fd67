package io.github.imdsenv.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * -o FILE through the real launcher: atomic, owner-only, serialized, untouched on every failure.
 */
class OutputFileIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  @TempDir Path installDir;

  static final String OLD =
      "AWS_ACCESS_KEY_ID=OLD\nAWS_SECRET_ACCESS_KEY=old\nAWS_SESSION_TOKEN=old\n"
          + "AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z\n";

  private Path file() {
    return dir.resolve("aws.env");
  }

  private List<String> cmd(String... extra) {
    List<String> c =
        Proc.launcher(
            "--endpoint",
            Fixtures.endpoint(wm),
            "--timeout",
            "500ms",
            "-f",
            "env-no-export",
            "-o",
            file().toString());
    c.addAll(List.of(extra));
    return c;
  }

  private Proc run(String... extra) throws Exception {
    return Proc.run(cmd(extra), Proc.cronEnv(), dir);
  }

  static String expectedEnvFile() {
    return "AWS_ACCESS_KEY_ID="
        + Fixtures.ACCESS_KEY_ID
        + "\nAWS_SECRET_ACCESS_KEY="
        + Fixtures.SECRET
        + "\nAWS_SESSION_TOKEN="
        + Fixtures.SESSION_TOKEN
        + "\nAWS_CREDENTIAL_EXPIRATION="
        + Fixtures.EXPIRES
        + "\n";
  }

  private void assertOnlyTheFileAndItsLock() throws Exception {
    try (var files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(
          names.stream().allMatch(n -> n.equals("aws.env") || n.equals("aws.env.lock")),
          "left behind: " + names);
    }
  }

  private void assertUntouched(Proc p, int exit, FileTime mtime) throws Exception {
    assertEquals(exit, p.exit(), p.err());
    assertEquals("", p.out());
    assertEquals(OLD, Files.readString(file()));
    assertEquals(mtime, Files.getLastModifiedTime(file()));
    assertOnlyTheFileAndItsLock();
  }

  private FileTime writeOld() throws Exception {
    Files.writeString(file(), OLD);
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-------"));
    FileTime t =
        FileTime.from(Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS));
    Files.setLastModifiedTime(file(), t);
    return t;
  }

  @Test
  void write_isComplete_ownerOnlyEvenUnderUmask000_andStdoutStaysEmpty() throws Exception {
    Fixtures.healthy(wm);
    List<String> c = new ArrayList<>(List.of("sh", "-c", "umask 000; exec \"$@\"", "sh"));
    c.addAll(cmd());
    Proc p = Proc.run(c, Proc.cronEnv(), dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals("", p.out());
    assertEquals(expectedEnvFile(), Files.readString(file()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
    assertOnlyTheFileAndItsLock();
  }

  @Test
  void existingWorldReadableFile_keepsItsGroupAccess_losesOthers_withAWarning() throws Exception {
    Fixtures.healthy(wm);
    writeOld();
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
    Proc p = run();
    assertEquals(0, p.exit(), p.err());
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
    assertEquals(
        "imds-env: warning: "
            + file()
            + " gave other users access (mode 0644); it is written 0640:"
            + " credentials are never readable by every user\n",
        p.err());
    Proc again = run();
    assertEquals("", again.err(), "warned once: the file no longer gives others access");
    Proc quiet = Proc.run(cmd("-q"), Proc.cronEnv(), dir);
    assertEquals("", quiet.err());
  }

  @Test
  void imdsDown_fileUntouched_exit3() throws Exception {
    FileTime t = writeOld();
    List<String> c = cmd();
    c.set(2, "http://127.0.0.1:1");
    assertUntouched(Proc.run(c, Proc.cronEnv(), dir), 3, t);
  }

  @Test
  void badResponse_fileUntouched_exit5() throws Exception {
    Fixtures.healthy(wm, "{\"Code\":\"Failure\"}");
    FileTime t = writeOld();
    assertUntouched(run(), 5, t);
  }

  @Test
  void valueTheFormatCannotCarry_fileUntouched_exit5() throws Exception {
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID,
            "has space",
            Fixtures.SESSION_TOKEN,
            Fixtures.EXPIRES.toString(),
            null));
    FileTime t = writeOld();
    assertUntouched(run(), 5, t);
  }

  @Test
  void missingDirectory_exit6_oneLine() throws Exception {
    Fixtures.healthy(wm);
    List<String> c = cmd();
    c.set(c.size() - 1, dir.resolve("no/such/dir/aws.env").toString());
    Proc p = Proc.run(c, Proc.cronEnv(), dir);
    assertEquals(6, p.exit());
    assertEquals(
        "imds-env: cannot write "
            + dir.resolve("no/such/dir/aws.env")
            + ": its directory "
            + dir.resolve("no/such/dir")
            + " does not exist\n",
        p.err());
  }

  @Test
  void readOnlyDirectory_exit6_fileUntouched() throws Exception {
    Fixtures.healthy(wm);
    FileTime t = writeOld();
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      // root writes anywhere: as root the run goes as nobody, for whom the directory is read-only
      // too,
      // with a copy of the launcher and jar that nobody can read wherever the checkout is
      List<String> c = new ArrayList<>(asUnprivileged());
      c.addAll(cmd());
      c.set(asUnprivileged().size(), worldReadableInstall(installDir).toString());
      Proc p = Proc.run(c, Proc.cronEnv(), Path.of("/"));
      assertEquals(6, p.exit(), p.err());
      // the lock's failure, and the fix
      assertEquals(
          "imds-env: cannot write "
              + file()
              + ": cannot open its lock file "
              + file()
              + ".lock: permission denied (the lock and the new file are made beside FILE): write"
              + " FILE in a directory you may write, or run as a user who may write "
              + dir
              + "; the file was left as it was\n",
          p.err());
      assertEquals(OLD, Files.readString(file()));
      assertEquals(t, Files.getLastModifiedTime(file()));
      try (var files = Files.list(dir)) {
        assertEquals(List.of("aws.env"), files.map(f -> f.getFileName().toString()).toList());
      }
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void writeFails_likeADiskFull_exit6_fileUntouched_noTemporaryFile() throws Exception {
    // a file-size limit of 0 makes every write fail (EFBIG), as ENOSPC would, even for root
    Fixtures.healthy(wm);
    FileTime t = writeOld();
    // the limit holds in a subshell alone: its stderr goes through a pipe to cat, which writes the
    // log
    List<String> c =
        new ArrayList<>(
            List.of(
                "sh", "-c", "(ulimit -f 0; \"$@\"; echo \"exit $?\" >&2) 2>&1 | cat >&2", "sh"));
    c.addAll(cmd());
    Proc p = Proc.run(c, Proc.cronEnv(), dir);
    assertUntouched(new Proc(p.err().endsWith("exit 6\n") ? 6 : -1, p.out(), p.err()), 6, t);
    assertTrue(
        p.err()
            .startsWith(
                "imds-env: cannot write "
                    + file()
                    + ": File too large; the file was left as it was\n"),
        p.err());
  }

  /**
   * scripts/imds-env and target/imds-env.jar copied where any user can run them; returns the
   * launcher.
   */
  static Path worldReadableInstall(Path root) throws Exception {
    Path launcher = Path.of(Proc.LAUNCHER);
    Path scripts = Files.createDirectories(root.resolve("scripts"));
    Path target = Files.createDirectories(root.resolve("target"));
    Files.copy(launcher, scripts.resolve("imds-env"));
    Files.copy(Proc.JAR, target.resolve("imds-env.jar"));
    for (Path p : List.of(root, scripts, target, scripts.resolve("imds-env"))) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.setPosixFilePermissions(
        target.resolve("imds-env.jar"), PosixFilePermissions.fromString("rw-r--r--"));
    return scripts.resolve("imds-env");
  }

  static List<String> asUnprivileged() throws Exception {
    return Proc.root()
        ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--")
        : List.of();
  }

  @Test
  void sigkillAtRandomMoments_neverLeavesAPartialFileOrATemporaryFile() throws Exception {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE))
            .willReturn(ok(Fixtures.credentialsJson()).withFixedDelay(400)));
    Random random = new Random(7);
    int killedBeforeTheEnd = 0;
    for (int round = 0; round < 12; round++) {
      String before = Files.exists(file()) ? Files.readString(file()) : null;
      Process p = Proc.start(cmd(), Proc.cronEnv(), null, null, null);
      Thread.sleep(150 + random.nextInt(700));
      // the launcher execs the JVM: this pid is the JVM itself
      new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
      p.waitFor(10, TimeUnit.SECONDS);
      if (p.exitValue() == 137) {
        killedBeforeTheEnd++;
      }
      String after = Files.exists(file()) ? Files.readString(file()) : null;
      assertTrue(
          after == null ? before == null : after.equals(expectedEnvFile()),
          "round " + round + ": the file is the old one or the new one, whole: " + after);
      try (var files = Files.list(dir)) {
        assertTrue(
            files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp"))
                || p.exitValue() == 137,
            "a finished run leaves no temporary file");
      }
    }
    assertTrue(killedBeforeTheEnd >= 6, "most runs were killed mid-flight: " + killedBeforeTheEnd);
    // whatever a kill left, the next writer clears it
    assertEquals(0, run().exit());
    assertOnlyTheFileAndItsLock();
  }

  @Test
  void tenConcurrentWriters_oneCompleteFile_andWithMinValidityOnlyOneFetch() throws Exception {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE))
            .willReturn(ok(Fixtures.credentialsJson()).withFixedDelay(200)));
    List<Process> writers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      // a generous timeout: ten JVMs starting at once on two cores must not turn a slow answer into
      // a retry
      writers.add(
          Proc.start(
              cmd("--min-validity", "1h", "--timeout", "5s"), Proc.cronEnv(), null, null, null));
    }
    for (Process p : writers) {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue());
    }
    assertEquals(expectedEnvFile(), Files.readString(file()));
    assertOnlyTheFileAndItsLock();
    // the writers took turns: the first fetched, the nine after it found the file fresh
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "env",
        "env-no-export",
        "fish",
        "powershell",
        "windows-cmd",
        "process",
        "json",
        "ini"
      })
  void minValidity_freshFile_noRequestAtAll_fileUntouched(String format) throws Exception {
    Fixtures.healthy(wm);
    List<String> first = cmd("--region", "--account-id");
    first.set(first.indexOf("env-no-export"), format);
    assertEquals(0, Proc.run(first, Proc.cronEnv(), dir).exit());
    FileTime t =
        FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS));
    Files.setLastModifiedTime(file(), t);
    String content = Files.readString(file());
    wm.resetRequests();
    List<String> again = new ArrayList<>(first);
    again.addAll(List.of("--min-validity", "15m", "-v"));
    Proc p = Proc.run(again, Proc.cronEnv(), dir);
    assertEquals(0, p.exit(), p.err());
    // the fixture's expiry was set when the suite started: what is left of it, to the minute,
    // either side
    long left = java.time.Duration.between(Instant.now(), Fixtures.EXPIRES).toMinutes();
    boolean said = false;
    for (long m = left - 1; m <= left + 1; m++) {
      said |=
          p.err()
              .contains(
                  "valid for "
                      + (m / 60)
                      + "h "
                      + (m % 60)
                      + "m more, over --min-validity 15m: nothing fetched");
    }
    assertTrue(said, p.err());
    assertEquals(0, wm.getAllServeEvents().size(), format + ": no request while the file is fresh");
    assertEquals(content, Files.readString(file()));
    assertEquals(t, Files.getLastModifiedTime(file()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"env", "json", "process", "ini"})
  void minValidity_insideTheWindow_fetches(String format) throws Exception {
    String soon =
        Instant.now().plus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
    Fixtures.healthy(
        wm,
        Fixtures.json(Fixtures.ACCESS_KEY_ID, Fixtures.SECRET, Fixtures.SESSION_TOKEN, soon, null));
    List<String> c = cmd("--min-validity", "15m", "-v");
    c.set(c.indexOf("env-no-export"), format);
    assertEquals(0, Proc.run(c, Proc.cronEnv(), dir).exit());
    Fixtures.healthy(wm);
    wm.resetRequests();
    Proc p = Proc.run(c, Proc.cronEnv(), dir);
    assertEquals(0, p.exit(), p.err());
    assertTrue(
        p.err().contains("valid for only 9m") || p.err().contains("valid for only 10m"), p.err());
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE)));
    assertTrue(Files.readString(file()).contains(Fixtures.EXPIRES.toString()));
  }

  @Test
  void minValidity_fileMissingTheVariablesAskedFor_fetches() throws Exception {
    Fixtures.healthy(wm);
    assertEquals(0, run().exit());
    wm.resetRequests();
    assertEquals(0, run("--region", "--min-validity", "15m").exit());
    assertTrue(Files.readString(file()).contains("AWS_REGION=eu-central-2\n"));
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(Fixtures.REGION)));
  }

  @Test
  void minValidity_unparsableFile_meansFetch() throws Exception {
    Fixtures.healthy(wm);
    Files.writeString(file(), "garbage AWS_CREDENTIAL_EXPIRATION=soon\n");
    assertEquals(0, run("--min-validity", "15m").exit());
    assertEquals(expectedEnvFile(), Files.readString(file()));
  }

  @Test
  void minValidity_withoutOutput_isAUsageError() throws Exception {
    Proc p = Proc.run(Proc.launcher("--min-validity", "15m"), Proc.cronEnv(), dir);
    assertEquals(2, p.exit());
    assertEquals("imds-env: --min-validity needs --output FILE (see 'imds-env --help')\n", p.err());
  }

  @Test
  void ini_replacesOnlyItsProfile_keepsOtherProfilesAndComments_andConfigparserReadsIt()
      throws Exception {
    Fixtures.healthy(wm);
    String existing =
        new String(
            getClass().getResourceAsStream("/golden/credentials-before.ini").readAllBytes(),
            StandardCharsets.UTF_8);
    Path creds = dir.resolve("credentials");
    Files.writeString(creds, existing);
    List<String> c =
        Proc.launcher(
            "--endpoint",
            Fixtures.endpoint(wm),
            "-f",
            "ini",
            "--profile-name",
            "imds",
            "--account-id",
            "-o",
            creds.toString());
    assertEquals(0, Proc.run(c, Proc.cronEnv(), dir).exit());
    String expected =
        new String(
                getClass().getResourceAsStream("/golden/credentials-after.ini").readAllBytes(),
                StandardCharsets.UTF_8)
            .replace("EXPIRES", Fixtures.EXPIRES.toString());
    assertEquals(expected, Files.readString(creds));
    // botocore's parser: RawConfigParser, one value a key
    Proc py =
        Proc.run(
            List.of(
                "python3",
                "-c",
                "import configparser,sys\n"
                    + "c = configparser.RawConfigParser()\nc.read(sys.argv[1])\n"
                    + "print(c.sections())\ns = c['imds']\nprint(s['aws_access_key_id'], s['aws_secret_access_key'], s['aws_session_token'],"
                    + " s['aws_account_id'])\nprint(c['work']['aws_access_key_id'])",
                creds.toString()),
            Proc.cronEnv(),
            dir);
    assertEquals(0, py.exit(), py.err());
    assertEquals(
        "['default', 'work', 'imds', 'legacy']\n"
            + Fixtures.ACCESS_KEY_ID
            + " "
            + Fixtures.SECRET
            + " "
            + Fixtures.SESSION_TOKEN
            + " 123456789012\nAKIAWORKEXAMPLE\n",
        py.out());
  }

  @Test
  void ini_newProfile_isAppended() throws Exception {
    Fixtures.healthy(wm);
    Path creds = dir.resolve("credentials");
    Files.writeString(creds, "[default]\naws_access_key_id = A\n");
    List<String> c =
        Proc.launcher(
            "--endpoint",
            Fixtures.endpoint(wm),
            "-f",
            "ini",
            "--profile-name",
            "new",
            "-o",
            creds.toString());
    assertEquals(0, Proc.run(c, Proc.cronEnv(), dir).exit());
    assertTrue(
        Files.readString(creds)
            .startsWith(
                "[default]\naws_access_key_id = A\n\n[new]\naws_access_key_id = "
                    + Fixtures.ACCESS_KEY_ID
                    + "\n"),
        Files.readString(creds));
  }

  /** The launcher against the simulated IMDS with these arguments, as cron runs it. */
  private Proc launch(String... args) throws Exception {
    List<String> c = Proc.launcher("--endpoint", Fixtures.endpoint(wm));
    c.addAll(List.of(args));
    return Proc.run(c, Proc.cronEnv(), dir);
  }

  /**
   * A forgotten -f never turns a file into another kind (issue 22): the default env over a
   * credentials file, -f ini over a docker env file; refused before any request, the file as it
   * was, and the -f that fits named.
   */
  @Test
  void forgottenFormat_neverTurnsAFileIntoAnotherKind_exit6_beforeAnyRequest() throws Exception {
    Fixtures.healthy(wm);
    wm.resetRequests();
    Path creds = dir.resolve("credentials");
    String profiles =
        "[default]\naws_access_key_id = AKIAMAIN\n\n[other]\naws_access_key_id = AKIAOTHER\n";
    Files.writeString(creds, profiles);
    Proc p = launch("-o", creds.toString());
    assertEquals(6, p.exit(), p.err());
    assertEquals("", p.out());
    assertEquals(
        "imds-env: "
            + creds
            + " holds ini profiles ([default], [other]); -o would replace them with export lines:"
            + " use -f ini --profile-name NAME to update one profile, or another FILE\n",
        p.err());
    assertEquals(profiles, Files.readString(creds));

    Path app = dir.resolve("app.env");
    String env = "APP_MODE=prod\nAWS_REGION=eu-west-1\n";
    Files.writeString(app, env);
    p = launch("-f", "ini", "-o", app.toString());
    assertEquals(6, p.exit(), p.err());
    assertEquals("", p.out());
    assertEquals(
        "imds-env: "
            + app
            + " holds NAME=value lines; -f ini would add an ini profile to it:"
            + " use -f env-no-export to replace it, or another FILE\n",
        p.err());
    assertEquals(env, Files.readString(app));
    assertEquals(0, wm.getAllServeEvents().size(), "no request before the refusals");

    // the -f each message names writes them
    p = launch("-f", "ini", "--profile-name", "imds", "-o", creds.toString());
    assertEquals(0, p.exit(), p.err());
    assertTrue(Files.readString(creds).startsWith(profiles + "\n[imds]\n"));
    p = launch("-f", "env-no-export", "-o", app.toString());
    assertEquals(0, p.exit(), p.err());
    assertTrue(Files.readString(app).startsWith("AWS_ACCESS_KEY_ID=" + Fixtures.ACCESS_KEY_ID));
  }

  @Test
  void environmentFile_isReadBackByShells_andEveryValueIsExact() throws Exception {
    Fixtures.healthy(wm);
    assertEquals(0, run("--region").exit());
    Map<String, String> env = Proc.env("F", file().toString());
    Proc p =
        Proc.run(
            List.of(
                "sh",
                "-c",
                "set -a; . \"$F\"; printf '%s|%s' \"$AWS_SESSION_TOKEN\" \"$AWS_REGION\""),
            env,
            dir);
    assertEquals(Fixtures.SESSION_TOKEN + "|eu-central-2", p.out());
  }
}
