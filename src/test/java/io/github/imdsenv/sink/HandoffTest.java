package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.format.Variables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Handoff}: the sh script the launcher evaluates for {@code exec}, run here through /bin/sh
 * as the launcher's last lines do (eval, check {@code imds_env_handoff}, {@code exec "$@"}).
 */
class HandoffTest {

  @TempDir Path dir;

  private final StringWriter err = new StringWriter();

  /** The launcher's tail: evaluate the script, require the ready mark, replace itself. */
  private static final String LAUNCHER =
      "eval \"$(cat \"$0\")\"; [ \"$imds_env_handoff\" = ready ] || exit 98;"
          + " unset imds_env_handoff; exec \"$@\"";

  /** COMMAND: prints its arguments, one per line in brackets, then its environment. */
  private static final List<String> COMMAND =
      List.of(
          "sh",
          "-c",
          "printf '[%s]\\n' \"$@\"; echo ---; env",
          "child",
          "it's",
          "two  words",
          "$HOME",
          "*",
          "",
          "café");

  private static final Credentials CREDS =
      new Credentials(
          "ASIAEXAMPLE",
          "fake/secret+key",
          "fake token with 'quotes' and $(id)",
          Instant.parse("2026-11-29T15:00:00Z"),
          null,
          null);

  private record Result(int exit, String out) {}

  /** The script at {@code channel} evaluated by sh as the launcher would, with {@code args}. */
  private static Result launch(Path channel, List<String> args, Map<String, String> env)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", LAUNCHER, channel.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/bin:/bin");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    return new Result(p.exitValue(), out);
  }

  private static Map<String, String> environment(List<String> lines) {
    Map<String, String> env = new TreeMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      env.put(line.substring(0, eq), line.substring(eq + 1));
    }
    return env;
  }

  @Test
  void exec_commandGetsItsWordsAsGiven_theCredentials_andNoScrubbedVariable() throws Exception {
    List<String> args = new ArrayList<>(List.of("exec", "--endpoint", "http://127.0.0.1:9", "--"));
    args.addAll(COMMAND);
    Path channel = dir.resolve("fd3");
    Handoff h = new Handoff(channel, args.toArray(String[]::new));
    int shift = h.shift(COMMAND);
    assertEquals(4, shift);
    h.exec(
        shift,
        List.of("AWS_PROFILE", "AWS_SECURITY_TOKEN"),
        Variables.of(CREDS, "eu-west-1", new Variables.Extras(false, true, false)));
    assertEquals(0, h.finish(0, "", new PrintWriter(err)));
    assertEquals("", err.toString());

    Result r =
        launch(
            channel,
            args,
            Map.of(
                "AWS_PROFILE", "stale",
                "AWS_SECURITY_TOKEN", "stale",
                "AWS_SESSION_TOKEN", "stale",
                "KEEP", "kept"));
    assertEquals(0, r.exit(), "the launcher's tail failed");
    List<String> lines = Arrays.asList(r.out().split("\n"));
    int sep = lines.indexOf("---");
    // exactly COMMAND's arguments after $0: none of imds-env's own, none split, globbed or expanded
    assertEquals(
        List.of("[it's]", "[two  words]", "[$HOME]", "[*]", "[]", "[café]"), lines.subList(0, sep));
    Map<String, String> env = environment(lines.subList(sep + 1, lines.size()));
    Map<String, String> expected = new TreeMap<>();
    expected.put("AWS_ACCESS_KEY_ID", CREDS.accessKeyId());
    expected.put("AWS_SECRET_ACCESS_KEY", CREDS.secretAccessKey());
    expected.put("AWS_SESSION_TOKEN", CREDS.sessionToken());
    expected.put("AWS_CREDENTIAL_EXPIRATION", "2026-11-29T15:00:00Z");
    expected.put("AWS_REGION", "eu-west-1");
    expected.put("AWS_DEFAULT_REGION", "eu-west-1");
    Map<String, String> aws = new TreeMap<>(env);
    aws.keySet().removeIf(k -> !k.startsWith("AWS_"));
    // compared without printing a value
    assertEquals(expected.keySet(), aws.keySet());
    assertTrue(expected.equals(aws), "a variable's value differs from the credentials'");
    assertEquals("kept", env.get("KEEP"));
    assertFalse(env.containsKey("imds_env_handoff"));
  }

  @Test
  void commandThatIsNotTheTailOfTheArguments_isRefused() {
    // what a parser expanding an @file would hand over: the launcher would exec other words
    Handoff h = new Handoff(dir.resolve("fd3"), new String[] {"exec", "curl", "@body.json"});
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> h.shift(List.of("curl", "-d", "x=1")));
    assertEquals("exec: COMMAND is not the tail of the arguments", e.getMessage());
    assertThrows(IllegalStateException.class, () -> h.shift(List.of("wget", "@body.json")));
    assertThrows(
        IllegalStateException.class, () -> h.shift(List.of("sudo", "exec", "curl", "@body.json")));
    assertEquals(2, h.shift(List.of("@body.json")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Usage: imds-env exec [OPTIONS] COMMAND...\n  it's 100% '$HOME'\n"})
  void runThatPrintedInsteadOfExec_handsItsOutputBack_andCommandNeverStarts(String stdout)
      throws Exception {
    Path channel = dir.resolve("fd3");
    Path ran = dir.resolve("ran");
    String[] args = {"exec", "--help", "touch", ran.toString()};
    Handoff h = new Handoff(channel, args);
    assertEquals(0, h.finish(0, stdout, new PrintWriter(err)));
    Result r = launch(channel, List.of(args), Map.of());
    assertEquals(0, r.exit());
    assertEquals(stdout, r.out());
    assertFalse(Files.exists(ran));
  }

  @Test
  void failedRun_keepsItsCode_andWritesNothing() throws Exception {
    Path channel = Files.createFile(dir.resolve("fd3"));
    Handoff h = new Handoff(channel, new String[] {"exec", "env"});
    h.exec(1, List.of(), Variables.of(CREDS, null, Variables.Extras.NONE));
    assertEquals(3, h.finish(3, "", new PrintWriter(err)));
    assertEquals(0, Files.size(channel));
    assertEquals("", err.toString());
  }

  @Test
  void channelThatCannotBeOpened_exit1_withWhy() {
    Path channel = dir.resolve("closed").resolve("fd3");
    Handoff h = new Handoff(channel, new String[] {"exec", "env"});
    h.exec(1, List.of(), Variables.of(CREDS, null, Variables.Extras.NONE));
    assertEquals(1, h.finish(0, "", new PrintWriter(err)));
    assertTrue(
        err.toString()
            .startsWith(
                "imds-env: exec: cannot hand the environment to the launcher through "
                    + channel
                    + ": "),
        err.toString());
    assertFalse(err.toString().contains(CREDS.secretAccessKey()));
  }
}
