package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.cli.Recipes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's docker recipes (cli/Recipes), each taken from README.md as written and run by the
 * shell it implies against a real Docker daemon (see {@link DockerDaemon}): the container's own
 * view of the credential variables is compared, by SHA-256 computed inside it, with what IMDS
 * served. Only `IMAGE`, the install path and the env file's path are substituted; the endpoint
 * comes through AWS_EC2_METADATA_SERVICE_ENDPOINT, as a user would set it. Every recipe runs under
 * strace: no secret is in the argv of any program it starts.
 */
class DockerRecipesIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  static DockerDaemon daemon;

  @TempDir Path dir;

  /**
   * A session token a careless env file or an unquoted eval would mangle: docker must still get it
   * exactly.
   */
  static final String HOSTILE_TOKEN = "IQoJb3JpZ2luX2Vj'\"$(touch pwned) `x` \\ *\nsecond line\n";

  @BeforeAll
  static void startDocker() throws Exception {
    daemon = DockerDaemon.start();
  }

  @AfterAll
  static void stopDocker() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private Map<String, String> env(String endpoint) throws Exception {
    Path bin =
        Files.isDirectory(dir.resolve("bin"))
            ? dir.resolve("bin")
            : Consumers.binDir(dir, daemon.docker);
    Map<String, String> env = Consumers.env(bin, dir, endpoint);
    env.putAll(daemon.clientEnv());
    // stale credentials in the caller's environment: no recipe may let them through
    env.put("AWS_ACCESS_KEY_ID", "AKIASTALESTALESTALE1");
    env.put("AWS_SECRET_ACCESS_KEY", "stale-secret");
    env.put("AWS_PROFILE", "stale");
    return env;
  }

  private static Map<String, String> report(String token) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("AWS_ACCESS_KEY_ID", Consumers.sha256(Fixtures.ACCESS_KEY_ID));
    m.put("AWS_SECRET_ACCESS_KEY", Consumers.sha256(Fixtures.SECRET));
    m.put("AWS_SESSION_TOKEN", Consumers.sha256(token));
    return m;
  }

  /**
   * The container's report, checked for the three credential variables (and the expiry where the
   * recipe carries it).
   */
  private static void assertContainerSaw(
      String recipe, Proc p, String token, boolean withExpiry, boolean profileUnset) {
    assertEquals(0, p.exit(), recipe + ": exit " + p.exit() + ", stderr: " + p.err());
    Map<String, String> seen = new LinkedHashMap<>();
    for (String line : p.out().split("\n")) {
      String[] f = line.split(" ");
      seen.put(f[0], f[1]);
    }
    Map<String, String> expected = report(token);
    if (withExpiry) {
      expected.put("AWS_CREDENTIAL_EXPIRATION", Consumers.sha256(Fixtures.EXPIRES.toString()));
    }
    for (Map.Entry<String, String> e : expected.entrySet()) {
      // names and hashes only: a value never reaches a report
      assertEquals(
          e.getValue(),
          seen.get(e.getKey()),
          recipe + ": " + e.getKey() + " in the container (SHA-256)");
    }
    if (profileUnset) {
      assertEquals("unset", seen.get("AWS_PROFILE"), recipe + ": AWS_PROFILE in the container");
    }
    assertEquals("", p.err(), recipe + ": stderr");
  }

  /**
   * Runs SCRIPT in SHELL under strace, which logs the argv of every program it starts: no secret
   * may be in one (the log is searched here and deleted, never shown).
   */
  private static Proc sh(List<String> shell, String script, Map<String, String> env, Path cwd)
      throws Exception {
    Path log = Files.createTempFile("imds-env-execve", ".log");
    try {
      List<String> c =
          new ArrayList<>(
              List.of(
                  Consumers.require("strace", "strace").toString(),
                  "-f",
                  "-qq",
                  "-e",
                  "trace=execve",
                  "-s",
                  "1000000",
                  "-o",
                  log.toString()));
      c.addAll(shell);
      c.add("-c");
      c.add(script);
      Proc p = Proc.run(c, env, cwd);
      String argvs = Files.readString(log);
      assertTrue(argvs.contains("execve("), "strace logged no execve");
      for (String secret :
          List.of(
              Fixtures.SECRET,
              Fixtures.SESSION_TOKEN,
              HOSTILE_TOKEN.substring(0, 16),
              Fixtures.IMDS_TOKEN)) {
        assertFalse(
            argvs.contains(secret), shell + ": a secret in the argv of a program the recipe ran");
      }
      return p;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  static String envFileRecipe() {
    return Readme.substitute(
        Readme.command(Recipes.DOCKER_ENV_FILE), " IMAGE", " " + DockerDaemon.IMAGE);
  }

  static String dockerArgsRecipe() {
    return Readme.substitute(
        Readme.command(Recipes.DOCKER_ARGS), " IMAGE", " " + DockerDaemon.IMAGE);
  }

  static String execRecipe() {
    return Readme.substitute(
        Readme.command(Recipes.EXEC_DOCKER), " IMAGE", " " + DockerDaemon.IMAGE);
  }

  @Test
  void envFileThroughProcessSubstitution_inBash_theContainerGetsExactlyTheCredentials()
      throws Exception {
    Fixtures.healthy(wm);
    String recipe = envFileRecipe();
    assertContainerSaw(
        recipe,
        sh(List.of("bash"), recipe, env(Fixtures.endpoint(wm)), dir),
        Fixtures.SESSION_TOKEN,
        true,
        true);
  }

  @Test
  void evalThenDockerArgs_inEveryPosixShell_theContainerGetsExactlyTheCredentials()
      throws Exception {
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID,
            Fixtures.SECRET,
            HOSTILE_TOKEN,
            Fixtures.EXPIRES.toString(),
            null));
    String recipe = dockerArgsRecipe();
    for (List<String> shell : Proc.POSIX_SHELLS) {
      Proc p = sh(shell, recipe, env(Fixtures.endpoint(wm)), dir);
      assertContainerSaw(shell + ": " + recipe, p, HOSTILE_TOKEN, true, true);
    }
    assertFalse(Files.exists(dir.resolve("pwned")), "a value ran a command");
  }

  @Test
  void execDockerRun_theContainerGetsExactlyTheCredentials() throws Exception {
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID,
            Fixtures.SECRET,
            HOSTILE_TOKEN,
            Fixtures.EXPIRES.toString(),
            null));
    String recipe = execRecipe();
    assertContainerSaw(
        recipe,
        sh(List.of("sh"), recipe, env(Fixtures.endpoint(wm)), dir),
        HOSTILE_TOKEN,
        false,
        true);
  }

  @Test
  void cronLineFile_readByDockerRunEnvFile_theContainerGetsExactlyTheCredentials()
      throws Exception {
    Fixtures.healthy(wm);
    Path file = dir.resolve("app/aws.env");
    Files.createDirectories(file.getParent());
    // "m h dom mon dow user command": cron runs the command with /bin/sh
    String[] cron = Readme.command(Recipes.CRON).split(" +", 7);
    String job =
        Readme.substitute(
            Readme.substitute(cron[6], "/usr/local/bin/imds-env", Proc.LAUNCHER),
            "/etc/app/aws.env",
            file.toString());
    Map<String, String> cronEnv = new java.util.HashMap<>(Proc.cronEnv());
    cronEnv.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", Fixtures.endpoint(wm));
    Proc run = sh(List.of("/bin/sh"), job, cronEnv, Path.of("/"));
    assertEquals(0, run.exit(), job + ": " + run.err());
    assertEquals("", run.out() + run.err(), "a quiet cron job prints nothing");
    String consumer =
        Readme.substitute(
            Readme.substitute(
                Readme.line("docker run --env-file /etc/app/aws.env IMAGE"),
                "/etc/app/aws.env",
                file.toString()),
            " IMAGE",
            " " + DockerDaemon.IMAGE);
    assertContainerSaw(
        consumer,
        sh(List.of("sh"), consumer, env(Fixtures.endpoint(wm)), dir),
        Fixtures.SESSION_TOKEN,
        true,
        true);
  }

  @Test
  void everyDockerRecipe_endpointDown_stopsTheScriptWithTheExportsCode_andNoContainerRuns()
      throws Exception {
    String down = Fixtures.downEndpoint();
    List<List<String>> cases = new ArrayList<>();
    cases.add(List.of("bash", envFileRecipe()));
    for (List<String> shell : Proc.POSIX_SHELLS) {
      List<String> c = new ArrayList<>(shell);
      c.add(dockerArgsRecipe());
      cases.add(c);
    }
    for (List<String> c : cases) {
      String recipe = c.get(c.size() - 1);
      Proc p = sh(c.subList(0, c.size() - 1), recipe + "\necho the script went on", env(down), dir);
      assertEquals(3, p.exit(), c + ": the export's exit code; stderr: " + p.err());
      assertEquals("", p.out(), c + ": no container ran and the script stopped");
      assertTrue(
          p.err().startsWith("imds-env: ") && p.err().indexOf('\n') == p.err().length() - 1,
          c + ": " + p.err());
    }
    // the form the README replaced: docker reads an empty env file and starts the container anyway
    Proc old =
        sh(
            List.of("bash"),
            "docker run --env-file <(imds-env -f env-no-export) " + DockerDaemon.IMAGE,
            env(down),
            dir);
    assertEquals(0, old.exit(), old.err());
    assertTrue(old.out().contains("AWS_ACCESS_KEY_ID unset\n"), old.out());
  }

  /**
   * exec keeps the export's status (nothing is lost in a substitution): docker never starts, and
   * set -e stops the script.
   */
  @Test
  void execRecipe_endpointDown_dockerNeverStarts_theStatusIsTheExports() throws Exception {
    String recipe = execRecipe();
    Proc p =
        sh(
            List.of("sh"),
            "set -e\n" + recipe + "\necho the script went on",
            env(Fixtures.downEndpoint()),
            dir);
    assertEquals(3, p.exit(), recipe + ": " + p.err());
    assertEquals("", p.out(), "no container ran and the script stopped");
    assertTrue(p.err().startsWith("imds-env: "), p.err());
  }
}
