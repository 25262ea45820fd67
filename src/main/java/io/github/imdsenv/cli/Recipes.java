package io.github.imdsenv.cli;

import io.github.imdsenv.format.Variables;
import java.util.List;

/**
 * The recipes users copy, written once: {@code --help} shows these constants, the man page's
 * EXAMPLES are generated from {@link #ALL} (io.github.imdsenv.build.Dist), and RecipesTest fails
 * when the README lacks one of them as written. Each stops its script when the export fails: the
 * output goes into a variable first and a failure exits with the export's code, because the status
 * of {@code eval "$(imds-env)"}, {@code imds-env -f fish | source} or {@code --env-file <(imds-env
 * ...)} is lost and the script goes on without credentials. ShellsIT runs each as the README writes
 * it with the metadata service down, under {@code set -e}.
 */
public final class Recipes {

  /** sh, dash, bash, zsh, ksh, busybox ash. */
  public static final String SH = "creds=$(imds-env) || exit; eval \"$creds\"";

  public static final String SH_REGION = "creds=$(imds-env --region) || exit; eval \"$creds\"";

  /** Joined again: a value may span lines, and fish splits a command substitution on them. */
  public static final String FISH =
      "set creds (imds-env -f fish); or exit; string join \\n -- $creds | source";

  /** One string (Out-String): a value may span lines. Not tested: Debian has no PowerShell. */
  public static final String POWERSHELL =
      "$creds = imds-env -f powershell | Out-String; if ($LASTEXITCODE) { exit $LASTEXITCODE };"
          + " Invoke-Expression $creds";

  /** The first half of {@link #DOCKER_ENV_FILE}, which --help shows on two lines. */
  public static final String DOCKER_VARS = "vars=$(imds-env -f env-no-export) || exit";

  private static final String DOCKER_RUN_HEAD = "docker run --env-file <(printf '";
  private static final String DOCKER_RUN_TAIL = "s\\n' \"$vars\") IMAGE";

  /** printf is a shell builtin: the values reach docker's file descriptor through no argv. */
  public static final String DOCKER_RUN_ENV_FILE = DOCKER_RUN_HEAD + "%" + DOCKER_RUN_TAIL;

  /** {@link #DOCKER_RUN_ENV_FILE} in a picocli description, where % starts a format specifier. */
  static final String DOCKER_RUN_ENV_FILE_IN_HELP = DOCKER_RUN_HEAD + "%%" + DOCKER_RUN_TAIL;

  /** bash (a process substitution). */
  public static final String DOCKER_ENV_FILE = DOCKER_VARS + "; " + DOCKER_RUN_ENV_FILE;

  /**
   * docker-args makes no request, but a failure (a usage error) still stops the script. The names
   * go through eval (they are -e and variable names only) because zsh does not split an unquoted
   * $names into words.
   */
  public static final String DOCKER_ARGS =
      SH + "; names=$(imds-env -f docker-args) || exit; eval \"docker run $names IMAGE\"";

  public static final String EXEC_DOCKER =
      "imds-env exec -- docker run -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN"
          + " IMAGE";

  public static final String EXEC_AWS = "imds-env exec --region -- aws s3 ls";

  /** In ~/.aws/config. */
  public static final String CREDENTIAL_PROCESS =
      "[profile instance]\ncredential_process = /usr/local/bin/imds-env -f process";

  public static final String INI = "imds-env -f ini --profile-name instance -o ~/.aws/credentials";

  /** An /etc/cron.d line: "m h dom mon dow user command". */
  public static final String CRON =
      "* * * * * root /usr/local/bin/imds-env -f env-no-export -o /etc/app/aws.env"
          + " --min-validity 15m -q";

  /** The shipped timer and service, the file named in a drop-in (an install under /opt). */
  public static final String SYSTEMD =
      String.join(
          "\n",
          "sudo cp /opt/imds-env/share/imds-env/systemd/imds-env-refresh.{service,timer}"
              + " /etc/systemd/system/",
          "sudo mkdir -p /etc/systemd/system/imds-env-refresh.service.d",
          "sudo tee /etc/systemd/system/imds-env-refresh.service.d/file.conf <<'CONF'",
          "[Service]",
          "Environment=IMDS_ENV_FILE=/etc/app/aws.env",
          "ReadWritePaths=/etc/app",
          "CONF",
          "sudo systemctl daemon-reload",
          "sudo systemctl enable --now imds-env-refresh.timer",
          "systemctl list-timers imds-env-refresh.timer; journalctl -u imds-env-refresh.service");

  public static final String DOCTOR = "imds-env doctor";

  /**
   * bash or zsh without the packaged completion directories: completion --help shows it. Exempt
   * from the rule above: it makes no request, and when it fails the shell only lacks completion.
   */
  public static final String COMPLETION = "source <(imds-env completion)";

  /** A recipe with what it is for: the man page's EXAMPLES, in this order. */
  public record Recipe(String caption, String text) {}

  public static final List<Recipe> ALL =
      List.of(
          new Recipe(
              "Credentials into the current shell (sh, dash, bash, zsh, ksh, busybox ash); the script"
                  + " stops with the export's exit code when they cannot be had:",
              SH),
          new Recipe(
              "The same, with " + Variables.REGION + " and " + Variables.DEFAULT_REGION + ":",
              SH_REGION),
          new Recipe("fish (joined again: a value may span lines):", FISH),
          new Recipe("PowerShell (one string: a value may span lines):", POWERSHELL),
          new Recipe(
              "docker from bash, the values through a file descriptor, never on a command line:",
              DOCKER_ENV_FILE),
          new Recipe(
              "docker after the eval: -e NAME only, docker reads the values from the environment:",
              DOCKER_ARGS),
          new Recipe(
              "A command with the credentials in its environment (it never starts without them):",
              EXEC_DOCKER),
          new Recipe("", EXEC_AWS),
          new Recipe("A profile of the AWS CLI and SDKs, in ~/.aws/config:", CREDENTIAL_PROCESS),
          new Recipe(
              "A profile in the shared credentials file, the rest of the file kept as it is:", INI),
          new Recipe(
              "An env file kept fresh from cron (/etc/cron.d/imds-env): every minute, IMDS asked only"
                  + " when the file has under 15 minutes left:",
              CRON),
          new Recipe(
              "The same with the systemd timer of the tarball (installed under /opt/imds-env), the"
                  + " file set in a drop-in:",
              SYSTEMD),
          new Recipe("What is wrong, one check a line:", DOCTOR));

  private Recipes() {}
}
