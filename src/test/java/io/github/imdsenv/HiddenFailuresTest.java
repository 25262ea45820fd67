package io.github.imdsenv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.imdsenv.cli.Recipes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What HiddenFailures finds, and what it lets through. */
class HiddenFailuresTest {

  @Test
  void theFormsIssue22Found_inTheManPageAndTheReadme_areEachFound() {
    for (String bad :
        List.of(
            "  eval \"$(imds-env)\"",
            "  eval \"$(imds-env --region)\"",
            "eval $(imds-env)",
            "eval `imds-env`",
            "eval (imds-env -f fish)",
            "  imds-env -f fish | source",
            "  imds-env -f powershell | Out-String | Invoke-Expression",
            "imds-env -f powershell | iex",
            "  docker run --env-file <(imds-env -f env-no-export) IMAGE",
            "docker run $(imds-env -f docker-args) IMAGE",
            "| `fish` | `set -gx AWS_ACCESS_KEY_ID '…'` | `imds-env -f fish \\| source` |",
            "imds-env | sh")) {
      assertEquals(1, Math.min(1, HiddenFailures.in(bad).size()), bad);
    }
  }

  @Test
  void everyRecipe_passes() {
    for (Recipes.Recipe r : Recipes.ALL) {
      assertEquals(List.of(), HiddenFailures.in(r.caption() + "\n\n" + r.text()), r.text());
    }
  }

  @Test
  void aParagraphWarningAgainstTheForms_passes_butNotTheSameFormsInAFencedBlock() {
    String warning =
        "The shorter `eval \"$(imds-env)\"` hides a failure: its status is lost.\n"
            + "The same goes for `imds-env -f fish | source` and `--env-file <(imds-env …)`.";
    assertEquals(List.of(), HiddenFailures.in(warning));
    List<String> fenced = HiddenFailures.in("```sh\n" + warning + "\n```\n");
    for (String form : List.of("eval \"$(imds-env)\"", "fish | source", "<(imds-env …)")) {
      assertEquals(
          true, fenced.stream().anyMatch(f -> f.contains(form)), form + " not found in " + fenced);
    }
    assertEquals(
        false,
        HiddenFailures.in("This hides a failure.\n\neval \"$(imds-env)\"  # in its own paragraph")
            .isEmpty());
  }

  @Test
  void whatIsNoPipeOrSubstitution_passes() {
    for (String good :
        List.of(
            "Usage: imds-env exec [-hqvV] [--endpoint-mode=IPv4|IPv6] [--source=auto|imds|container]",
            "imds-env exec -- aws s3 ls || exit",
            "| `imds-env -f docker-args` | names only |",
            "creds=$(imds-env) || exit",
            "set creds (imds-env -f fish); or exit",
            "source <(imds-env completion)",
            "sudo ln -sf /opt/imds-env/bin/imds-env /usr/local/bin/imds-env")) {
      assertEquals(List.of(), HiddenFailures.in(good), good);
    }
  }
}
