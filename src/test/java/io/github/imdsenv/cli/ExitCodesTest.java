package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException.Reason;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one exit-code table against the README, the help and the reasons the layers throw. */
class ExitCodesTest {

  @Test
  void readmeExitCodesTable_isTheTable() throws IOException {
    List<String> lines =
        Files.readAllLines(
            Path.of(System.getProperty("imdsenv.readme", "README.md")), StandardCharsets.UTF_8);
    int start = lines.indexOf("## Exit codes");
    assertTrue(start >= 0, "README has no '## Exit codes' section");
    List<String> readme = new ArrayList<>();
    for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
      if (lines.get(i).startsWith("| ") && !lines.get(i).startsWith("| code ")) {
        readme.add(lines.get(i));
      }
    }
    List<String> table = new ArrayList<>();
    for (ExitCodes.Row row : ExitCodes.TABLE) {
      table.add("| " + row.code() + " | " + row.meaning() + " |");
    }
    assertEquals(table, readme);
  }

  @Test
  void everyReason_hasExactlyOneCode() {
    for (Reason reason : Reason.values()) {
      long rows = ExitCodes.TABLE.stream().filter(r -> r.reasons().contains(reason)).count();
      assertEquals(1, rows, reason.name());
    }
  }

  @Test
  void theContractsCodes_areUnchanged() {
    assertEquals(
        List.of(0, 1, 2, 3, 4, 5, 6, 126, 127),
        ExitCodes.TABLE.stream().map(ExitCodes.Row::code).toList());
    assertEquals(2, ExitCodes.of(Reason.USAGE));
    assertEquals(2, ExitCodes.of(Reason.TOKEN_UNUSABLE));
    assertEquals(3, ExitCodes.of(Reason.UNREACHABLE));
    assertEquals(3, ExitCodes.of(Reason.NO_REGION));
    assertEquals(4, ExitCodes.of(Reason.NO_ROLE));
    assertEquals(5, ExitCodes.of(Reason.BAD_RESPONSE));
    assertEquals(5, ExitCodes.of(Reason.UNREPRESENTABLE));
    assertEquals(6, ExitCodes.of(Reason.OUTPUT));
  }

  @Test
  void help_ofRootAndExec_listsTheTable() {
    for (String help : List.of(help("--help"), help("exec", "--help"))) {
      assertTrue(help.contains("Exit codes:"), help);
      for (ExitCodes.Row row : ExitCodes.TABLE) {
        String first = row.meaning().replace("`", "").split(" ")[0];
        assertTrue(
            help.matches(
                "(?s).*\\n +" + row.code() + " +" + java.util.regex.Pattern.quote(first) + ".*"),
            row.code() + "\n" + help);
      }
    }
  }

  private static String help(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(
        0, Cli.execute(args, Map.of(), new PrintWriter(out), new PrintWriter(err)), err.toString());
    return out.toString();
  }
}
