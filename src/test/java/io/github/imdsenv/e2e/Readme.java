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

  /** Every line inside a fenced code block of README.md, in order. */
  static List<String> codeLines() {
    List<String> lines;
    try {
      lines = Files.readAllLines(FILE, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + FILE, e);
    }
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

  /** The one code line that is exactly COMMAND, but for a trailing `# comment`; returned whole. */
  static String command(String command) {
    List<String> found =
        codeLines().stream().filter(l -> l.replaceFirst("\\s+# .*$", "").equals(command)).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "README.md has "
              + found.size()
              + " code lines reading '"
              + command
              + "' where its recipe tests expect exactly one: update the recipe or the test");
    }
    return found.get(0);
  }

  /** The code line starting with PREFIX and the ones after it, up to a blank line. */
  static List<String> block(String prefix) {
    List<String> code = codeLines();
    int start = code.indexOf(line(prefix));
    List<String> out = new ArrayList<>();
    for (int i = start; i < code.size() && !code.get(i).isBlank(); i++) {
      out.add(code.get(i));
    }
    return out;
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
