package io.github.imdsenv.imds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.FakeClock;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Log;
import io.github.imdsenv.Run;
import io.github.imdsenv.http.ScriptedTransport;
import io.github.imdsenv.settings.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AWS_EC2_METADATA_DISABLED=true: IMDS is not asked anything, credentials nor region. */
class MetadataDisabledTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  /**
   * In a cold JVM (PIT's coverage run) the first exchange can outlast a 500 ms timeout: not in a
   * test.
   */
  @BeforeAll
  static void warmUp() {
    Fixtures.healthy(wm);
    Run.against(Fixtures.endpoint(wm), "--region");
  }

  private static final Map<String, String> DISABLED = Map.of("AWS_EC2_METADATA_DISABLED", "true");

  private final FakeClock clock = new FakeClock();
  private final ScriptedTransport transport = new ScriptedTransport(clock);

  @AfterEach
  void everyScriptedRequestWasSent() {
    assertEquals(List.of(), transport.unsent(), "scripted but not sent");
  }

  /** The client as the environment sets it up, on the scripted transport. */
  private ImdsClient client(Map<String, String> env) {
    Settings.Flags flags = Settings.Flags.none().endpoint(ScriptedImds.ENDPOINT);
    Settings settings = Settings.resolve(flags, new HashMap<>(env));
    return ImdsClient.create(
        settings.imds(), settings.budget(), Log.create(false), ImdsListener.NONE, transport, clock);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--region", "--account-id"})
  void export_withRegionOrAccountId_sendsNoRequestAtAll(String flag) {
    Fixtures.healthy(wm);
    Run.againstWithEnv(Fixtures.endpoint(wm), DISABLED, flag)
        .assertFailure(3, "AWS_EC2_METADATA_DISABLED");
    assertEquals(0, wm.getAllServeEvents().size());
  }

  @Test
  void export_withRegionAndTheRegionInTheEnvironment_sendsNoRequestAtAll() {
    Fixtures.healthy(wm);
    Run.againstWithEnv(
            Fixtures.endpoint(wm),
            Map.of("AWS_EC2_METADATA_DISABLED", "TRUE", "AWS_REGION", "eu-west-1"),
            "--source",
            "imds",
            "--region")
        .assertFailure(3, "AWS_EC2_METADATA_DISABLED");
    assertEquals(0, wm.getAllServeEvents().size());
  }

  /** Each way into the client, doctor's session step too, refuses before any request. */
  @ParameterizedTest
  @ValueSource(strings = {"credentials", "region", "startSession"})
  void everyEntry_isRefusedWithoutARequest(String entry) {
    ImdsClient c = client(DISABLED);
    Executable call =
        switch (entry) {
          case "credentials" -> c::credentials;
          case "region" -> c::region;
          default -> c::startSession;
        };
    ImdsEnvException e = assertThrows(ImdsEnvException.class, call);
    assertEquals(ImdsEnvException.Reason.DISABLED, e.reason());
    assertTrue(e.getMessage().contains("AWS_EC2_METADATA_DISABLED"), e.getMessage());
    assertEquals(List.of(), transport.sent());
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "1", "yes", ""})
  void otherValues_leaveImdsOn(String value) {
    transport.on("PUT", Fixtures.TOKEN_PATH).answer(200, Fixtures.IMDS_TOKEN);
    transport.on("GET", Fixtures.REGION).answer(200, "eu-central-2");
    assertEquals("eu-central-2", client(Map.of("AWS_EC2_METADATA_DISABLED", value)).region());
  }
}
