package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.imdsenv.Run;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A mistyped command or option gets one line that names what was probably meant, and the help of
 * the command it was typed to; exit 2, nothing on stdout.
 */
class UsageErrorTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "docter|unknown command 'docter'; did you mean 'doctor'? (see 'imds-env --help')",
        "exce -- true|unknown command 'exce'; did you mean 'exec'? (see 'imds-env --help')",
        "--fromat json|unknown option '--fromat'; did you mean '--format'? (see 'imds-env --help')",
        "--fromat=json|unknown option '--fromat'; did you mean '--format'? (see 'imds-env --help')",
        "--verbos|unknown option '--verbos'; did you mean '--verbose'? (see 'imds-env --help')",
        "--regoin us-east-1|unknown option '--regoin'; did you mean '--region'? (see 'imds-env --help')",
        "exec --endpont http://127.0.0.1:9 -- true|unknown option '--endpont'; did you mean '--endpoint'? (see 'imds-env exec --help')",
        "doctor --timout 1s|unknown option '--timout'; did you mean '--timeout'? (see 'imds-env doctor --help')",
        "doctor --format json|Unknown options: '--format', 'json' (see 'imds-env doctor --help')",
        "--frobnicate|Unknown option: '--frobnicate' (see 'imds-env --help')",
        "-x|Unknown option: '-x' (see 'imds-env --help')",
        "frobnicate|Unmatched argument at index 0: 'frobnicate' (see 'imds-env --help')",
        "exec|exec needs the COMMAND to run: imds-env exec [OPTIONS] -- COMMAND [ARG...] (see 'imds-env exec --help')",
        "exec --region --|exec needs the COMMAND to run: imds-env exec [OPTIONS] -- COMMAND [ARG...] (see 'imds-env exec --help')",
        "--region us-east1|--region: 'us-east1' is not a region name (such as us-east-1 or us-gov-west-1) (see 'imds-env --help')",
        // Path.of drops a trailing slash: -o x/ wrote a file named x
        "-o x/|Invalid value for option '--output': 'x/' names a directory, not a file: give the file's name, such as x/aws.env (see 'imds-env --help')",
        "--output=/tmp/|Invalid value for option '--output': '/tmp/' names a directory, not a file: give the file's name, such as /tmp/aws.env (see 'imds-env --help')",
        "-f ini -o /tmp/|Invalid value for option '--output': '/tmp/' names a directory, not a file: give the file's name, such as /tmp/aws.env (see 'imds-env --help')",
        "--output=|Invalid value for option '--output': '' names a directory, not a file: give the file's name, such as aws.env (see 'imds-env --help')"
      })
  void oneLine_withWhatWasMeant_exit2(String line, String message) {
    Run.cli(new HashMap<>(), line.split(" ")).assertFailure(2, "imds-env: " + message + "\n");
  }

  @Test
  void typo_closestWithinTwoEdits_andAThirdOfTheWord() {
    List<String> names = List.of("exec", "doctor", "completion");
    assertEquals("doctor", Typo.closest("docter", names));
    assertEquals("doctor", Typo.closest("doctr", names));
    assertEquals("exec", Typo.closest("exce", names));
    assertEquals("completion", Typo.closest("compleiton", names));
    assertNull(Typo.closest("frobnicate", names));
    // two edits in a five-letter word are too many: a guess, not a typo
    assertNull(Typo.closest("dctrr", names));
    assertEquals("--format", Typo.closest("--fromat", List.of("--format", "-f", "--role")));
    assertNull(Typo.closest("-x", List.of("-v", "-q", "-f")));
    assertEquals(1, Typo.distance("ab", "ba"));
    assertEquals(3, Typo.distance("", "abc"));
    assertEquals(2, Typo.distance("abcd", "acbe"));
  }
}
