package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** imds-env exec, through the real launcher: environment, scrubbing, status, signals, argv. */
class ExecIT {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  @TempDir Path dir;

  private List<String> exec(String... command) {
    List<String> c = new ArrayList<>(List.of(Proc.LAUNCHER, "exec", "--endpoint", Fixtures.endpoint(wm), "--region", "--"));
    c.addAll(List.of(command));
    return c;
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>(Proc.cronEnv());
    env.put("OUT", dir.toString());
    return env;
  }

  @Test
  void child_getsTheCredentials_andInheritedAwsCredentialsAreScrubbed() throws Exception {
    Fixtures.healthy(wm);
    Map<String, String> env = env();
    env.putAll(Map.of("AWS_PROFILE", "stale", "AWS_ACCESS_KEY_ID", "AKIASTALE", "AWS_SECRET_ACCESS_KEY", "stale",
        "AWS_SECURITY_TOKEN", "stale", "AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z", "KEEP_ME", "kept"));
    Proc p = Proc.run(exec("sh", "-c", "printf '%s|' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\""
        + " \"$AWS_CREDENTIAL_EXPIRATION\" \"$AWS_REGION\" \"${AWS_PROFILE-unset}\" \"${AWS_SECURITY_TOKEN-unset}\" \"$KEEP_ME\""), env, dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals(Fixtures.ACCESS_KEY_ID + "|" + Fixtures.SECRET + "|" + Fixtures.SESSION_TOKEN + "|" + Fixtures.EXPIRES
        + "|eu-central-2|unset|unset|kept|", p.out());
    assertEquals("", p.err());
  }

  @Test
  void exitStatus_isTheChilds() throws Exception {
    Fixtures.healthy(wm);
    assertEquals(7, Proc.run(exec("sh", "-c", "exit 7"), env(), dir).exit());
    assertEquals(143, Proc.run(exec("sh", "-c", "kill -TERM $$"), env(), dir).exit(), "128 + SIGTERM");
  }

  @Test
  void commandOptions_areTheCommands() throws Exception {
    Fixtures.healthy(wm);
    Proc p = Proc.run(List.of(Proc.LAUNCHER, "exec", "--endpoint", Fixtures.endpoint(wm), "printf", "%s", "--region"), env(), dir);
    assertEquals(0, p.exit(), p.err());
    assertEquals("--region", p.out());
  }

  @Test
  void commandNotFound_exit127_oneLine() throws Exception {
    Fixtures.healthy(wm);
    Proc p = Proc.run(exec("no-such-command-here"), env(), dir);
    assertEquals(127, p.exit());
    assertEquals("imds-env: exec: cannot run 'no-such-command-here': command not found\n", p.err());
  }

  @Test
  void fetchFailure_theChildNeverStarts() throws Exception {
    Fixtures.healthy(wm);
    wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(404)));
    Proc p = Proc.run(exec("sh", "-c", "touch \"$OUT/started\""), env(), dir);
    assertEquals(4, p.exit());
    assertFalse(Files.exists(dir.resolve("started")));
  }

  @Test
  void optionsBeforeExec_areRefused() throws Exception {
    Proc p = Proc.run(List.of(Proc.LAUNCHER, "--endpoint", "http://127.0.0.1:1", "exec", "--", "true"), env(), dir);
    assertEquals(2, p.exit());
    assertTrue(p.err().contains("options before 'exec' do not apply to it"), p.err());
  }

  @Test
  void sigtermToImdsEnv_reachesTheChild_andItsStatusComesBack() throws Exception {
    assertForwarded("TERM", 42);
  }

  @Test
  void sigintToImdsEnv_reachesTheChild() throws Exception {
    assertForwarded("INT", 3);
  }

  @Test
  void sighupToImdsEnv_reachesTheChild() throws Exception {
    assertForwarded("HUP", 4);
  }

  /** Sends SIGNAL to the imds-env process alone (not its group); the child traps it and exits with STATUS. */
  private void assertForwarded(String signal, int status) throws Exception {
    Fixtures.healthy(wm);
    ProcessBuilder pb = new ProcessBuilder(exec("sh", "-c", "trap 'echo " + signal + " > \"$OUT/got\"; exit " + status + "' "
        + signal + "; echo $$ > \"$OUT/started\"; while :; do sleep 0.05; done"));
    pb.environment().clear();
    pb.environment().putAll(env());
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    waitFor(dir.resolve("started"));
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      assertEquals(status, p.exitValue());
      assertEquals(signal + "\n", Files.readString(dir.resolve("got")));
    } finally {
      // never leave the child looping if the signal did not reach it
      String child = Files.readString(dir.resolve("started")).trim();
      if (!child.isEmpty()) {
        new ProcessBuilder("kill", "-KILL", child).start().waitFor();
      }
      p.destroyForcibly();
    }
  }

  @Test
  void noSecretInAnyArgv_ofImdsEnvOrTheChild() throws Exception {
    Fixtures.healthy(wm);
    // the child copies its own argv and its parent's (the JVM's) from /proc
    Proc p = Proc.run(exec("sh", "-c", "cat /proc/$$/cmdline > \"$OUT/child\"; cat /proc/$PPID/cmdline > \"$OUT/parent\""),
        env(), dir);
    assertEquals(0, p.exit(), p.err());
    String parent = Files.readString(dir.resolve("parent"));
    assertTrue(parent.contains("imds-env.jar"), "the parent is the imds-env JVM: " + parent);
    for (String argv : List.of(Files.readString(dir.resolve("child")), parent)) {
      for (String secret : List.of(Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.IMDS_TOKEN)) {
        assertFalse(argv.contains(secret), "a secret in an argv");
      }
    }
  }

  private static void waitFor(Path file) throws Exception {
    for (int i = 0; i < 400 && (!Files.exists(file) || Files.size(file) == 0); i++) {
      Thread.sleep(25);
    }
    assertTrue(Files.exists(file), "the child did not start");
  }
}
