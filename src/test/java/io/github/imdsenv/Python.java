package io.github.imdsenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Python 3 as an oracle (its configparser is botocore's): a script's output, line by line. */
public final class Python {

  private Python() {}

  /** Runs {@code python3 -c script args...}; fails unless it exits 0 within 60 s. */
  public static List<String> lines(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", "-c", script));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("python3 still running after 60 s");
    }
    assertEquals(0, p.exitValue(), out);
    return out.lines().toList();
  }
}
