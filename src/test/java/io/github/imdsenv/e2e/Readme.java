package io.github.imdsenv.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's recipes as the README writes them, so that a change to the README is what the recipe
 * tests run. A recipe that can no longer be found fails the test that wanted it.
 */
final class Readme {

  static final Path FILE =
      Path.of(System.getProperty("imdsenv.readme", "README.md")).toAbsolutePath().normalize();

  private Readme() {}

  private static List<String> readAll() {
    try {
      return Files.readAllLines(FILE, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + FILE, e);
    }
  }

  /** Every line inside a fenced code block of README.md, in order. */
  static List<String> codeLines() {
    List<String> lines = readAll();
    List<String> code = new ArrayList<>();
    boolean in = false;
    for (String line : lines) {
      if (line.startsWith("```")) {
        in = !in;
      } else if (in) {
        code.add(line);
      }
    }
    return code;
  }

  /**
   * The one code line of the README that starts with PREFIX, whole (a trailing comment is harmless
   * to a shell).
   */
  static String line(String prefix) {
    List<String> found = codeLines().stream().filter(l -> l.startsWith(prefix)).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "README.md has "
              + found.size()
              + " code lines starting with '"
              + prefix
              + "' where its recipe tests expect exactly one: update the recipe or the test");
    }
    return found.get(0);
  }

  /**
   * The code line that is exactly COMMAND, but for a trailing `# comment`; returned whole (the
   * first, where the README shows the command more than once).
   */
  static String command(String command) {
    List<String> found =
        codeLines().stream().filter(l -> l.replaceFirst("\\s+# .*$", "").equals(command)).toList();
    if (found.isEmpty()) {
      throw new AssertionError(
          "README.md has no code line reading '"
              + command
              + "' where its recipe tests expect one: update the recipe or the test");
    }
    return found.get(0);
  }

  /**
   * The README's code lines that are RECIPE's lines, one after the other (a one-line recipe may
   * carry a trailing `# comment`): found exactly once, else the README no longer shows the recipe
   * as cli/Recipes writes it.
   */
  static List<String> lines(String recipe) {
    List<String> want = List.of(recipe.split("\n"));
    if (want.size() == 1) {
      return List.of(command(recipe));
    }
    List<String> code = codeLines();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i + want.size() <= code.size(); i++) {
      if (code.subList(i, i + want.size()).equals(want)) {
        at.add(i);
      }
    }
    if (at.size() != 1) {
      throw new AssertionError(
          "README.md shows the recipe "
              + at.size()
              + " times where its tests expect it once, as written in cli/Recipes:\n"
              + recipe);
    }
    return want;
  }

  /** The fenced code block whose first line starts with PREFIX (exactly one), line by line. */
  static List<String> block(String prefix) {
    List<List<String>> blocks = new ArrayList<>();
    List<String> current = null;
    for (String line : readAll()) {
      if (line.startsWith("```")) {
        current = current == null ? new ArrayList<>() : null;
        if (current != null) {
          blocks.add(current);
        }
      } else if (current != null) {
        current.add(line);
      }
    }
    List<List<String>> found =
        blocks.stream().filter(b -> !b.isEmpty() && b.get(0).startsWith(prefix)).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "README.md has "
              + found.size()
              + " code blocks starting with '"
              + prefix
              + "' where its tests expect exactly one: update the README or the test");
    }
    return found.get(0);
  }

  /**
   * TEXT with FROM replaced by TO, failing when FROM is not in it (the README changed under the
   * test).
   */
  static String substitute(String text, String from, String to) {
    if (!text.contains(from)) {
      throw new AssertionError("the README recipe no longer contains '" + from + "': " + text);
    }
    return text.replace(from, to);
  }
}
