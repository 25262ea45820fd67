package io.github.imdsenv.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.HiddenFailures;
import io.github.imdsenv.cli.Cli;
import io.github.imdsenv.cli.Recipes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Every text a user reads, from its source: the README, the docs, the man page and the completions
 * as this build generates them, --help of each command. None shows a recipe that hides a failed
 * export ({@link HiddenFailures}); TarballIT checks the same in the tarball as shipped.
 */
class ShippedTextsTest {

  private static final Path MAN_SECTIONS = Path.of("src/build/man");

  @Test
  void noTextShowsARecipeThatHidesAFailure() throws IOException {
    Map<String, String> texts = texts();
    assertTrue(texts.size() >= 14, texts.keySet().toString());
    List<String> found = new ArrayList<>();
    for (Map.Entry<String, String> t : texts.entrySet()) {
      assertTrue(t.getValue().length() > 100, t.getKey() + " is empty");
      for (String f : HiddenFailures.in(t.getValue())) {
        found.add(t.getKey() + ": " + f);
      }
    }
    assertEquals(List.of(), found);
  }

  @Test
  void theManPagesExamples_areTheRecipes_eachAsALiteralBlock() throws IOException {
    String page = Dist.manPage(commandLine(), MAN_SECTIONS);
    String examples =
        page.substring(page.indexOf("\n== Examples\n"), page.indexOf("\n== Security"));
    for (Recipes.Recipe r : Recipes.ALL) {
      assertTrue(examples.contains("\n....\n" + r.text() + "\n....\n"), r.text());
    }
  }

  static Map<String, String> texts() throws IOException {
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("README.md", read(Path.of("README.md")));
    try (var docs = Files.list(Path.of("docs"))) {
      for (Path d : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        texts.put(d.toString(), read(d));
      }
    }
    CommandLine cl = commandLine();
    texts.put("man page", Dist.manPage(cl, MAN_SECTIONS));
    texts.put("bash completion", AutoComplete.bash("imds-env", cl));
    texts.put("zsh completion", Dist.zsh(cl));
    texts.put("fish completion", Dist.fish(cl));
    for (String command : List.of("", "exec", "doctor", "completion")) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.removeIf(String::isEmpty);
      args.add("--help");
      texts.put("imds-env " + String.join(" ", args), help(args.toArray(String[]::new)));
    }
    try (var units = Files.list(Path.of("src/dist/systemd"))) {
      for (Path u : units.sorted().toList()) {
        texts.put(u.toString(), read(u));
      }
    }
    return texts;
  }

  private static CommandLine commandLine() {
    return Cli.commandLine(
        Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  private static String help(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(
        0, Cli.execute(args, Map.of(), new PrintWriter(out), new PrintWriter(err)), err.toString());
    return out.toString();
  }
}
