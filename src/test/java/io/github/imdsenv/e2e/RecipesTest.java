package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.cli.Cli;
import io.github.imdsenv.cli.Recipes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The recipes are written once (cli/Recipes): the README shows each as written there, and --help
 * shows its own ones whole, each on its own line (a recipe wrapped at the terminal's width would
 * run as two commands when pasted).
 */
class RecipesTest {

  @Test
  void theReadme_showsEveryRecipe_asRecipesWritesIt() {
    for (Recipes.Recipe r : Recipes.ALL) {
      assertEquals(List.of(r.text().split("\n")).size(), Readme.lines(r.text()).size(), r.text());
    }
  }

  @Test
  void help_showsItsRecipesWhole_atTheDefaultWidth() {
    assertLines(
        help("--help"),
        "  " + Recipes.SH,
        "  " + Recipes.DOCKER_VARS,
        "  " + Recipes.DOCKER_RUN_ENV_FILE + "      # bash");
    assertLines(help("exec", "--help"), "  " + Recipes.EXEC_AWS);
    assertLines(help("completion", "--help"), "  " + Recipes.COMPLETION);
  }

  @Test
  void theReadmeDockerRecipe_isTheTwoLinesHelpShows_joined() {
    assertEquals(Recipes.DOCKER_VARS + "; " + Recipes.DOCKER_RUN_ENV_FILE, Recipes.DOCKER_ENV_FILE);
  }

  private static void assertLines(String text, String... lines) {
    List<String> all = List.of(text.split("\n"));
    for (String line : lines) {
      assertTrue(all.contains(line), "no line '" + line + "' in:\n" + text);
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
