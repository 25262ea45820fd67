package io.github.imdsenv.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether this host is an ECS container instance, whose agent owns 169.254.170.2: ecs-init
 * redirects its port 80 to the agent on 127.0.0.1:51679 with a NAT rule, so a bind there succeeds
 * while containers' traffic goes to the agent. Seen without sending anything: the agent's listeners
 * in {@code /proc/net/tcp} (51678, its introspection API; 51679, its credentials endpoint), or the
 * ECS configuration file. A listener counts only when root's, as the agent's is.
 */
public final class EcsAgent {

  static final Path CONFIG = Path.of("/etc/ecs/ecs.config");
  static final Path TCP = Path.of("/proc/net/tcp");

  /** 51678 and 51679 as /proc/net/tcp writes ports. */
  private static final List<String> PORTS = List.of("C9DE", "C9DF");

  private EcsAgent() {}

  /** What gives the agent away on this host; null when nothing does. */
  public static String detect() {
    return detect(TCP, CONFIG);
  }

  static String detect(Path tcp, Path config) {
    if (Files.exists(config)) {
      return config + " exists";
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(tcp, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return null;
    }
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid ...; 0A is LISTEN; 127.0.0.1 or
      // any address; uid 0, as the agent runs: any local user may listen on these unprivileged
      // ports, and must not be able to stop a serve or silence doctor that way
      if (f.length > 7 && f[3].equals("0A") && f[7].equals("0")) {
        String[] local = f[1].split(":");
        if (local.length == 2
            && PORTS.contains(local[1])
            && (local[0].equals("0100007F") || local[0].equals("00000000"))) {
          return "a process listens on port "
              + Integer.parseInt(local[1], 16)
              + " (the ECS agent's)";
        }
      }
    }
    return null;
  }
}
