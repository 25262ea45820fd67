package io.github.imdsenv;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds, in a text users read (the README, the man page, --help, the completions, docs), a recipe
 * whose failure goes unnoticed: the export fails, and the script goes on without credentials. Each
 * form below loses imds-env's exit status. A paragraph may name them only to warn against them: it
 * then says "hides a failure". In Markdown, a line of a fenced code block is always a recipe.
 */
public final class HiddenFailures {

  /** What hides the failure, and the form. */
  private record Form(String why, Pattern pattern) {}

  private static final List<Form> FORMS =
      List.of(
          new Form(
              "eval of a command substitution: its status is lost, and eval \"\" exits 0",
              Pattern.compile("eval\\s+[\"']?(\\$\\(|`|\\()\\s*imds-env\\b")),
          new Form(
              "a process substitution: the reader gets an empty file and goes on",
              Pattern.compile("<\\(\\s*imds-env\\b(?! completion\\))")),
          new Form(
              "a pipe out of imds-env: the pipeline's status is its last command's",
              Pattern.compile("\\bimds-env\\b[^|;&\\n()`]*\\s\\\\?\\|(?!\\|)(?!\\s*Out-String;)")),
          new Form(
              "$(imds-env ...) as an argument of another command: its status is lost",
              Pattern.compile("(?<![A-Za-z0-9_]=)\\$\\(\\s*imds-env\\b")));

  private static final String WARNING = "hides a failure";

  private HiddenFailures() {}

  /** Every hidden-failure form in TEXT, each as "what it is: the line". */
  public static List<String> in(String text) {
    List<String> found = new ArrayList<>();
    List<String> paragraph = new ArrayList<>();
    boolean fenced = false;
    for (String line : (text + "\n").split("\n", -1)) {
      if (line.startsWith("```")) {
        check(String.join("\n", paragraph), false, found);
        paragraph.clear();
        fenced = !fenced;
      } else if (fenced) {
        check(line, false, found);
      } else if (line.isBlank()) {
        check(String.join("\n", paragraph), true, found);
        paragraph.clear();
      } else {
        paragraph.add(line);
      }
    }
    return found;
  }

  private static void check(String text, boolean mayWarn, List<String> found) {
    if (mayWarn && text.contains(WARNING)) {
      return;
    }
    for (Form form : FORMS) {
      Matcher m = form.pattern().matcher(text);
      while (m.find()) {
        int start = text.lastIndexOf('\n', m.start()) + 1;
        int end = text.indexOf('\n', m.end());
        found.add(form.why() + ": " + text.substring(start, end < 0 ? text.length() : end).strip());
      }
    }
  }
}
