package io.github.imdsenv.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ECS agent as /proc/net/tcp and /etc/ecs show it, from files written here. */
class EcsAgentTest {

  @TempDir Path dir;

  private static final String HEADER =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

  private String detect(String tcp) throws Exception {
    Path file = dir.resolve("tcp");
    Files.writeString(file, HEADER + tcp);
    return EcsAgent.detect(file, dir.resolve("ecs.config"));
  }

  private static String line(String local, String state) {
    return "   0: "
        + local
        + " 00000000:0000 "
        + state
        + " 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n";
  }

  @Test
  void agentsCredentialsPort_listeningOnLoopback_detected() throws Exception {
    assertEquals(
        "a process listens on port 51679 (the ECS agent's)",
        detect(line("0100007F:0016", "0A") + line("0100007F:C9DF", "0A")));
  }

  @Test
  void introspectionPort_onAnyAddress_detected() throws Exception {
    assertEquals(
        "a process listens on port 51678 (the ECS agent's)", detect(line("00000000:C9DE", "0A")));
  }

  @Test
  void thePortOnlyAsAConnection_orOnAnotherAddress_orOtherPorts_notDetected() throws Exception {
    // 01 is ESTABLISHED: a client's port that happens to be 51679
    assertNull(
        detect(
            line("0100007F:C9DF", "01")
                + line("0A00000A:C9DF", "0A")
                + line("0100007F:0050", "0A")));
  }

  @Test
  void ecsConfig_detected() throws Exception {
    Files.writeString(dir.resolve("ecs.config"), "ECS_CLUSTER=default\n");
    assertEquals(dir.resolve("ecs.config") + " exists", detect(""));
  }

  @Test
  void noProcFile_notDetected() {
    assertNull(EcsAgent.detect(dir.resolve("absent"), dir.resolve("ecs.config")));
  }
}
