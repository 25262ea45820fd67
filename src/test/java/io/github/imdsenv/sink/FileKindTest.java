package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.imdsenv.format.Format;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What FileKind makes of files OutputKindTest's table does not hold. */
class FileKindTest {

  private static Format of(String content) {
    return FileKind.of(content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aByteOrderMark_isNotPartOfTheFirstLine() {
    assertEquals(Format.INI, of("\uFEFF[default]\naws_access_key_id = A\n"));
    assertEquals(Format.ENV_NO_EXPORT, of("\uFEFFAWS_ACCESS_KEY_ID=A\n"));
  }

  @Test
  void aProfileOnAnyLine_makesACredentialsFile() {
    assertEquals(Format.INI, of("A=1\n[prod]\naws_access_key_id = B\n"));
    assertEquals(Format.INI, of("export A='1'\n\n[prod]\n"));
  }

  @Test
  void textNoFormatWrites_isNone() {
    assertNull(of("hello\nworld\n"));
    assertNull(of("\uFEFF"));
  }

  /**
   * A first line at each edge of what a format writes: the letters and digits a name may hold, a
   * line or a file that ends inside a prefix or a name, upper and lower case, indentation. Without
   * a trailing newline, the end of the line is the end of the file.
   */
  static Stream<Arguments> firstLines() {
    return Stream.of(
        // a shell variable name: [A-Za-z_][A-Za-z0-9_]*, then =
        Arguments.of("names may begin with a", "a=1\n", Format.ENV_NO_EXPORT),
        Arguments.of("names may begin with z", "z=1\n", Format.ENV_NO_EXPORT),
        Arguments.of("names may begin with A", "A=1\n", Format.ENV_NO_EXPORT),
        Arguments.of("names may begin with Z", "Z=1\n", Format.ENV_NO_EXPORT),
        Arguments.of("names may begin with _", "_=1\n", Format.ENV_NO_EXPORT),
        Arguments.of("@ is no letter", "@=1\n", null),
        Arguments.of("[ is no letter", "[=1\n", null),
        Arguments.of("` is no letter", "`=1\n", null),
        Arguments.of("names may hold 0", "A0=1\n", Format.ENV_NO_EXPORT),
        Arguments.of("names may hold 9", "A9=1\n", Format.ENV_NO_EXPORT),
        Arguments.of("/ is no digit", "A/=1\n", null),
        Arguments.of(": is no digit", "A:=1\n", null),
        Arguments.of("names do not begin with a digit", "0A=1\n", null),
        Arguments.of("= without a name", "=1\n", null),
        Arguments.of("a name that ends the file", "AWS_REGION", null),
        Arguments.of("indented", "\t  A=1\n", Format.ENV_NO_EXPORT),
        // export NAME=
        Arguments.of("export, more than one space", "export   A='1'\n", Format.ENV),
        Arguments.of("export, indented", "  export A='1'\n", Format.ENV),
        Arguments.of("export, spaces to the end of the file", "export   ", null),
        Arguments.of("export, a name that ends the file", "export A", null),
        // fish: set -FLAGS NAME value, the flags with x
        Arguments.of("fish, x alone", "set -x A 'v'\n", Format.FISH),
        Arguments.of("fish, not exported", "set -g A 'v'\n", null),
        Arguments.of("fish, a name with no value", "set -gx A\n", null),
        Arguments.of("fish, flags that end the file", "set -gx", null),
        // { then white space, possibly over lines, then "Version"
        Arguments.of(
            "process, white space of every kind", "{\r\n\t \"Version\": 1}\n", Format.PROCESS),
        Arguments.of("process, \"Version\" ends the file", "{\"Version\"", Format.PROCESS),
        Arguments.of("json, white space that ends the file", "{\n", Format.JSON),
        Arguments.of("json, shorter than \"Version\"", "{}", Format.JSON),
        // PowerShell and cmd: either case
        Arguments.of("powershell, as written", "$Env:A = 'v'\n", Format.POWERSHELL),
        Arguments.of("powershell, upper case", "$ENV:A = 'v'\n", Format.POWERSHELL),
        Arguments.of("powershell, $env: ends the file", "$env:", Format.POWERSHELL),
        Arguments.of("powershell, a file that ends inside $env:", "$en", null),
        Arguments.of("cmd, upper case", "SET \"A=1\"\r\n", Format.WINDOWS_CMD),
        Arguments.of("cmd, unquoted", "set A=1\r\n", Format.WINDOWS_CMD),
        Arguments.of("cmd, unquoted, mixed case, indented", "  Set A=1\r\n", Format.WINDOWS_CMD),
        Arguments.of("cmd, a name with no =", "set A\r\n", null),
        Arguments.of("a file that ends inside set", "set", null),
        // docker: -e NAME, or -e NAME=value by hand
        Arguments.of("docker, with a value", "-e AWS_REGION=us-east-1\n", Format.DOCKER_ARGS),
        Arguments.of("a short word", "hi", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("firstLines")
  void theFirstLine_isJudgedAtEachEdge(String what, String content, Format expected) {
    assertEquals(expected, of(content));
  }
}
