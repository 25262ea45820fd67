package io.github.imdsenv.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.cli.Cli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The environment table is the only place variable names are spelled, and Main the only reader of
 * the environment.
 */
class EnvironmentTest {

  private static final Path MAIN = Path.of("src/main/java");
  private static final Pattern LITERAL = Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*\"");

  @Test
  void variableNames_areSpelledOnlyInTheTable() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path file : javaFiles()) {
      // Variables: the names written, some of which (AWS_REGION) are also read
      if (file.endsWith(Path.of("settings", "Environment.java"))
          || file.endsWith(Path.of("format", "Variables.java"))) {
        continue;
      }
      Matcher m = LITERAL.matcher(Files.readString(file, StandardCharsets.UTF_8));
      while (m.find()) {
        for (Environment.Variable v : Environment.TABLE) {
          if (Pattern.compile("\\b" + v.name() + "\\b").matcher(m.group()).find()) {
            found.add(MAIN.relativize(file) + ": " + m.group());
          }
        }
      }
    }
    assertEquals(List.of(), found);
  }

  @Test
  void onlyMain_readsTheEnvironment() throws IOException {
    List<String> readers = new ArrayList<>();
    for (Path file : javaFiles()) {
      if (Files.readString(file, StandardCharsets.UTF_8).contains("System.getenv")) {
        readers.add(MAIN.relativize(file).toString());
      }
    }
    assertEquals(List.of("io/github/imdsenv/cli/Main.java"), readers);
  }

  @Test
  void help_listsEveryVariable() {
    StringWriter out = new StringWriter();
    assertEquals(
        0,
        Cli.execute(
            new String[] {"--help"},
            Map.of(),
            new PrintWriter(out),
            new PrintWriter(new StringWriter())));
    for (Environment.Variable v : Environment.TABLE) {
      assertTrue(out.toString().contains("\n  " + v.name() + "\n"), v.name());
    }
  }

  private static List<Path> javaFiles() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
  }
}
