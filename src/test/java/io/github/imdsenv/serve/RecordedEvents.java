package io.github.imdsenv.serve;

import io.github.imdsenv.credentials.Credentials;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What a {@link Refresher} told, one line each, the way a test reads it. */
final class RecordedEvents implements Refresher.Events {

  final List<String> lines = new ArrayList<>();

  @Override
  public synchronized void took(Credentials c, String from, boolean notable) {
    lines.add("took " + c.accessKeyHint() + (notable ? " (notable)" : ""));
  }

  @Override
  public synchronized void kept(Credentials held, Credentials offered, String from) {
    lines.add("kept " + held.accessKeyHint() + " over " + offered.accessKeyHint());
  }

  @Override
  public synchronized void failed(String message, Credentials held, Duration next) {
    lines.add("failed: " + message + "; holding " + (held == null ? "none" : held.accessKeyHint()));
  }

  synchronized String last() {
    return lines.get(lines.size() - 1);
  }
}
