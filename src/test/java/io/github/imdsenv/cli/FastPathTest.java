package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The hand parser of the everyday invocation yields exactly what picocli yields, or steps aside. */
class FastPathTest {

  static final Map<String, String> ENV = Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds");

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
        "-f windows-cmd --security-token",
        "-o /tmp/aws.env --min-validity 15m -f env-no-export",
        "--output=/tmp/x --min-validity=PT1H",
        "-f ini --profile-name imds -o /tmp/credentials",
        "-o /tmp/aws.env --mode 0640", "--mode=600 -o /tmp/aws.env", "-o /tmp/aws.env --mode 0770");
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void acceptedArguments_parseExactlyAsPicocliParsesThem(String line) {
    String[] args = line.isEmpty() ? new String[0] : line.split(" ");
    ImdsEnvCommand fast = (ImdsEnvCommand) FastPath.parse(args, ENV);
    assertNotNull(fast, "the fast path should take: " + line);
    ImdsEnvCommand viaPicocli = new ImdsEnvCommand(ENV);
    new CommandLine(viaPicocli).setOverwrittenOptionsAllowed(true).parseArgs(args);
    assertEquals(viaPicocli.parsed(), fast.parsed(), line);
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
        "exec @args --region");
  }

  @ParameterizedTest
  @MethodSource("acceptedExec")
  void acceptedExecArguments_parseExactlyAsPicocliParsesThem(String line) {
    String[] args = line.split(" ");
    ExecCommand fast = (ExecCommand) FastPath.parse(args, ENV);
    assertNotNull(fast, "the fast path should take: " + line);
    ExecCommand viaPicocli = new ExecCommand(ENV);
    CommandLine cl = new CommandLine(new ImdsEnvCommand(ENV)).addSubcommand(viaPicocli).setOverwrittenOptionsAllowed(true);
    cl.getSubcommands().get("exec").setStopAtPositional(true);
    cl.setExpandAtFiles(false); // as Cli parses exec
    cl.parseArgs(args);
    assertEquals(viaPicocli.parsed(), fast.parsed(), line);
  }

  @ParameterizedTest
  @ValueSource(strings = {"exec", "exec --", "exec --region", "exec -f json -- true", "exec -o x -- true", "exec --help",
      "exec -vq -- true", "exec --role @r -- true", "exec --frob -- true"})
  void execArgumentsItCannotTake_areLeftToPicocli(String line) {
    assertNull(FastPath.parse(line.split(" "), ENV), line);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "--version", "-V", "completion", "-vq", "-fjson", "-f=json", "--region=true",
      "--endpoint", "--role -v", "-f yaml", "--timeout soon", "--attempts 010", "--attempts +3", "--attempts 0x3",
      "@args.txt", "-f @x", "--frobnicate", "-x", "positional", "--", "--endpoint-mode IPv5", "--source ecs", "doctor", "--min-validity x", "--mode 0644", "--mode 9", "--mode rw"})
  void anythingElse_isLeftToPicocli(String line) {
    assertNull(FastPath.parse(line.split(" "), ENV), line);
  }
}
