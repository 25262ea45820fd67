package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.build.Dist;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one exit-code table against the man page, the help and the reasons the layers throw. */
class ExitCodesTest {

  /**
   * The exit codes' reference is the man page's EXIT STATUS (the README points there): every row,
   * in order, each code with its meaning, and nothing else.
   */
  @Test
  void manPageExitStatus_isTheTable() throws IOException {
    String page =
        Dist.manPage(
            Cli.commandLine(
                Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())),
            Path.of("src/build/man"));
    int start = page.indexOf("\n== Exit status\n");
    assertTrue(start >= 0, "the man page has no Exit status section");
    String section = page.substring(start + 1, page.indexOf("\n== ", start + 1));
    List<String> listed = new ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^\\*(\\d+)\\*::\\n  (.*)$").matcher(section);
    while (m.find()) {
      listed.add(m.group(1) + " " + m.group(2));
    }
    List<String> table = new ArrayList<>();
    for (ExitCodes.Row row : ExitCodes.TABLE) {
      table.add(row.code() + " " + row.meaning().replace("`", ""));
    }
    assertEquals(table, listed);
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
