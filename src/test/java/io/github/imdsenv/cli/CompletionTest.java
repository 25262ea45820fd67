package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code imds-env completion}'s script, sourced by bash: TAB after an option offers the words that
 * option takes (the enum's labels, as users type them).
 */
class CompletionTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--endpoint-mode|IPv4 IPv6",
        "exec --endpoint-mode|IPv4 IPv6",
        "-f|env env-no-export fish powershell windows-cmd process json ini docker-args"
      })
  void tabAfterAnOption_offersItsValues(String words, String offered) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Cli.execute(
            new String[] {"completion"}, Map.of(), new PrintWriter(out), new PrintWriter(err));
    assertEquals(0, code, err.toString());
    Path script = Files.writeString(dir.resolve("imds-env"), out.toString());
    Process p =
        new ProcessBuilder(
                "bash",
                "-c",
                "source \"$1\"; COMP_LINE=\"imds-env $2 \"; COMP_POINT=${#COMP_LINE};"
                    + " COMP_WORDS=(imds-env $2 ''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));"
                    + " _complete_imds-env 2>/dev/null; echo \"${COMPREPLY[*]}\"",
                "bash",
                script.toString(),
                words)
            .redirectErrorStream(true)
            .start();
    String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(offered + "\n", reply);
  }
}
