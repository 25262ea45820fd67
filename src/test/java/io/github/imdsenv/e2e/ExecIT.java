package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * imds-env exec, through the real launcher: an execve of COMMAND (its PID is the caller's, nothing
 * of ours remains), environment, scrubbing, status, signals, argv.
 */
class ExecIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  private List<String> exec(String... command) {
    List<String> c = Proc.launcher("exec", "--endpoint", Fixtures.endpoint(wm), "--region", "--");
    c.addAll(List.of(command));
    return c;
  }

  private Map<String, String> env() {
    return Proc.env("OUT", dir.toString());
  }

  /** Starts a run in the background, stdout and stderr to files in the temporary directory. */
  private Process start(List<String> command, Map<String, String> env) throws Exception {
    return Proc.start(command, env, null, dir.resolve("stdout"), dir.resolve("stderr"));
  }

  @Test
  void child_getsTheCredentials_andInheritedAwsVariablesAreScrubbed() throws Exception {
    Fixtures.healthy(wm);
    Map<String, String> env = env();
    env.putAll(
        Map.of(
            "AWS_PROFILE",
            "stale",
            "AWS_DEFAULT_PROFILE",
            "stale",
            "AWS_ACCESS_KEY_ID",
            "AKIASTALE",
            "AWS_SECRET_ACCESS_KEY",
            "stale",
            "AWS_SECURITY_TOKEN",
            "stale",
            "AWS_CREDENTIAL_EXPIRATION",
            "2020-01-01T00:00:00Z",
            "AWS_ACCOUNT_ID",
            "999999999999",
            "KEEP_ME",
            "kept"));
    Proc p =
        Proc.run(
            exec(
                "sh",
                "-c",
                "printf '%s|' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\""
                    + " \"$AWS_CREDENTIAL_EXPIRATION\" \"$AWS_REGION\" \"${AWS_PROFILE-unset}\" \"${AWS_DEFAULT_PROFILE-unset}\""
                    + " \"${AWS_SECURITY_TOKEN-unset}\" \"${AWS_ACCOUNT_ID-unset}\" \"$KEEP_ME\""),
            env,
            dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals(
        Fixtures.ACCESS_KEY_ID
            + "|"
            + Fixtures.SECRET
            + "|"
            + Fixtures.SESSION_TOKEN
            + "|"
            + Fixtures.EXPIRES
            + "|eu-central-2|unset|unset|unset|unset|kept|",
        p.out());
    assertEquals("", p.err());
  }

  /** --region REGION, as the AWS CLI takes it, before COMMAND: a bare one leaves COMMAND alone. */
  @Test
  void regionGiven_orBare_beforeTheCommand() throws Exception {
    Fixtures.healthy(wm);
    String print = "printf '%s|%s|' \"$AWS_REGION\" \"$AWS_DEFAULT_REGION\"";
    for (List<String> args :
        List.of(
            List.of("--region", "us-west-2", "--"),
            List.of("--region=us-west-2"),
            List.of("--region", "us-west-2"))) {
      List<String> c = Proc.launcher("exec", "--endpoint", Fixtures.endpoint(wm));
      c.addAll(args);
      c.addAll(List.of("sh", "-c", print));
      Proc p = Proc.run(c, env(), dir);
      assertEquals(0, p.exit(), p.err());
      assertEquals("us-west-2|us-west-2|", p.out(), args.toString());
    }
    // bare before COMMAND: the word after it is COMMAND, not its value
    Proc bare =
        Proc.run(
            Proc.launcher(
                "exec", "--endpoint", Fixtures.endpoint(wm), "--region", "sh", "-c", print),
            env(),
            dir);
    assertEquals(0, bare.exit(), bare.err());
    assertEquals("eu-central-2|eu-central-2|", bare.out());
  }

  @Test
  void accountId_setsAwsAccountId_overTheInheritedOne() throws Exception {
    Fixtures.healthy(wm);
    Map<String, String> env = env();
    env.put("AWS_ACCOUNT_ID", "999999999999");
    Proc p =
        Proc.run(
            Proc.launcher(
                "exec",
                "--endpoint",
                Fixtures.endpoint(wm),
                "--account-id",
                "--security-token",
                "--",
                "sh",
                "-c",
                "printf '%s|%s' \"$AWS_ACCOUNT_ID\" \"$AWS_SECURITY_TOKEN\""),
            env,
            dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals("123456789012|" + Fixtures.SESSION_TOKEN, p.out());
  }

  @Test
  void hostileValues_reachTheChildByteForByte_andNothingRuns() throws Exception {
    // the launcher evaluates what the JVM hands it: every value must stay inside its single quotes
    String secret =
        "a'b\"c $(touch \"$OUT/pwned\") `touch \"$OUT/pwned\"` ;touch \"$OUT/pwned\"\nline2 \\ é";
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID,
            secret,
            Fixtures.SESSION_TOKEN,
            Fixtures.EXPIRES.toString(),
            null));
    Proc p = Proc.run(exec("sh", "-c", "printf '%s' \"$AWS_SECRET_ACCESS_KEY\""), env(), dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals(secret, p.out());
    assertFalse(Files.exists(dir.resolve("pwned")));
  }

  @Test
  void exitStatus_isTheChilds() throws Exception {
    Fixtures.healthy(wm);
    assertEquals(7, Proc.run(exec("sh", "-c", "exit 7"), env(), dir).exit());
    assertEquals(
        143, Proc.run(exec("sh", "-c", "kill -TERM $$"), env(), dir).exit(), "128 + SIGTERM");
  }

  @Test
  void commandOptions_andArguments_reachTheCommandUntouched() throws Exception {
    Fixtures.healthy(wm);
    // no LANG: the words never pass through Java's decoding, so non-ASCII survives the POSIX locale
    Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
    // an @file is COMMAND's to read (curl -d @body.json), never expanded by imds-env's parser
    Files.writeString(dir.resolve("body.json"), "{}");
    Proc p =
        Proc.run(
            Proc.launcher(
                "exec",
                "--endpoint",
                Fixtures.endpoint(wm),
                "printf",
                "%s|",
                "--region",
                "a b*",
                "it's",
                "é ü",
                "@body.json",
                "",
                "$HOME"),
            env,
            dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals("--region|a b*|it's|é ü|@body.json||$HOME|", p.out());
    Proc q =
        Proc.run(
            Proc.launcher(
                "exec", "--endpoint", Fixtures.endpoint(wm), "--", "printf", "%s", "@body.json"),
            env,
            dir);
    assertEquals(0, q.exit(), q.err());
    assertEquals("@body.json", q.out());
  }

  @Test
  void aCommandNamedLikeAnOption_stillRuns() throws Exception {
    Fixtures.healthy(wm);
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path weird = bin.resolve("-weird");
    Files.writeString(weird, "#!/bin/sh\nprintf '%s' \"$1\"\n");
    Files.setPosixFilePermissions(weird, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = env();
    env.put("PATH", bin + ":/usr/bin:/bin");
    Proc p = Proc.run(exec("-weird", "arg"), env, dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals("arg", p.out());
  }

  /**
   * The launcher's exec part under each shell /bin/sh may be (dash on Debian, bash on Amazon Linux,
   * busybox ash on Alpine, ...): scrubbing, arguments, a command named like an option, 127.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {"dash", "bash", "bash --posix", "mksh", "busybox ash", "zsh --emulate sh"})
  void underEachShell_theLauncherExecs(String shell) throws Exception {
    Fixtures.healthy(wm);
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path weird = bin.resolve("-weird");
    Files.writeString(
        weird, "#!/bin/sh\nprintf '%s|' \"$@\" \"${AWS_PROFILE-unset}\" \"$AWS_ACCESS_KEY_ID\"\n");
    Files.setPosixFilePermissions(weird, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = env();
    env.put("PATH", bin + ":/usr/bin:/bin");
    env.put("AWS_PROFILE", "stale");
    List<String> run = new ArrayList<>(List.of(shell.split(" ")));
    run.addAll(
        Proc.launcher("exec", "--endpoint", Fixtures.endpoint(wm), "--", "-weird", "a b", "it's"));
    Proc p = Proc.run(run, env, dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals("a b|it's|unset|" + Fixtures.ACCESS_KEY_ID + "|", p.out());
    List<String> missing = new ArrayList<>(List.of(shell.split(" ")));
    missing.addAll(
        Proc.launcher("exec", "--endpoint", Fixtures.endpoint(wm), "--", "no-such-command-here"));
    Proc q = Proc.run(missing, env, dir);
    assertEquals(127, q.exit());
    assertEquals("imds-env: exec: cannot run 'no-such-command-here': command not found\n", q.err());
  }

  @Test
  void commandNotFound_exit127_oneLine() throws Exception {
    Fixtures.healthy(wm);
    Proc p = Proc.run(exec("no-such-command-here"), env(), dir);
    assertEquals(127, p.exit());
    assertEquals("", p.out());
    assertEquals("imds-env: exec: cannot run 'no-such-command-here': command not found\n", p.err());
    Proc q = Proc.run(exec(dir.resolve("missing").toString()), env(), dir);
    assertEquals(127, q.exit());
    assertEquals(
        "imds-env: exec: cannot run '" + dir.resolve("missing") + "': command not found\n",
        q.err());
  }

  @Test
  void commandNotExecutable_exit126_oneLine() throws Exception {
    Fixtures.healthy(wm);
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path plain = bin.resolve("plain-file");
    Files.writeString(plain, "#!/bin/sh\necho ran\n");
    Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
    Map<String, String> env = env();
    env.put("PATH", bin + ":/usr/bin:/bin");
    Proc p = Proc.run(exec("plain-file"), env, dir);
    assertEquals(126, p.exit());
    assertEquals("", p.out());
    assertEquals("imds-env: exec: cannot run 'plain-file': permission denied\n", p.err());
    Proc q = Proc.run(exec(plain.toString()), env, dir);
    assertEquals(126, q.exit());
  }

  @Test
  void fetchFailure_theChildNeverStarts_andTheExportsCodeComesBack() throws Exception {
    Fixtures.healthy(wm);
    wm.stubFor(
        com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(Fixtures.ROLES))
            .willReturn(Fixtures.status(404)));
    Proc p = Proc.run(exec("sh", "-c", "touch \"$OUT/started\""), env(), dir);
    assertEquals(4, p.exit());
    assertEquals("", p.out());
    assertFalse(Files.exists(dir.resolve("started")));
  }

  @Test
  void optionsBeforeExec_areRefused() throws Exception {
    Proc p =
        Proc.run(
            Proc.launcher("--endpoint", "http://127.0.0.1:1", "exec", "--", "true"), env(), dir);
    assertEquals(2, p.exit());
    assertTrue(p.err().contains("options before 'exec' do not apply to it"), p.err());
  }

  @Test
  void help_goesToStdout() throws Exception {
    Proc p = Proc.run(Proc.launcher("exec", "--help"), env(), dir);
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().startsWith("Usage: imds-env exec ") && p.out().contains("execve"), p.out());
    assertEquals("", p.err());
  }

  @Test
  void theJarAlone_refusesExec_namingTheLauncher() throws Exception {
    Fixtures.healthy(wm);
    Path jar = Proc.JAR;
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Proc p =
        Proc.run(
            List.of(
                java.toString(),
                "-jar",
                jar.toString(),
                "exec",
                "--endpoint",
                Fixtures.endpoint(wm),
                "--",
                "sh",
                "-c",
                "touch \"$OUT/started\""),
            env(),
            dir);
    assertEquals(2, p.exit());
    assertEquals("", p.out());
    assertTrue(p.err().startsWith("imds-env: exec needs the launcher (scripts/imds-env)"), p.err());
    assertFalse(Files.exists(dir.resolve("started")));
  }

  /**
   * The PID the caller started is COMMAND's while it runs (its comm is COMMAND's), and no other
   * process of the run remains: none but COMMAND carries the run's marker variable.
   */
  @Test
  void theCallersPid_isTheCommand_andNothingOfOursRemains() throws Exception {
    Fixtures.healthy(wm);
    String marker = "IMDS_ENV_EXEC_IT_" + UUID.randomUUID().toString().replace('-', '_');
    Map<String, String> env = env();
    env.put(marker, "1");
    Process p = start(exec("sleep", "30"), env);
    try {
      Path comm = Path.of("/proc", Long.toString(p.pid()), "comm");
      String name = "";
      for (int i = 0;
          i < 800 && p.isAlive() && !(name = Files.readString(comm).trim()).equals("sleep");
          i++) {
        Thread.sleep(25);
      }
      assertEquals("sleep", name, "the process the caller started became COMMAND");
      assertEquals(
          "sleep\u000030\u0000",
          Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")));
      assertEquals(
          Set.of(p.pid()),
          processesWith(marker + "=1"),
          "no launcher shell or JVM remains beside COMMAND");
      String status = Files.readString(Path.of("/proc", Long.toString(p.pid()), "status"));
      System.out.println(
          "exec: resident while COMMAND runs: "
              + status.lines().filter(l -> l.startsWith("VmRSS")).findFirst().orElse("?")
              + " (COMMAND's own; no other process)");
    } finally {
      Proc.stop(p);
    }
  }

  /** PIDs whose environment holds {@code entry}. */
  private static Set<Long> processesWith(String entry) throws Exception {
    Set<Long> pids = new HashSet<>();
    byte[] needle = ("\0" + entry + "\0").getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
        try {
          byte[] environ = Files.readAllBytes(proc.resolve("environ"));
          byte[] padded = new byte[environ.length + 1];
          System.arraycopy(environ, 0, padded, 1, environ.length);
          if (indexOf(padded, needle) >= 0) {
            pids.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (java.io.IOException gone) {
          // exited meanwhile, or not ours to read
        }
      }
    }
    return pids;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (haystack[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Ctrl-C in a terminal signals the whole foreground process group: COMMAND, being the only
   * process of the run, sees it once (a JVM parent that also forwarded it made two). The run gets a
   * process group of its own (setsid); perl counts, since a shell cannot trap an INT it inherited
   * as ignored.
   */
  @Test
  void sigintToTheProcessGroup_isCountedOnce() throws Exception {
    Fixtures.healthy(wm);
    List<String> command = new ArrayList<>(List.of("setsid"));
    command.addAll(
        exec(
            "perl",
            "-e",
            "my $n = 0; $SIG{INT} = sub { $n++ };"
                + " open(my $f, '>', \"$ENV{OUT}/started\") or die; print $f $$; close $f;"
                + " my $t = time; while (time - $t < 20 && ! -e \"$ENV{OUT}/stop\") { select(undef, undef, undef, 0.05) }"
                + " exit $n;"));
    Process p = start(command, env());
    try {
      waitFor(dir.resolve("started"));
      assertEquals(
          Long.toString(p.pid()),
          Files.readString(dir.resolve("started")),
          "COMMAND has the caller's PID");
      // setsid made the caller's PID a process group leader: -PID is its group
      assertEquals(0, new ProcessBuilder("kill", "-INT", "--", "-" + p.pid()).start().waitFor());
      Thread.sleep(500);
      Files.writeString(dir.resolve("stop"), "");
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      assertEquals(1, p.exitValue(), "SIGINTs counted: " + Files.readString(dir.resolve("stderr")));
    } finally {
      Proc.stop(p);
    }
  }

  /** A signal sent to the PID the caller started reaches COMMAND, because that PID is COMMAND. */
  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT", "HUP"})
  void aSignalToTheCallersPid_reachesTheCommand_andItsStatusComesBack(String signal)
      throws Exception {
    Fixtures.healthy(wm);
    int status = 40 + signal.length();
    Process p =
        start(
            exec(
                "perl",
                "-e",
                "$SIG{"
                    + signal
                    + "} = sub { open(my $g, '>', \"$ENV{OUT}/got\"); print $g '"
                    + signal
                    + "'; close $g; exit "
                    + status
                    + " }; open(my $f, '>', \"$ENV{OUT}/started\") or die; print $f $$; close $f;"
                    + " my $t = time; while (time - $t < 20) { select(undef, undef, undef, 0.05) } exit 99;"),
            env());
    try {
      waitFor(dir.resolve("started"));
      new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      assertEquals(status, p.exitValue());
      assertEquals(signal, Files.readString(dir.resolve("got")));
    } finally {
      Proc.stop(p);
    }
  }

  /**
   * While the run goes on, none of its processes (the launcher, the JVM, COMMAND: those carrying
   * the run's marker variable; other builds on the host use the same fixture secrets) shows a
   * secret in its argv, nor in its environment unless it is COMMAND.
   */
  @Test
  void noSecretInAnyArgv_norInAnEnvironmentButCommands() throws Exception {
    Fixtures.healthy(wm);
    String marker = "\0IMDS_ENV_EXEC_IT_" + UUID.randomUUID().toString().replace('-', '_') + "=1\0";
    Map<String, String> env = env();
    env.put(marker.substring(1, marker.indexOf('=')), "1");
    Process p = start(exec("sh", "-c", "cat /proc/$$/cmdline > \"$OUT/child\"; exec sleep 1"), env);
    List<String> seen = new ArrayList<>();
    Set<String> comms = new HashSet<>();
    int scans = 0;
    try {
      while (p.isAlive() && scans < 2000) {
        scans++;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
          for (Path proc : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
            try {
              String environ =
                  "\0"
                      + new String(
                          Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
              if (!environ.contains(marker)) {
                continue;
              }
              String argv =
                  new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
              String comm = Files.readString(proc.resolve("comm")).trim();
              comms.add(comm);
              for (String secret :
                  List.of(Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.IMDS_TOKEN)) {
                if (argv.contains(secret)) {
                  seen.add("argv of " + proc + ": " + argv.replace('\0', ' '));
                }
                if (environ.contains(secret) && !Set.of("sh", "sleep", "cat").contains(comm)) {
                  seen.add("environment of " + proc + " (" + comm + ")");
                }
              }
            } catch (java.io.IOException gone) {
              // exited meanwhile
            }
          }
        }
      }
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), Files.readString(dir.resolve("stderr")));
    } finally {
      Proc.stop(p);
    }
    assertTrue(seen.isEmpty(), String.join("\n", seen));
    assertTrue(
        comms.contains("java") && comms.contains("sleep"),
        "the scan saw the JVM and COMMAND: " + comms);
    String child = Files.readString(dir.resolve("child"));
    for (String secret : List.of(Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.IMDS_TOKEN)) {
      assertFalse(child.contains(secret), "a secret in COMMAND's argv");
    }
  }

  private static void waitFor(Path file) throws Exception {
    for (int i = 0; i < 800 && (!Files.exists(file) || Files.size(file) == 0); i++) {
      Thread.sleep(25);
    }
    assertTrue(Files.exists(file), "the child did not start");
  }
}
