package io.github.imdsenv.serve;

import io.github.imdsenv.Log;
import io.github.imdsenv.Printable;
import io.github.imdsenv.credentials.Credentials;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * What serve says on stderr (a service's journal): one line each, {@code imds-env: } first, never a
 * secret (an access key's last four characters at most). Routine refreshes only with -v; warnings
 * not with -q.
 */
public final class Report implements Refresher.Events {

  private final PrintWriter err;
  private final Log log;
  private final boolean quiet;

  public Report(PrintWriter err, Log log, boolean quiet) {
    this.err = err;
    this.log = log;
    this.quiet = quiet;
  }

  public void info(String message) {
    if (!quiet) {
      line("imds-env: " + message);
    }
  }

  public void warn(String message) {
    if (!quiet) {
      line("imds-env: warning: " + message);
    }
  }

  private void line(String s) {
    synchronized (err) {
      err.println(Printable.escape(s.replace('\n', ' ').replace('\r', ' ')));
      err.flush();
    }
  }

  @Override
  public void took(Credentials c, String from, boolean notable) {
    String message = "serving credentials " + Refresher.describe(c) + " from " + from;
    if (notable) {
      info(message);
    } else {
      log.debug(message);
    }
  }

  @Override
  public void kept(Credentials held, Credentials offered, String from) {
    log.debug(
        "kept "
            + Refresher.describe(held)
            + ": "
            + from
            + " gave "
            + Refresher.describe(offered)
            + ", which expire no later");
  }

  @Override
  public void failed(String message, Credentials held, Duration next) {
    warn(
        "cannot refresh the credentials: "
            + message
            + (held == null
                ? "; none held yet, answering 503"
                : "; still serving " + Refresher.describe(held) + " while they are valid")
            + "; next try in "
            + io.github.imdsenv.settings.Durations.human(next));
  }
}
