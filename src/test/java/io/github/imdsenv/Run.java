package io.github.imdsenv;

import io.github.imdsenv.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the CLI in process, with its own stdout, stderr and environment. */
public record Run(int exit, String out, String err) {

  public static Run cli(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Cli.execute(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  /** A run against {@code endpoint}, with a short timeout so that failure tests stay quick. */
  public static Run against(String endpoint, String... args) {
    return againstWithEnv(endpoint, Map.of(), args);
  }

  public static Run againstWithEnv(String endpoint, Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of("--endpoint", endpoint, "--timeout", "500ms"));
    all.addAll(List.of(args));
    return cli(new HashMap<>(env), all.toArray(new String[0]));
  }

  /** The failure shape every error must have: empty stdout, one stderr line naming imds-env. */
  public Run assertFailure(int expectedExit, String expectedInMessage) {
    org.junit.jupiter.api.Assertions.assertAll(
        () ->
            org.junit.jupiter.api.Assertions.assertEquals(
                expectedExit, exit, "exit code; stderr: " + err),
        () ->
            org.junit.jupiter.api.Assertions.assertTrue(
                out.isEmpty(),
                "stdout must be empty on failure; it has "
                    + out.length()
                    + " characters, not shown: they may be credentials"),
        () ->
            org.junit.jupiter.api.Assertions.assertTrue(
                err.startsWith("imds-env: "), "stderr: " + err),
        () ->
            org.junit.jupiter.api.Assertions.assertEquals(
                1, err.split("\n", -1).length - 1, "one line: " + err),
        () ->
            org.junit.jupiter.api.Assertions.assertTrue(
                err.contains(expectedInMessage),
                "stderr should mention '" + expectedInMessage + "': " + err));
    return this;
  }

  public Run assertSuccess() {
    org.junit.jupiter.api.Assertions.assertEquals(0, exit, "exit code; stderr: " + err);
    return this;
  }
}
