package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attack corpus (attack3): vectors where the fast path and picocli disagree. picocli refuses a
 * separate option value that is a subcommand's name ("Expected parameter for option '--output' but
 * found 'exec'", exit 2); the fast path takes it and runs an export (writes a file named "exec",
 * asks for role "doctor", ...).
 */
class FastPathAttackTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-o exec",
        "--output doctor",
        "-o serve",
        "-o completion",
        "--role doctor",
        "--endpoint exec",
        "--profile-name serve",
        "-f ini --profile-name completion",
        "-q -o doctor",
        "--region us-east-1 -o exec"
      })
  void aValueThatIsASubcommandName_isTreatedAlike(String line) {
    String[] args = line.split(" ");
    Request picocli = FastPathTest.viaPicocli(args);
    Request fast = Cli.fastPath(args);
    // picocli refuses these (null); the fast path must then step aside (null) too
    assertEquals(picocli, fast, line);
  }
}
