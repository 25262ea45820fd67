package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.imdsenv.Run;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.settings.EndpointMode;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The hand parser of the everyday invocations yields exactly the {@link Request} picocli yields, or
 * steps aside: checked option by option against picocli's model (names, arity, defaults, negatable
 * forms), and on a corpus, both through the very {@code CommandLine} that {@link Cli} builds.
 */
class FastPathTest {

  static final Map<String, String> ENV =
      Map.of(
          "AWS_EC2_METADATA_SERVICE_ENDPOINT",
          "http://127.0.0.1:9/",
          "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "http://127.0.0.1:9/creds");

  private static final PrintWriter NOWHERE = new PrintWriter(Writer.nullWriter());

  /** Two values each option type takes, so that a repeated option shows which one wins. */
  private static final Map<Class<?>, List<String>> SAMPLES =
      Map.of(
          String.class, List.of("http://127.0.0.1:8080", "a.b@c=d,e+f_g-h"),
          Path.class, List.of("/tmp/aws.env", "/tmp/credentials"),
          Duration.class, List.of("15m", "PT2S"),
          Integer.class, List.of("5", "1"),
          Format.class, List.of("json", "env-no-export"),
          EndpointMode.class, List.of("IPv6", "ipv4"),
          SourceKind.class, List.of("imds", "container"),
          FileMode.class, List.of("0640", "600"));

  private static CommandLine commandLine(String[] args) {
    return Cli.commandLine(ENV, NOWHERE, NOWHERE, null, args);
  }

  /** A stand-in for "picocli parses this, but as something other than an export or exec run". */
  private static final Request NOT_A_RUN =
      new Request.Exec(Settings.Flags.none(), new VariableOptions(), List.of("not a run"));

  /** The request picocli makes of these arguments; null when it refuses them. */
  static Request viaPicocli(String[] args) {
    CommandLine cl = commandLine(args);
    ParseResult result;
    try {
      result = cl.parseArgs(args);
    } catch (ParameterException e) {
      return null;
    }
    if (result.isUsageHelpRequested() || result.isVersionHelpRequested()) {
      return NOT_A_RUN;
    }
    if (result.hasSubcommand()) {
      ParseResult sub = result.subcommand();
      if (!(sub.commandSpec().userObject() instanceof ExecCommand exec)
          || sub.isUsageHelpRequested()
          || !result.matchedOptions().isEmpty()) {
        return NOT_A_RUN;
      }
      return exec.request();
    }
    return ((ImdsEnvCommand) cl.getCommand()).request();
  }

  /** The fast path takes these arguments, and makes of them what picocli makes. */
  private static void assertTakenAlike(String[] args) {
    String line = String.join(" ", args);
    Request fast = Cli.fastPath(args);
    assertNotNull(fast, "the fast path should take: " + line);
    assertEquals(viaPicocli(args), fast, line);
  }

  /** The fast path leaves these arguments to picocli. */
  private static void assertLeftToPicocli(String[] args) {
    assertNull(Cli.fastPath(args), String.join(" ", args));
  }

  private static String[] args(List<String> before, String... more) {
    List<String> all = new ArrayList<>(before);
    all.addAll(Arrays.asList(more));
    return all.toArray(new String[0]);
  }

  // ---- picocli's model, option by option

  @Test
  void everyOptionOfTheModel_isTakenExactlyAsPicocliTakesIt() {
    CommandLine root = commandLine(new String[0]);
    CommandLine exec = root.getSubcommands().get("exec");
    Set<String> walked = new TreeSet<>();
    for (CommandLine cl : List.of(root, exec)) {
      CommandSpec spec = cl.getCommandSpec();
      boolean isExec = cl == exec;
      List<String> before = isExec ? List.of("exec") : List.of();
      String[] after = isExec ? new String[] {"--", "true"} : new String[0];
      for (OptionSpec o : spec.options()) {
        if (o.usageHelp() || o.versionHelp()) {
          for (String name : o.names()) {
            assertLeftToPicocli(args(before, args(List.of(name), after)));
          }
          continue;
        }
        String what = spec.name() + " " + o.longestName();
        if (o.arity().min() == 0 && o.arity().max() == 1) {
          walked.addAll(Arrays.asList(o.names()));
          optionalValue(before, after, o, what);
          continue;
        }
        assertEquals(
            o.arity().min(), o.arity().max(), what + ": the fast path takes a fixed arity");
        assertTrue(
            o.arity().max() <= 1,
            what + ": the fast path takes no option with more than one value");
        assertFalse(
            o.isMultiValue(),
            what + ": picocli would collect its values where the fast path keeps the last");
        assertNull(
            o.defaultValue(),
            what + ": a default belongs in the field (or Settings), where the fast path sees it");
        for (String name : o.names()) {
          walked.add(name);
          if (o.arity().max() == 0) {
            assertTakenAlike(args(before, args(List.of(name), after)));
            assertTakenAlike(args(before, args(List.of(name, name), after)));
            continue;
          }
          Class<?> type = o.type() == int.class ? Integer.class : o.type();
          List<String> values = SAMPLES.get(type);
          if (values == null) {
            fail(
                what
                    + " has a value of type "
                    + type.getName()
                    + ", new to the fast path: teach the fast path (and"
                    + " SAMPLES here) to take it as picocli does");
          }
          for (String value : values) {
            assertTakenAlike(args(before, args(List.of(name, value), after)));
            if (name.startsWith("--")) {
              assertTakenAlike(args(before, args(List.of(name + "=" + value), after)));
            }
          }
          // repeated: the last value wins in both
          assertTakenAlike(
              args(before, args(List.of(name, values.get(0), name, values.get(1)), after)));
          // without its value, it is picocli's to report
          assertLeftToPicocli(args(before, name));
        }
      }
      for (String negated : spec.negatedOptionsMap().keySet()) {
        walked.add(negated);
        assertTakenAlike(args(before, args(List.of(negated), after)));
      }
      if (isExec) {
        // the root's own options are no exec options: picocli refuses them there, and so must the
        // fast path
        for (OptionSpec o : root.getCommandSpec().options()) {
          if (!o.usageHelp() && !o.versionHelp() && spec.findOption(o.longestName()) == null) {
            List<String> values = SAMPLES.get(o.type());
            for (String name : o.names()) {
              String[] line =
                  args(
                      before,
                      values == null
                          ? new String[] {name, "--", "true"}
                          : new String[] {name, values.get(0), "--", "true"});
              assertNull(viaPicocli(line), String.join(" ", line));
              assertLeftToPicocli(line);
            }
          }
        }
      }
    }
    assertTrue(walked.contains("--endpoint") && walked.contains("-f"), walked.toString());
  }

  /** The values an option with an optional value takes (--region's), and words it does not. */
  private static final List<String> OPTIONAL_VALUES = List.of("us-east-1", "us-gov-west-1");

  private static final List<String> NOT_ITS_VALUE = List.of("us-east1", "docker", "US-EAST-1");

  /**
   * An option whose value may be left out: bare, with a value apart or attached, before a word that
   * is not its value (exec's COMMAND), repeated; the last one wins in both parsers.
   */
  private static void optionalValue(
      List<String> before, String[] after, OptionSpec o, String what) {
    assertFalse(o.isMultiValue(), what);
    assertNull(o.defaultValue(), what);
    String name = o.longestName();
    assertTakenAlike(args(before, args(List.of(name), after)));
    assertTakenAlike(args(before, args(List.of(name, name), after)));
    String v0 = OPTIONAL_VALUES.get(0);
    String v1 = OPTIONAL_VALUES.get(1);
    for (String value : OPTIONAL_VALUES) {
      assertTakenAlike(args(before, args(List.of(name, value), after)));
      assertTakenAlike(args(before, args(List.of(name + "=" + value), after)));
    }
    assertTakenAlike(args(before, args(List.of(name, v0, name, v1), after)));
    assertTakenAlike(args(before, args(List.of(name, v0, name), after)));
    assertTakenAlike(args(before, args(List.of(name, name, v1), after)));
    if (before.isEmpty()) {
      assertTakenAlike(args(before, name));
    } else {
      // exec without COMMAND: picocli's to report
      assertLeftToPicocli(args(before, name));
    }
    for (String word : NOT_ITS_VALUE) {
      // attached, it is a value all the same, and a wrong one: picocli's to report
      assertLeftToPicocli(args(before, args(List.of(name + "=" + word), after)));
      assertNull(viaPicocli(args(before, args(List.of(name + "=" + word), after))), word);
      if (!before.isEmpty()) {
        // exec: the word apart is COMMAND
        assertTakenAlike(args(before, name, word, "--region"));
      }
    }
  }

  @Test
  void defaults_areThoseOfPicocli() {
    assertTakenAlike(new String[0]);
    assertTakenAlike(new String[] {"exec", "--", "true"});
    assertTakenAlike(new String[] {"exec", "true"});
  }

  /** The names the fast path refuses as an option's value are the root's subcommands, exactly. */
  @Test
  void subcommandNames_areThoseOfTheModel() {
    Set<String> names = commandLine(new String[0]).getSubcommands().keySet();
    for (String name : names) {
      assertTrue(Cli.isSubcommand(name), name);
    }
    for (String other : List.of("help", "exec2", "Exec", "", "export")) {
      assertFalse(Cli.isSubcommand(other), other);
    }
    assertEquals(4, names.size(), names.toString());
  }

  @Test
  void execTakesItsCommandAsPicocliDoes() {
    CommandLine exec = commandLine(new String[] {"exec"}).getSubcommands().get("exec");
    assertTrue(exec.isStopAtPositional(), "exec stops at COMMAND");
    assertFalse(
        commandLine(new String[] {"exec"}).isExpandAtFiles(), "Cli reads no @file for exec");
    assertEquals(1, exec.getCommandSpec().positionalParameters().size());
    assertEquals(
        CommandLine.Range.valueOf("1..*"),
        exec.getCommandSpec().positionalParameters().get(0).arity());
    assertTrue(
        commandLine(new String[0]).getCommandSpec().positionalParameters().isEmpty(),
        "a positional of the root would be new to the fast path");
  }

  /**
   * The fast path takes no option name its command's model lacks: not one of another command
   * (serve's, doctor's; the root's for exec), nor one a letter off a real one.
   */
  @Test
  void namesTheModelLacks_areLeftToPicocli() {
    CommandLine root = commandLine(new String[0]);
    Set<String> everyName = new TreeSet<>();
    for (CommandLine cl : root.getSubcommands().values()) {
      for (OptionSpec o : cl.getCommandSpec().options()) {
        everyName.addAll(Arrays.asList(o.names()));
      }
    }
    for (OptionSpec o : root.getCommandSpec().options()) {
      everyName.addAll(Arrays.asList(o.names()));
    }
    Set<String> candidates = new TreeSet<>(everyName);
    for (String name : everyName) {
      candidates.add(name + "x");
      candidates.add(name.substring(0, name.length() - 1));
      candidates.add(name.toUpperCase(java.util.Locale.ROOT));
    }
    int checked = 0;
    for (CommandLine cl : List.of(root, root.getSubcommands().get("exec"))) {
      boolean isExec = cl != root;
      for (String name : candidates) {
        if (cl.getCommandSpec().findOption(name) != null || name.equals("-") || name.equals("--")) {
          continue;
        }
        for (String value : List.of("1", "us-east-1")) {
          String[] line =
              isExec
                  ? new String[] {"exec", name, value, "--", "true"}
                  : new String[] {name, value};
          assertLeftToPicocli(line);
          checked++;
        }
      }
    }
    assertTrue(checked > 50, "names checked: " + checked);
  }

  // ---- validation both parsers reach

  /**
   * configparser's default section (whose keys every profile inherits) is no profile to write: a
   * usage error whichever parser took the arguments, before any request or file. Only the exact
   * name: Python compares it case-sensitively.
   */
  @Test
  void profileNameDEFAULT_isAUsageError_throughEitherParser(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("credentials");
    Files.writeString(file, "[default]\naws_access_key_id = A\n");
    for (String f : List.of("-f ini", "-fini")) {
      String[] args = (f + " --profile-name DEFAULT -o " + file).split(" ");
      assertEquals(f.equals("-f ini"), Cli.fastPath(args) != null, "the parser: " + f);
      Run.cli(ENV, args)
          .assertFailure(2, "--profile-name DEFAULT is the ini default section")
          .assertFailure(2, "leave --profile-name out or write 'default'");
      assertEquals("[default]\naws_access_key_id = A\n", Files.readString(file));
      assertFalse(Files.exists(dir.resolve("credentials.lock")), "no lock taken");
    }
    for (String name : List.of("Default", "default", "DEFAULTS", "profile DEFAULT")) {
      Run r = Run.cli(ENV, "-f", "ini", "--profile-name", name, "--timeout", "100ms");
      assertEquals(3, r.exit(), name + ": " + r.err());
    }
  }

  // ---- the corpus

  static List<String> accepted() {
    return List.of(
        "",
        "--endpoint http://127.0.0.1:8080",
        "--endpoint=http://127.0.0.1:8080/ -f json",
        "-f env-no-export --region --account-id --security-token --allow-expired",
        "--format=docker-env",
        "-f fish -f powershell",
        "--endpoint-mode IPv6",
        "--endpoint-mode=ipv6 --endpoint http://[::1]:8080",
        "--role my-role --timeout 250ms --attempts 5",
        "--timeout=PT2S --attempts=1 --no-imdsv1",
        "--timeout 1.5 --source imds",
        "--source=container -v",
        "-q --region",
        "--verbose --role a.b@c=d,e+f_g-h",
        "--quiet -f process",
        "-v -q",
        "-f windows-cmd --security-token",
        "-o /tmp/aws.env --min-validity 15m -f env-no-export",
        "--output=/tmp/x --min-validity=PT1H",
        "-f ini --profile-name imds -o /tmp/credentials",
        "--min-validity 15m",
        "--profile-name p",
        "-o /tmp/aws.env --mode 0640",
        "--mode=600 -o /tmp/aws.env",
        "-o /tmp/aws.env --mode 0770",
        "--region us-east-1",
        "--region=us-gov-west-1 -f json",
        "--region -f json",
        "--region --account-id",
        "-f env --region cn-north-1 --region",
        "--region --region us-isob-east-1",
        "--region eusc-de-east-1 -o /tmp/aws.env --min-validity 15m",
        "--region us-iso-east-1 --endpoint http://127.0.0.1:8080",
        "-q --region eu-isoe-west-1");
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void acceptedArguments_parseExactlyAsPicocliParsesThem(String line) {
    assertTakenAlike(line.isEmpty() ? new String[0] : line.split(" "));
  }

  static List<String> acceptedExec() {
    return List.of(
        "exec -- true",
        "exec true",
        "exec --endpoint http://127.0.0.1:8080 --region -- docker run -e AWS_ACCESS_KEY_ID image",
        "exec --region aws s3 ls --recursive",
        "exec -v --timeout=2s --attempts 2 -- sh -c x",
        "exec --account-id --security-token --allow-expired --role r -- -weird-command --region",
        "exec --source imds -q printf %s --help",
        "exec -- curl -d @body.json http://example.test/",
        "exec @args --region",
        "exec -- --",
        "exec -- exec",
        "exec --region us-west-2 -- env",
        "exec --region us-west-2 env",
        "exec --region=us-west-2 env",
        "exec --region -- us-west-2",
        "exec --region env us-west-2",
        "exec --region us-west-2 us-east-1",
        "exec --region --region ap-southeast-7 --account-id -- env");
  }

  @ParameterizedTest
  @MethodSource("acceptedExec")
  void acceptedExecArguments_parseExactlyAsPicocliParsesThem(String line) {
    assertTakenAlike(line.split(" "));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "exec",
        "exec --",
        "exec --region",
        "exec -f json -- true",
        "exec -o x -- true",
        "exec --help",
        "exec -vq -- true",
        "exec --role @r -- true",
        "exec --frob -- true",
        "exec --region=docker env",
        "exec --region=",
        "exec --region us-west-2",
        "--region exec -- true"
      })
  void execArgumentsItCannotTake_areLeftToPicocli(String line) {
    assertLeftToPicocli(line.split(" "));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--help",
        "-h",
        "--version",
        "-V",
        "completion",
        "-vq",
        "-fjson",
        "-f=json",
        "--region=true",
        "--region=",
        "--region=us-east1",
        "--region us-east1",
        "--region US-EAST-1",
        "--region @regions",
        "--region doctor",
        "--endpoint",
        "--role -v",
        "-f yaml",
        "--timeout soon",
        "--attempts 010",
        "--attempts +3",
        "--attempts 0x3",
        "@args.txt",
        "-f @x",
        "--frobnicate",
        "-x",
        "positional",
        "--",
        "--endpoint-mode IPv5",
        "--source ecs",
        "doctor",
        "--min-validity x",
        "--mode 0644",
        "--mode 9",
        "--mode rw"
      })
  void anythingElse_isLeftToPicocli(String line) {
    assertLeftToPicocli(line.split(" "));
  }
}
