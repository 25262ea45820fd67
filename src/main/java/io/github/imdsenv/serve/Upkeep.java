package io.github.imdsenv.serve;

import io.github.imdsenv.ImdsEnvException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What runs beside the requests, on one thread of its own: the {@link Refresher}, each time when it
 * asks, and a look at the token file every {@link #TOKEN_CHECK}.
 */
public final class Upkeep implements AutoCloseable {

  static final Duration TOKEN_CHECK = Duration.ofSeconds(5);

  private final ScheduledExecutorService scheduler;
  private final Refresher refresher;
  private final TokenFile token;
  private final Report report;
  private String lastTokenProblem;

  private Upkeep(Refresher refresher, TokenFile token, Report report) {
    this.refresher = refresher;
    this.token = token;
    this.report = report;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "serve-upkeep");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts with a refresh now. */
  public static Upkeep start(Refresher refresher, TokenFile token, Report report) {
    Upkeep u = new Upkeep(refresher, token, report);
    u.scheduler.execute(u::refresh);
    long every = TOKEN_CHECK.toMillis();
    u.scheduler.scheduleWithFixedDelay(u::checkToken, every, every, TimeUnit.MILLISECONDS);
    return u;
  }

  private void refresh() {
    Duration next = refresher.refresh();
    if (!scheduler.isShutdown()) {
      scheduler.schedule(this::refresh, next.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void checkToken() {
    try {
      String changed = token.reload();
      if (changed != null) {
        report.info(changed);
      }
      lastTokenProblem = null;
    } catch (ImdsEnvException e) {
      // said once, not every few seconds
      if (!e.getMessage().equals(lastTokenProblem)) {
        report.warn(e.getMessage() + "; the token held so far is still the one accepted");
        lastTokenProblem = e.getMessage();
      }
    } catch (RuntimeException e) {
      report.warn("checking the token file: internal error: " + e.getClass().getName());
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
