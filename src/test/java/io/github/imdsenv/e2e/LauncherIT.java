package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher as a user meets it: from cron, from anywhere, through symlinks, with the wrong Java.
 */
class LauncherIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  @Test
  void fromCron_minimalPathNoHome_otherDirectory_works() throws Exception {
    Fixtures.healthy(wm);
    Proc p =
        Proc.run(Proc.launcher("--endpoint", Fixtures.endpoint(wm)), Proc.cronEnv(), Path.of("/"));
    assertEquals(0, p.exit(), p.err());
    assertTrue(
        p.out().startsWith("export AWS_ACCESS_KEY_ID='" + Fixtures.ACCESS_KEY_ID + "'\n"), p.out());
    assertEquals("", p.err());
  }

  @Test
  void throughARelativeSymlinkChain_findsTheJar() throws Exception {
    Fixtures.healthy(wm);
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path link = Files.createSymbolicLink(dir.resolve("real-link"), Path.of(Proc.LAUNCHER));
    Files.createSymbolicLink(bin.resolve("imds-env"), Path.of("../real-link"));
    Map<String, String> env = Proc.env("PATH", bin + ":/usr/bin:/bin");
    Proc p;
    try {
      p =
          Proc.run(
              List.of(
                  "sh",
                  "-c",
                  "cd /tmp && imds-env --endpoint \"$1\" -f json",
                  "sh",
                  Fixtures.endpoint(wm)),
              env,
              dir);
    } finally {
      // removed here, not by @TempDir's clean-up, which warns of a link leading out of it
      Files.delete(link);
    }
    assertEquals(0, p.exit(), p.err());
    assertTrue(
        p.out().contains("\"AWS_SESSION_TOKEN\" : \"" + Fixtures.SESSION_TOKEN + "\""), p.out());
  }

  @Test
  void argumentsPassThroughUntouched() throws Exception {
    Fixtures.healthy(wm);
    // a role name with characters a careless launcher would split or glob
    Proc p =
        Proc.run(
            Proc.launcher("--endpoint", Fixtures.endpoint(wm), "--role", "a b*"),
            Proc.cronEnv(),
            dir);
    assertEquals(2, p.exit(), p.err());
    assertEquals(
        "imds-env: role name 'a b*' is not a valid IAM role name (see 'imds-env --help')\n",
        p.err());
  }

  @Test
  void version_comesFromTheBuild() throws Exception {
    Proc p = Proc.run(Proc.launcher("--version"), Proc.cronEnv(), dir);
    assertEquals(0, p.exit());
    assertTrue(p.out().matches("imds-env \\d+\\.\\d+\\.\\d+.*\n"), p.out());
  }

  @Test
  void help_listsFormatsAndExitCodes() throws Exception {
    Proc p = Proc.run(Proc.launcher("--help"), Proc.cronEnv(), dir);
    assertEquals(0, p.exit());
    assertTrue(
        p.out().contains("--format=FORMAT")
            && p.out().contains("docker-args")
            && p.out().contains("Exit codes:"),
        p.out());
  }

  @Test
  void usageError_exit2_oneLine_emptyStdout() throws Exception {
    Proc p = Proc.run(Proc.launcher("--frobnicate"), Proc.cronEnv(), dir);
    assertEquals(2, p.exit());
    assertEquals("", p.out());
    assertEquals("imds-env: Unknown option: '--frobnicate' (see 'imds-env --help')\n", p.err());
  }

  /** The AWS CLI's habits, through the launcher: typos get what was meant, exec its help. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "docter|imds-env: unknown command 'docter'; did you mean 'doctor'? (see 'imds-env --help')",
        "--fromat json|imds-env: unknown option '--fromat'; did you mean '--format'? (see 'imds-env --help')",
        "exec|imds-env: exec needs the COMMAND to run: imds-env exec [OPTIONS] -- COMMAND [ARG...] (see 'imds-env exec --help')",
        "--region=us-east1|imds-env: Invalid value for option '--region': 'us-east1' is not a region name (such as us-east-1 or us-gov-west-1) (see 'imds-env --help')"
      })
  void typoOrMissingCommand_exit2_oneLine_sayingWhatWasMeant(String line, String message)
      throws Exception {
    List<String> c = Proc.launcher();
    c.addAll(List.of(line.split(" ")));
    Proc p = Proc.run(c, Proc.cronEnv(), dir);
    assertEquals(2, p.exit(), p.err());
    assertEquals("", p.out());
    assertEquals(message + "\n", p.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--region us-east-1", "--region=us-east-1", "-f env --region us-east-1"})
  void regionGiven_likeTheAwsCli_setsBothVariables(String line) throws Exception {
    Fixtures.healthy(wm);
    List<String> c = Proc.launcher("--endpoint", Fixtures.endpoint(wm));
    c.addAll(List.of(line.split(" ")));
    Proc p = Proc.run(c, Proc.cronEnv(), dir);
    assertEquals(0, p.exit(), p.err());
    assertTrue(
        p.out().endsWith("export AWS_REGION='us-east-1'\nexport AWS_DEFAULT_REGION='us-east-1'\n"),
        p.out());
    Proc bare =
        Proc.run(
            Proc.launcher("--endpoint", Fixtures.endpoint(wm), "--region", "-f", "json"),
            Proc.cronEnv(),
            dir);
    assertEquals(0, bare.exit(), bare.err());
    assertTrue(bare.out().contains("\"AWS_REGION\" : \"eu-central-2\""), bare.out());
  }

  @Test
  void badFormat_exit2_listsTheFormats() throws Exception {
    Proc p = Proc.run(Proc.launcher("-f", "yaml"), Proc.cronEnv(), dir);
    assertEquals(2, p.exit());
    assertTrue(
        p.err().contains("'yaml' is not a format; choose one of: env, env-no-export (docker-env)"),
        p.err());
  }

  @Test
  void completion_printsABashScript() throws Exception {
    Proc p = Proc.run(Proc.launcher("completion"), Proc.cronEnv(), dir);
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().contains("complete -F") && p.out().contains("--format"), p.out());
    Proc bash =
        Proc.run(
            List.of(
                "bash",
                "-c",
                "source /dev/stdin <<<\"$1\" && complete -p imds-env",
                "bash",
                p.out()),
            Proc.cronEnv(),
            dir);
    assertEquals(0, bash.exit(), bash.err());
  }

  @Test
  void closedStdout_isAnError_notASilentSuccess() throws Exception {
    Fixtures.healthy(wm);
    Map<String, String> env = Proc.env("IMDS_ENV", Proc.LAUNCHER);
    Proc p =
        Proc.run(
            List.of("sh", "-c", "\"$IMDS_ENV\" --endpoint \"$1\" >&-", "sh", Fixtures.endpoint(wm)),
            env,
            dir);
    assertEquals(6, p.exit());
    // the system's reason (Bad file descriptor: the JVM's own files may take descriptor 1)
    assertTrue(
        p.err().startsWith("imds-env: cannot write to stdout (") && p.err().endsWith(")\n"),
        p.err());
    assertEquals(1, p.err().lines().count(), p.err());
  }

  @Test
  void stdoutOnAFullDisk_exit6_saysSo() throws Exception {
    Fixtures.healthy(wm);
    Map<String, String> env = Proc.env("IMDS_ENV", Proc.LAUNCHER);
    Proc p =
        Proc.run(
            List.of(
                "sh",
                "-c",
                "\"$IMDS_ENV\" --endpoint \"$1\" >/dev/full",
                "sh",
                Fixtures.endpoint(wm)),
            env,
            dir);
    assertEquals(6, p.exit());
    assertEquals("imds-env: cannot write to stdout (No space left on device)\n", p.err());
  }

  /**
   * A name that does not resolve is said to be one (the JVM's resolver given a hosts file without
   * it: no name server is asked), and where the endpoint came from.
   */
  @Test
  void endpointWhoseNameDoesNotResolve_saysSo_andWhereItCameFrom() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
    Map<String, String> env = Proc.env();
    env.put("IMDS_ENV_JAVA_OPTS", "-Djdk.net.hosts.file=" + hosts);
    env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://imds.invalid");
    Proc p = Proc.run(Proc.launcher("--attempts", "1"), env, dir);
    assertEquals(3, p.exit(), p.err());
    assertEquals("", p.out());
    assertEquals(
        "imds-env: the name imds.invalid does not resolve: the instance metadata service at"
            + " http://imds.invalid cannot be reached (PUT /latest/api/token, 1 attempt); check the"
            + " host name (from AWS_EC2_METADATA_SERVICE_ENDPOINT) and the resolver"
            + " (/etc/resolv.conf)\n",
        p.err());
  }

  @Test
  void proxySettings_areNeverUsed() throws Exception {
    Fixtures.healthy(wm);
    Map<String, String> env = Proc.env();
    env.put("http_proxy", "http://127.0.0.1:9");
    env.put("HTTP_PROXY", "http://127.0.0.1:9");
    env.put(
        "IMDS_ENV_JAVA_OPTS",
        "-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=9 -Djava.net.useSystemProxies=true");
    Proc p = Proc.run(Proc.launcher("--endpoint", Fixtures.endpoint(wm)), env, dir);
    assertEquals(0, p.exit(), p.err());
  }

  @Test
  void noJava_oneClearLine_exit1() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    // copies, not links: a PATH with a shell and readlink but no java
    Files.copy(
        Path.of("/bin/sh").toRealPath(),
        empty.resolve("sh"),
        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(
        Path.of("/usr/bin/readlink").toRealPath(),
        empty.resolve("readlink"),
        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Proc p =
        Proc.run(
            List.of("/bin/sh", Proc.LAUNCHER, "--version"), Map.of("PATH", empty.toString()), dir);
    assertEquals(1, p.exit());
    assertEquals("", p.out());
    assertEquals(
        "imds-env: no java found: install a Java 17+ runtime, or set JAVA_HOME to one\n", p.err());
  }

  @Test
  void javaOlderThan17_namesJavaHome_exit1() throws Exception {
    Path home = Files.createDirectories(dir.resolve("jdk11/bin"));
    Path java = home.resolve("java");
    Files.writeString(java, "#!/bin/sh\necho should not run >&2\nexit 99\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        dir.resolve("jdk11/release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"11.0.22\"\n");
    Map<String, String> env = Proc.env("JAVA_HOME", dir.resolve("jdk11").toString());
    Proc p = Proc.run(Proc.launcher("--version"), env, dir);
    assertEquals(1, p.exit());
    assertEquals(
        "imds-env: "
            + java
            + " is Java 11; Java 17 or newer is needed: set JAVA_HOME to a Java 17+ runtime\n",
        p.err());
  }

  @Test
  void javaHome_isPreferredOverPath() throws Exception {
    Fixtures.healthy(wm);
    Map<String, String> env = Proc.env();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("PATH", "/nonexistent");
    Proc p =
        Proc.run(List.of("/bin/sh", Proc.LAUNCHER, "--endpoint", Fixtures.endpoint(wm)), env, dir);
    assertEquals(0, p.exit(), p.err());
  }

  @Test
  void javaHomeWithoutBinJava_isAnErrorNamingIt_exit1() throws Exception {
    // as Maven's launcher: never a silent fall back to the java on PATH
    Path notAJdk = Files.createDirectories(dir.resolve("not a jdk"));
    Map<String, String> env = Proc.env("JAVA_HOME", notAJdk.toString());
    for (List<String> args : List.of(List.of("--version"), List.of("exec", "--", "true"))) {
      List<String> command = Proc.launcher();
      command.addAll(args);
      Proc p = Proc.run(command, env, dir);
      assertEquals(1, p.exit(), args.toString());
      assertEquals("", p.out());
      assertEquals(
          "imds-env: JAVA_HOME is set to '"
              + notAJdk
              + "', which has no bin/java: point it to a Java 17+ runtime,"
              + " or unset it\n",
          p.err());
    }
  }

  /**
   * An install under a path with spaces, quotes and non-ASCII works, for export and exec, with the
   * class-data archive (used, not ignored) and without, from cron (no LANG: the POSIX locale, where
   * Java turns non-ASCII file names into '?') and from a UTF-8 session.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "no archive, POSIX locale",
        "no archive, UTF-8",
        "archive, POSIX locale",
        "archive, UTF-8"
      })
  void installPath_withSpacesQuotesAndNonAscii_works(String variant) throws Exception {
    Fixtures.healthy(wm);
    Path install = Files.createDirectories(dir.resolve("my tools/it's \"imds\" é ü $HOME * ;"));
    Path launcher = Path.of(Proc.LAUNCHER);
    Path scripts = Files.createDirectories(install.resolve("scripts"));
    Files.copy(launcher, scripts.resolve("imds-env"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(
        launcher.resolveSibling("train-cds"),
        scripts.resolve("train-cds"),
        StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(
        Proc.JAR, Files.createDirectories(install.resolve("target")).resolve("imds-env.jar"));
    // train-cds runs the simulator from the build's tools jar
    Files.copy(Proc.TOOLS_JAR, install.resolve("target/imds-env-tools.jar"));
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "PATH",
                "/usr/bin:/bin",
                "JAVA_HOME",
                System.getProperty("java.home"),
                "OUT",
                dir.toString()));
    if (variant.endsWith("UTF-8")) {
      env.put("LANG", "C.UTF-8");
    }
    String self = scripts.resolve("imds-env").toString();
    if (variant.startsWith("archive")) {
      Proc train = Proc.run(List.of(scripts.resolve("train-cds").toString()), env, dir);
      assertEquals(0, train.exit(), train.err());
      Map<String, String> logged = new HashMap<>(env);
      logged.put("IMDS_ENV_JAVA_OPTS", "-Xlog:class+load=info:stderr");
      // other JVM options name another archive: the first run with them makes it, the next maps it
      assertEquals(
          0, Proc.run(List.of(self, "--endpoint", Fixtures.endpoint(wm)), logged, dir).exit());
      Proc p = Proc.run(List.of(self, "--endpoint", Fixtures.endpoint(wm)), logged, dir);
      assertEquals(0, p.exit(), p.err());
      if (Runtime.version().feature() >= 24) {
        // before JDK 24 (JDK-8339460) CDS compares a jar's URL, %20 and all, with its real path
        // (the JVM resolves /dev/fd/7/jar): the archive then holds the JDK's classes only, and
        // imds-env runs from the jar as without one
        assertTrue(
            p.err().contains("io.github.imdsenv.cli.Cli source: shared objects file"),
            "the archive is used: " + p.err());
      }
    }
    Proc export = Proc.run(List.of(self, "--endpoint", Fixtures.endpoint(wm)), env, Path.of("/"));
    assertEquals(0, export.exit(), export.err());
    assertEquals("", export.err());
    assertTrue(
        export.out().startsWith("export AWS_ACCESS_KEY_ID='" + Fixtures.ACCESS_KEY_ID + "'\n"),
        export.out());
    Proc exec =
        Proc.run(
            List.of(
                self,
                "exec",
                "--endpoint",
                Fixtures.endpoint(wm),
                "--",
                "sh",
                "-c",
                "printf '%s|%s' \"$AWS_ACCESS_KEY_ID\" \"${LC_ALL-unset}\""),
            env,
            dir);
    assertEquals(0, exec.exit(), exec.err());
    assertEquals("", exec.err());
    assertEquals(
        Fixtures.ACCESS_KEY_ID + "|unset", exec.out(), "the JVM's UTF-8 locale is not COMMAND's");
  }

  /**
   * SIGQUIT (Ctrl-\\) makes the JVM print a thread dump: on stderr, never on stdout, which an eval
   * reads; also when IMDS_ENV_JAVA_OPTS replaces the JVM options. The run waits on an endpoint that
   * accepts and never answers. (No archive: a run that makes one is the launcher's shell waiting on
   * the JVM, see the next test.)
   */
  @ParameterizedTest
  @ValueSource(strings = {"", "-Xmx64m"})
  void sigquitDuringASlowRun_leavesStdoutEmpty(String javaOpts) throws Exception {
    try (java.net.ServerSocket slow =
        new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      slow.setSoTimeout(30_000);
      Map<String, String> env = Proc.env("IMDS_ENV_NO_CDS", "1");
      if (!javaOpts.isEmpty()) {
        env.put("IMDS_ENV_JAVA_OPTS", javaOpts);
      }
      Process p =
          Proc.start(
              Proc.launcher(
                  "--endpoint",
                  "http://127.0.0.1:" + slow.getLocalPort(),
                  "--timeout",
                  "3s",
                  "--attempts",
                  "1"),
              env,
              null,
              dir.resolve("stdout"),
              dir.resolve("stderr"));
      try (java.net.Socket waiting = slow.accept()) {
        assertTrue(waiting.isConnected(), "the JVM is up and waiting for the answer");
        assertEquals(
            0, new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      } finally {
        Proc.stop(p);
      }
      assertEquals(3, p.exitValue(), Files.readString(dir.resolve("stderr")));
      assertEquals("", Files.readString(dir.resolve("stdout")));
      assertTrue(
          Files.readString(dir.resolve("stderr")).contains("Full thread dump"),
          "the dump went to stderr");
    }
  }

  /**
   * The first run after an install makes the class-data archive after the export, so the launcher's
   * shell waits on the JVM rather than becoming it: SIGQUIT to the PID the caller started then ends
   * the run once the JVM is done, with that signal's status, stdout empty and no archive made.
   */
  @Test
  void sigquitDuringTheRunThatMakesTheArchive_leavesStdoutEmpty_andNoArchive() throws Exception {
    Path install = OutputFileIT.worldReadableInstall(Files.createDirectory(dir.resolve("fresh")));
    Path home = Files.createDirectory(dir.resolve("home"));
    try (java.net.ServerSocket slow =
        new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      slow.setSoTimeout(30_000);
      Process p =
          Proc.start(
              List.of(
                  install.toString(),
                  "--endpoint",
                  "http://127.0.0.1:" + slow.getLocalPort(),
                  "--timeout",
                  "2s",
                  "--attempts",
                  "1"),
              Proc.env("HOME", home.toString()),
              null,
              dir.resolve("stdout"),
              dir.resolve("stderr"));
      try (java.net.Socket waiting = slow.accept()) {
        assertEquals(
            0, new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      } finally {
        Proc.stop(p);
      }
      assertEquals(128 + 3, p.exitValue(), Files.readString(dir.resolve("stderr")));
      assertEquals("", Files.readString(dir.resolve("stdout")));
      try (var files = Files.list(install.getParent().resolveSibling("target"))) {
        assertEquals(List.of("imds-env.jar"), files.map(f -> f.getFileName().toString()).toList());
      }
      Path cache = home.resolve(".cache/imds-env");
      if (Files.isDirectory(cache)) {
        try (var files = Files.list(cache)) {
          assertEquals(List.of(), files.toList());
        }
      }
    }
  }
}
