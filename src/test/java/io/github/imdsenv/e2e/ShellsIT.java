package io.github.imdsenv.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.cli.Recipes;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The formats' promise, checked in the real consumers: the launcher's output evaluated by dash,
 * bash, zsh, mksh, busybox ash and fish, each variable read back and compared byte for byte, and no
 * hostile value ever running a command.
 */
class ShellsIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  static final String[] VARS = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCOUNT_ID"
  };

  private Map<String, String> env() {
    return Proc.env(
        "IMDS_ENV", Proc.LAUNCHER, "ENDPOINT", Fixtures.endpoint(wm), "OUT", dir.toString());
  }

  /** A shell line that writes each variable's value, byte for byte, to $OUT/NAME. */
  private static String dumpPosix() {
    StringBuilder sb = new StringBuilder();
    for (String v : VARS) {
      sb.append("printf '%s' \"$").append(v).append("\" > \"$OUT/").append(v).append("\"; ");
    }
    return sb.toString();
  }

  private static String dumpFish() {
    StringBuilder sb = new StringBuilder();
    for (String v : VARS) {
      sb.append("printf '%s' \"$").append(v).append("\" > \"$OUT/").append(v).append("\"; ");
    }
    return sb.toString();
  }

  private void assertDumped(String shell, Map<String, String> expected) throws Exception {
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path f = dir.resolve(e.getKey());
      assertTrue(Files.exists(f), shell + ": " + e.getKey() + " not set");
      assertArrayEquals(
          e.getValue().getBytes(StandardCharsets.UTF_8),
          Files.readAllBytes(f),
          shell + ": " + e.getKey());
      Files.delete(f);
    }
  }

  private static Map<String, String> expected(String secret, String token, Instant expires) {
    Map<String, String> m = new HashMap<>();
    m.put("AWS_ACCESS_KEY_ID", Fixtures.ACCESS_KEY_ID);
    m.put("AWS_SECRET_ACCESS_KEY", secret);
    m.put("AWS_SESSION_TOKEN", token);
    m.put("AWS_CREDENTIAL_EXPIRATION", expires.toString());
    m.put("AWS_REGION", "eu-central-2");
    m.put("AWS_DEFAULT_REGION", "eu-central-2");
    m.put("AWS_ACCOUNT_ID", "123456789012");
    return m;
  }

  @Test
  void launcherOutput_evaluatedByEveryShell_setsExactlyTheServedValues() throws Exception {
    Path marker = dir.resolve("pwned");
    String secret =
        "s3cr'et\"$(touch " + marker + ")`touch " + marker + "`\\n;|&<>*?[a]{b,c}~#!%^ é中😀";
    String token = "tok\nen line 2\r\n\t'$HOME'(touch " + marker + ")\\'\\\\ end\n";
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID, secret, token, Fixtures.EXPIRES.toString(), "123456789012"));
    Map<String, String> expected = expected(secret, token, Fixtures.EXPIRES);
    for (List<String> shell : Proc.POSIX_SHELLS) {
      List<String> cmd = new ArrayList<>(shell);
      cmd.addAll(
          List.of(
              "-c",
              "eval \"$(\"$IMDS_ENV\" --endpoint \"$ENDPOINT\" --region --account-id)\" && "
                  + dumpPosix()));
      Proc p = Proc.run(cmd, env(), dir);
      assertEquals(0, p.exit(), shell + ": " + p.err());
      assertEquals("", p.err(), shell.toString());
      assertDumped(shell.toString(), expected);
    }
    Proc p =
        Proc.run(
            List.of(
                "fish",
                "-c",
                "$IMDS_ENV --endpoint $ENDPOINT -f fish --region --account-id | source; and "
                    + dumpFish()),
            env(),
            dir);
    assertEquals(0, p.exit(), "fish: " + p.err());
    assertDumped("fish", expected);
    assertFalse(Files.exists(marker), "a hostile value ran a command");
  }

  @Test
  void envNoExport_isReadByShellsAsAssignments_andLiterallyAsAnEnvFile() throws Exception {
    Fixtures.healthy(wm);
    Map<String, String> expected =
        expected(Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.EXPIRES);
    for (List<String> shell : Proc.POSIX_SHELLS) {
      List<String> cmd = new ArrayList<>(shell);
      cmd.addAll(
          List.of(
              "-c",
              "\"$IMDS_ENV\" --endpoint \"$ENDPOINT\" -f docker-env --region --account-id > \"$OUT/env.list\""
                  + " && set -a && . \"$OUT/env.list\" && set +a && "
                  + dumpPosix()));
      Proc p = Proc.run(cmd, env(), dir);
      assertEquals(0, p.exit(), shell + ": " + p.err());
      // docker --env-file: NAME=VALUE, the value taken literally up to the end of the line
      Map<String, String> fromFile = new HashMap<>();
      for (String line : Files.readAllLines(dir.resolve("env.list"))) {
        fromFile.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
      assertEquals(expected, fromFile, "env file read literally, as docker does");
      assertDumped(shell.toString(), expected);
    }
  }

  @Test
  void envNoExport_refusesAValueItCannotCarry_printsNothing_exit5() throws Exception {
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID, Fixtures.SECRET, "a b", Fixtures.EXPIRES.toString(), null));
    Proc p =
        Proc.run(
            Proc.launcher("--endpoint", Fixtures.endpoint(wm), "-f", "env-no-export"), env(), dir);
    assertEquals(5, p.exit());
    assertEquals("", p.out());
    assertEquals(
        "imds-env: the value of AWS_SESSION_TOKEN contains a character that an env file cannot carry unquoted;"
            + " refused (use -f env (for eval) or -f json)\n",
        p.err());
  }

  @Test
  void failedRun_leavesTheShellUntouched_evalAppliesNothing() throws Exception {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(404)));
    for (List<String> shell : Proc.POSIX_SHELLS) {
      List<String> cmd = new ArrayList<>(shell);
      cmd.addAll(
          List.of(
              "-c",
              "AWS_ACCESS_KEY_ID=before; out=$(\"$IMDS_ENV\" --endpoint \"$ENDPOINT\"); rc=$?; eval \"$out\";"
                  + " printf '%s %s' \"$rc\" \"$AWS_ACCESS_KEY_ID\""));
      Proc p = Proc.run(cmd, env(), dir);
      assertEquals("4 before", p.out(), shell + ": " + p.err());
      assertTrue(p.err().startsWith("imds-env: no IAM role is attached"), p.err());
    }
  }

  /** A recipe's environment: imds-env on PATH as installed, the endpoint as a user sets it. */
  private Map<String, String> recipeEnv(String endpoint) throws Exception {
    Path bin = Files.isDirectory(dir.resolve("bin")) ? dir.resolve("bin") : Consumers.binDir(dir);
    Map<String, String> env = Consumers.env(bin, dir, endpoint);
    env.put("OUT", dir.toString());
    return env;
  }

  /**
   * The README's shell recipes, as README.md writes them, in every shell they name: the values
   * arrive exactly.
   */
  @Test
  void readmeRecipes_asWritten_setExactlyTheServedValues_inEveryShell() throws Exception {
    Path marker = dir.resolve("pwned");
    String secret =
        "s3cr'et\"$(touch " + marker + ")`touch " + marker + "`\\n;|&<>*?[a]{b,c}~#!%^ é中😀";
    String token = "tok\nen line 2\r\n\n\t'$HOME'(touch " + marker + ")\\'\\\\ end\n\n";
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID, secret, token, Fixtures.EXPIRES.toString(), "123456789012"));
    Map<String, String> all = expected(secret, token, Fixtures.EXPIRES);
    Map<String, String> plain = new HashMap<>(all);
    plain.keySet().removeAll(List.of("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCOUNT_ID"));
    Map<String, String> region = new HashMap<>(plain);
    region.put("AWS_REGION", "eu-central-2");
    region.put("AWS_DEFAULT_REGION", "eu-central-2");
    for (List<String> shell : Proc.POSIX_SHELLS) {
      for (Map.Entry<String, Map<String, String>> recipe :
          Map.of(POSIX_RECIPE, plain, POSIX_REGION_RECIPE, region).entrySet()) {
        List<String> cmd = new ArrayList<>(shell);
        cmd.addAll(List.of("-c", Readme.command(recipe.getKey()) + "\n" + dumpPosix()));
        Proc p = Proc.run(cmd, recipeEnv(Fixtures.endpoint(wm)), dir);
        assertEquals(0, p.exit(), shell + ": " + p.err());
        assertEquals("", p.err(), shell.toString());
        assertDumped(shell + ": " + recipe.getKey(), recipe.getValue());
      }
    }
    Proc p =
        Proc.run(
            List.of("fish", "-c", Readme.command(FISH_RECIPE) + "\n" + dumpFish()),
            recipeEnv(Fixtures.endpoint(wm)),
            dir);
    assertEquals(0, p.exit(), "fish: " + p.err());
    assertDumped("fish: " + FISH_RECIPE, plain);
    assertFalse(Files.exists(marker), "a hostile value ran a command");
  }

  static final String POSIX_RECIPE = Recipes.SH;
  static final String POSIX_REGION_RECIPE = Recipes.SH_REGION;
  static final String FISH_RECIPE = Recipes.FISH;

  /**
   * The endpoint is down: each README shell recipe, as written, stops its script with the export's
   * exit code and one message. The form it replaced, eval "$(imds-env)", goes on even under set -e:
   * that is why the README does not use it.
   */
  @Test
  void readmeRecipes_asWritten_stopTheScript_whenTheEndpointIsDown_inEveryShell() throws Exception {
    Map<String, String> env = recipeEnv(Fixtures.downEndpoint());
    List<List<String>> runs = new ArrayList<>();
    for (List<String> shell : Proc.POSIX_SHELLS) {
      for (String recipe : List.of(POSIX_RECIPE, POSIX_REGION_RECIPE)) {
        List<String> cmd = new ArrayList<>(shell);
        cmd.addAll(List.of("-c", Readme.command(recipe) + "\necho the script went on"));
        runs.add(cmd);
      }
    }
    runs.add(List.of("fish", "-c", Readme.command(FISH_RECIPE) + "\necho the script went on"));
    for (List<String> cmd : runs) {
      Proc p = Proc.run(cmd, env, dir);
      assertEquals(3, p.exit(), cmd + ": the export's exit code; stderr: " + p.err());
      assertEquals("", p.out(), cmd + ": the script went on");
      assertTrue(
          p.err().startsWith("imds-env: ") && p.err().indexOf('\n') == p.err().length() - 1,
          cmd + ": one line: " + p.err());
    }
    for (List<String> shell : Proc.POSIX_SHELLS) {
      List<String> cmd = new ArrayList<>(shell);
      cmd.addAll(List.of("-c", "set -e; eval \"$(imds-env)\"; echo the script went on"));
      assertEquals(
          "the script went on\n",
          Proc.run(cmd, env, dir).out(),
          shell + ": the old recipe's failure is lost");
    }
    assertEquals(
        "the script went on\n",
        Proc.run(
                List.of(
                    "fish", "-c", "imds-env -f fish | source; or exit; echo the script went on"),
                env,
                dir)
            .out(),
        "fish: the old recipe's failure is lost");
  }

  /**
   * Every recipe of the README and the man page (Recipes.ALL), as the README writes it, with the
   * metadata service down and under set -e, in each shell it names: the script stops with the
   * export's exit code and one line, and what comes after the export (docker, aws, the rest of the
   * script) never runs. docker and aws are stubs here that say they ran (DockerRecipesIT runs the
   * docker recipes against a real daemon, AwsRecipesIT the credential_process one through botocore
   * and the AWS CLI). A recipe added to Recipes without a way to run it here fails this test.
   */
  @Test
  void everyRecipe_asWritten_endpointDown_underSetE_stopsTheScript() throws Exception {
    Map<String, String> env = recipeEnv(Fixtures.downEndpoint());
    Path bin = dir.resolve("bin");
    for (String stub : List.of("docker", "aws")) {
      Files.writeString(bin.resolve(stub), "#!/bin/sh\necho " + stub + " ran\n");
      Files.setPosixFilePermissions(
          bin.resolve(stub), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.createDirectories(dir.resolve(".aws"));
    Path envFile = dir.resolve("app/aws.env");
    Files.createDirectories(envFile.getParent());
    int ran = 0;
    for (Recipes.Recipe recipe : Recipes.ALL) {
      String text = recipe.text();
      List<List<String>> shells;
      String script;
      int code = 3;
      if (text.equals(Recipes.FISH)) {
        shells = List.of(List.of("fish"));
        script = Readme.command(text); // fish has no set -e: the recipe's own "or exit" stops it
      } else if (text.equals(Recipes.DOCKER_ENV_FILE)) {
        shells = List.of(List.of("bash"));
        script = "set -e\n" + Readme.command(text);
      } else if (List.of(
              Recipes.SH,
              Recipes.SH_REGION,
              Recipes.DOCKER_ARGS,
              Recipes.EXEC_DOCKER,
              Recipes.EXEC_AWS,
              Recipes.INI,
              Recipes.DOCTOR)
          .contains(text)) {
        shells = Proc.POSIX_SHELLS;
        script = "set -e\n" + Readme.command(text);
      } else if (text.equals(Recipes.CRON)) {
        // "m h dom mon dow user command": cron runs the command with /bin/sh
        String command = Readme.command(text).split(" +", 7)[6];
        shells = List.of(List.of("/bin/sh"));
        script =
            "set -e\n"
                + Readme.substitute(
                    Readme.substitute(command, "/usr/local/bin/imds-env", "imds-env"),
                    "/etc/app/aws.env",
                    envFile.toString());
      } else if (List.of(
              Recipes.POWERSHELL, // Debian has no PowerShell (the README says so)
              Recipes.CREDENTIAL_PROCESS, // a config file: AwsRecipesIT, through botocore and aws
              Recipes.SYSTEMD) // installs the units, which run the cron line's command
          .contains(text)) {
        continue;
      } else {
        throw new AssertionError("no way to run this recipe with the endpoint down: " + text);
      }
      for (List<String> shell : shells) {
        List<String> cmd = new ArrayList<>(shell);
        cmd.addAll(List.of("-c", script + "\necho the script went on"));
        Proc p = Proc.run(cmd, env, dir);
        ran++;
        assertEquals(code, p.exit(), cmd + ": the export's exit code; stderr: " + p.err());
        assertFalse(p.out().contains(" ran\n"), cmd + ": docker or aws ran: " + p.out());
        assertFalse(p.out().contains("the script went on"), cmd + ": the script went on");
        if (!text.equals(Recipes.DOCTOR)) { // doctor's report is its stdout
          assertEquals("", p.out(), cmd.toString());
          assertTrue(
              p.err().startsWith("imds-env: ") && p.err().indexOf('\n') == p.err().length() - 1,
              cmd + ": one line: " + p.err());
        }
      }
    }
    assertFalse(Files.exists(envFile), "the cron line wrote a file with the service down");
    assertFalse(Files.exists(dir.resolve(".aws/credentials")), "the ini recipe wrote a file");
    assertTrue(ran >= 38, ran + " runs");
  }

  /**
   * Hundreds of generated hostile values, through each shell format into each of its shells: each
   * reads back exactly or is refused cleanly, and the marker file is never created.
   */
  @Test
  void generatedHostileValues_roundTripOrAreRefused_inEveryShell() throws Exception {
    Path marker = dir.resolve("marker");
    List<String> values = hostileValues(marker, 320);
    Path cases = Files.createDirectories(dir.resolve("cases"));
    Instant expires = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    int refusedNoExport = 0;
    for (int i = 0; i < values.size(); i++) {
      Credentials c = new Credentials("ASIAX", "secret", values.get(i), expires, null, null);
      Variables vars = Variables.of(c, null, Variables.Extras.NONE);
      Files.writeString(cases.resolve(i + ".env"), Format.ENV.render(vars));
      Files.writeString(cases.resolve(i + ".fish"), Format.FISH.render(vars));
      try {
        Files.writeString(cases.resolve(i + ".noexport"), Format.ENV_NO_EXPORT.render(vars));
      } catch (io.github.imdsenv.ImdsEnvException e) {
        refusedNoExport++;
      }
    }
    assertTrue(
        refusedNoExport > values.size() / 2, "most hostile values cannot go into an env file");
    String loop =
        "i=0; while [ $i -lt "
            + values.size()
            + " ]; do"
            + " eval \"$(cat \"$OUT/cases/$i.env\")\"; printf '%s' \"$AWS_SESSION_TOKEN\" > \"$OUT/cases/$i.out\";"
            + " if [ -f \"$OUT/cases/$i.noexport\" ]; then eval \"$(cat \"$OUT/cases/$i.noexport\")\";"
            + " printf '%s' \"$AWS_SESSION_TOKEN\" > \"$OUT/cases/$i.out2\"; fi;"
            + " i=$((i+1)); done";
    for (List<String> shell : Proc.POSIX_SHELLS) {
      List<String> cmd = new ArrayList<>(shell);
      cmd.addAll(List.of("-c", loop));
      Proc p = Proc.run(cmd, env(), dir);
      assertEquals(0, p.exit(), shell + ": " + p.err());
      compare(shell.toString(), values, cases, ".out");
      compare(shell + " env-no-export", values, cases, ".out2");
    }
    Proc p =
        Proc.run(
            List.of(
                "fish",
                "-c",
                "for i in (seq 0 "
                    + (values.size() - 1)
                    + ");"
                    + " source $OUT/cases/$i.fish; printf '%s' \"$AWS_SESSION_TOKEN\" > $OUT/cases/$i.out; end"),
            env(),
            dir);
    assertEquals(0, p.exit(), "fish: " + p.err());
    compare("fish", values, cases, ".out");
    assertFalse(Files.exists(marker), "a hostile value ran a command");
  }

  private static void compare(String shell, List<String> values, Path cases, String suffix)
      throws Exception {
    for (int i = 0; i < values.size(); i++) {
      Path out = cases.resolve(i + suffix);
      if (suffix.equals(".out2") && !Files.exists(cases.resolve(i + ".noexport"))) {
        continue;
      }
      assertTrue(
          Files.exists(out), shell + ": case " + i + " produced nothing: " + escape(values.get(i)));
      assertArrayEquals(
          values.get(i).getBytes(StandardCharsets.UTF_8),
          Files.readAllBytes(out),
          shell + ": case " + i + " " + escape(values.get(i)));
      Files.delete(out);
    }
  }

  /**
   * Every ASCII punctuation and control character, newlines, non-ASCII, and random mixes of them
   * with attacks.
   */
  static List<String> hostileValues(Path marker, int count) {
    String m = marker.toString();
    List<String> attacks =
        List.of(
            "$(touch " + m + ")",
            "`touch " + m + "`",
            "; touch " + m,
            "'; touch " + m + "; '",
            "\"; touch " + m + "; \"",
            "(touch " + m + ")",
            "\\'; touch " + m + "; #",
            "\n touch " + m + "\n",
            "$((1+1))",
            "${HOME}",
            "{a,b}",
            "~root",
            "*",
            "?",
            "[a-z]",
            "!!",
            "%PATH%",
            "'\\''",
            "\\",
            "\\\\'",
            "$'\\x41'");
    List<String> out = new ArrayList<>();
    for (char c = 1; c < 128; c++) {
      if (!Character.isLetterOrDigit(c)) {
        out.add("a" + c + "b");
        out.add(String.valueOf(c));
      }
    }
    out.addAll(attacks);
    out.addAll(
        List.of(
            "é",
            "中文",
            "😀",
            "\u2028",
            "\u00a0",
            "‘’‚‛",
            "trailing\n",
            "\n\nleading",
            "cr\rlf\r\n",
            "tab\tz"));
    Random random = new Random(20261129L);
    String alphabet = "'\"\\$`()[]{};|&<>*?~#!%^ \t\n\r=+/,.:@-_aZ9é😀";
    while (out.size() < count) {
      StringBuilder sb = new StringBuilder();
      int parts = 1 + random.nextInt(4);
      for (int p = 0; p < parts; p++) {
        if (random.nextBoolean()) {
          sb.append(attacks.get(random.nextInt(attacks.size())));
        } else {
          for (int k = random.nextInt(8); k >= 0; k--) {
            sb.appendCodePoint(
                alphabet.codePointAt(
                    alphabet.offsetByCodePoints(
                        0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
          }
        }
      }
      out.add(sb.toString());
    }
    return out;
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return sb.toString();
  }
}
