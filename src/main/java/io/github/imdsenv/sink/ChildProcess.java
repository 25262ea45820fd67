package io.github.imdsenv.sink;

import io.github.imdsenv.ImdsEnvException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * {@code exec}: the command runs with the given environment (secrets go there, never into an
 * argv), inherits stdin, stdout and stderr, receives the INT, TERM and HUP this process gets, and
 * its exit status becomes ours (128+N when a signal N killed it, as the JDK reports it).
 */
public final class ChildProcess {

  private ChildProcess() {}

  public static int run(List<String> command, Map<String, String> environment) {
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    pb.environment().clear();
    pb.environment().putAll(environment);
    // handlers first: a signal that comes while the child starts is held, then passed on
    AtomicReference<Process> child = new AtomicReference<>();
    AtomicReference<String> pending = new AtomicReference<>();
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      Signal.handle(new Signal(name), s -> {
        Process p = child.get();
        if (p == null) {
          pending.set(name);
        } else {
          forward(p, name);
        }
      });
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      String why = e.getMessage() == null ? "" : e.getMessage();
      boolean denied = why.contains("error=13");
      throw new ImdsEnvException(denied ? ImdsEnvException.Kind.COMMAND_NOT_EXECUTABLE : ImdsEnvException.Kind.COMMAND_NOT_FOUND,
          "exec: cannot run '" + command.get(0) + "': " + (denied ? "permission denied" : "command not found"));
    }
    child.set(p);
    String early = pending.getAndSet(null);
    if (early != null) {
      forward(p, early);
    }
    while (true) {
      try {
        return p.waitFor();
      } catch (InterruptedException e) {
        // keep waiting: the child decides when this ends
      }
    }
  }

  private static void forward(Process child, String signal) {
    if (!child.isAlive()) {
      return;
    }
    if (signal.equals("TERM")) {
      child.destroy();
      return;
    }
    try {
      new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " " + child.pid()).inheritIO().start();
    } catch (IOException e) {
      // the signal is lost; the child keeps running, as it would have without us
    }
  }

}
