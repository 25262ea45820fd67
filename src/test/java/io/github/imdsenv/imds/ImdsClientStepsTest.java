package io.github.imdsenv.imds;

import static io.github.imdsenv.Fixtures.EXTENDED;
import static io.github.imdsenv.Fixtures.REGION;
import static io.github.imdsenv.Fixtures.ROLE;
import static io.github.imdsenv.Fixtures.ROLES;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.credentials.Credentials;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The steps ImdsClient reports to a listener (what doctor prints its lines from), each with the
 * answer the client returns, on a scripted IMDS.
 */
class ImdsClientStepsTest {

  private final ScriptedImds imds = new ScriptedImds();

  private final List<String> steps = new ArrayList<>();

  private final ImdsListener recorder =
      new ImdsListener() {
        @Override
        public void tokenReceived(int ttlSeconds) {
          steps.add("token " + ttlSeconds);
        }

        @Override
        public void tokenTimedOut(String request) {
          steps.add("token timed out: " + request);
        }

        @Override
        public void tokenRefused(String request, int status) {
          steps.add("token refused: " + request + " " + status);
        }

        @Override
        public void v1FallbackTaken(String why) {
          steps.add("IMDSv1");
        }

        @Override
        public void answeredWithoutToken(String path, int status) {
          steps.add("without token " + path + " " + status);
        }

        @Override
        public void roleListed(String path, String name, boolean valid) {
          steps.add("role " + path + " " + name + (valid ? "" : " (invalid)"));
        }

        @Override
        public void noRole(String path, int status) {
          steps.add("no role " + path + " " + status);
        }

        @Override
        public void extendedFellBack(String path, int status) {
          steps.add("legacy after " + path + " " + status);
        }

        @Override
        public void regionRefused(String path, int status) {
          steps.add("region refused " + path + " " + status);
        }
      };

  @AfterEach
  void everyScriptedRequestWasSent() {
    assertEquals(List.of(), imds.transport.unsent(), "scripted but not sent");
  }

  private ImdsClient client() {
    imds.attempts = 1;
    return imds.client(recorder);
  }

  /** The credentials of {@link Fixtures#credentialsJson}, from the extended path (AccountId). */
  private static void assertFromTheExtendedPath(Credentials c) {
    assertEquals(Fixtures.ACCESS_KEY_ID, c.accessKeyId());
    assertEquals(Fixtures.EXPIRES, c.expiration());
    assertEquals("123456789012", c.accountId());
  }

  @Test
  void healthy_reportsTokenRoleAndTheExtendedPath() {
    imds.healthy().region();
    ImdsClient c = client();
    assertFromTheExtendedPath(c.credentials());
    assertEquals("eu-central-2", c.region());
    assertEquals(List.of("token 21600", "role " + ROLES + " app-role"), steps);
  }

  @Test
  void tokenApi404_reportsTheRefusalAndTheFallback() {
    imds.on("PUT", TOKEN_PATH).answer(404);
    imds.roles().extended();
    assertFromTheExtendedPath(client().credentials());
    assertEquals(
        List.of(
            "token refused: PUT " + TOKEN_PATH + " 404",
            "IMDSv1",
            "without token " + ROLES + " 200",
            "role " + ROLES + " app-role",
            "without token " + EXTENDED + "app-role 200"),
        steps);
    assertNull(imds.transport.sent().get(1).header("X-aws-ec2-metadata-token"));
  }

  @Test
  void extended500_reportsTheLegacyFallback() {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).answer(500);
    imds.on("GET", ROLES + ROLE).answer(200, ScriptedImds.legacyJson());
    Credentials c = client().credentials();
    assertEquals(Fixtures.EXPIRES, c.expiration());
    assertNull(c.accountId(), "the legacy path has none");
    assertEquals(
        List.of(
            "token 21600",
            "role " + ROLES + " app-role",
            "legacy after " + EXTENDED + "app-role 500"),
        steps);
  }

  @Test
  void roleListWithControls_reportedEscapedAndInvalid_beforeTheFailure() {
    imds.token();
    imds.on("GET", ROLES).answer(200, "app\r\u001b]0;x\u0007role\n");
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> client().credentials());
    assertEquals(ImdsEnvException.Reason.BAD_ANSWER, e.reason());
    assertEquals(
        List.of("token 21600", "role " + ROLES + " app\\u000d\\u001b]0;x\\u0007role (invalid)"),
        steps);
  }

  @Test
  void noRoleAndNoRegion_reportedBeforeTheFailure() {
    imds.token();
    imds.on("GET", ROLES).answer(404);
    imds.on("GET", REGION).answer(404);
    ImdsClient c = client();
    assertEquals(
        ImdsEnvException.Reason.NO_ROLE,
        assertThrows(ImdsEnvException.class, c::credentials).reason());
    assertEquals(
        ImdsEnvException.Reason.REFUSED, assertThrows(ImdsEnvException.class, c::region).reason());
    assertEquals(
        List.of("token 21600", "no role " + ROLES + " 404", "region refused " + REGION + " 404"),
        steps);
  }

  @Test
  void emptyRoleListAndNoRegionName_reportedAsAnswered200_beforeTheFailure() {
    imds.token();
    imds.on("GET", ROLES).answer(200, "\n  \n");
    imds.on("GET", REGION).answer(200, "<html>captive portal</html>");
    ImdsClient c = client();
    assertEquals(
        ImdsEnvException.Reason.NO_ROLE,
        assertThrows(ImdsEnvException.class, c::credentials).reason());
    assertEquals(
        ImdsEnvException.Reason.BAD_ANSWER,
        assertThrows(ImdsEnvException.class, c::region).reason());
    assertEquals(
        List.of("token 21600", "no role " + ROLES + " 200", "region refused " + REGION + " 200"),
        steps);
  }

  /**
   * Doctor's GET without a token asks the role list, a path the export asks (an emulator may serve
   * nothing else): 401 when IMDSv2 is required, -1 when nothing answers.
   */
  @Test
  void doctorsProbe_asksTheRoleListWithoutAToken_401_orMinusOneWithoutAnAnswer() {
    imds.on("GET", ROLES).answer(401);
    imds.on("GET", ROLES).fail(new SocketException("Connection reset"));
    ImdsClient c = client();
    assertEquals(401, c.statusWithoutToken());
    assertEquals(-1, c.statusWithoutToken());
    assertEquals(ROLES, ImdsClient.pathWithoutToken());
    assertEquals(List.of(), steps, "no step of a fetch");
    for (var sent : imds.transport.sent()) {
      assertNull(sent.header("X-aws-ec2-metadata-token"), "without a token");
    }
  }

  @Test
  void startSession_tokenTimesOut_reportsIt_thenEachGetWithoutATokenIsReported() {
    imds.on("PUT", TOKEN_PATH).after(Duration.ofSeconds(2)).answer(200, "late");
    imds.roles().extended();
    ImdsClient c = client();
    c.startSession();
    assertEquals(List.of("token timed out: PUT " + TOKEN_PATH, "IMDSv1"), steps);
    steps.clear();
    assertFromTheExtendedPath(c.credentials());
    assertEquals(
        List.of(
            "without token " + ROLES + " 200",
            "role " + ROLES + " " + ROLE,
            "without token " + EXTENDED + ROLE + " 200"),
        steps);
  }

  @Test
  void fallback_getAnswers401_isReportedBeforeTheClientFails() {
    imds.on("PUT", TOKEN_PATH).answer(403);
    imds.on("GET", ROLES).answer(401);
    ImdsClient c = client();
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::credentials);
    assertEquals(ImdsEnvException.Reason.NO_TOKEN, e.reason());
    assertEquals(
        List.of(
            "token refused: PUT " + TOKEN_PATH + " 403",
            "IMDSv1",
            "without token " + ROLES + " 401"),
        steps);
  }

  @Test
  void withAToken_noGetIsReportedAsWithoutOne() {
    imds.healthy();
    client().credentials();
    assertTrue(steps.stream().noneMatch(s -> s.startsWith("without token")), steps.toString());
  }

  /** The export's client, which reports to no one, takes the same steps and gives the same. */
  @Test
  void withoutListener_theSameFetch() {
    imds.healthy();
    imds.attempts = 1;
    assertFromTheExtendedPath(imds.client().credentials());
    assertEquals(
        List.of("PUT " + TOKEN_PATH, "GET " + ROLES, "GET " + EXTENDED + ROLE),
        imds.transport.requests());
  }
}
