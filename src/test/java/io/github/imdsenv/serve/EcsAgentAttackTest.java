package io.github.imdsenv.serve;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * attack3: any local user may listen on 127.0.0.1:51678 (an unprivileged port); doctor then takes
 * the host for an ECS container instance and skips its serve probe ("imds-env serve is not for this
 * host"), hiding a serve that is down. Shown end to end: as nobody, python3 listening on
 * 127.0.0.1:51678, `imds-env doctor` prints "info serve this looks like an ECS container instance
 * (a process listens on port 51678 (the ECS agent's))". The ECS agent runs as root: a listener of
 * another uid (column 8 of /proc/net/tcp) gives nothing away.
 */
class EcsAgentAttackTest {

  @Test
  void aListenerOfAnUnprivilegedUser_isNoEcsAgent(@TempDir Path dir) throws Exception {
    Path tcp = dir.resolve("tcp");
    Files.writeString(
        tcp,
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid "
            + " timeout inode\n"
            + "   0: 0100007F:C9DE 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65534"
            + "        0 4242 1 0000000000000000 100 0 0 10 0\n");
    assertNull(EcsAgent.detect(tcp, dir.resolve("no-ecs.config")));
  }
}
