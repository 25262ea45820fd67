package io.github.imdsenv.imds;

import static io.github.imdsenv.Fixtures.ACCESS_KEY_ID;
import static io.github.imdsenv.Fixtures.EXTENDED;
import static io.github.imdsenv.Fixtures.IMDS_TOKEN;
import static io.github.imdsenv.Fixtures.REGION;
import static io.github.imdsenv.Fixtures.ROLE;
import static io.github.imdsenv.Fixtures.ROLES;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;
import static io.github.imdsenv.imds.ScriptedImds.ENDPOINT;
import static io.github.imdsenv.imds.ScriptedImds.legacyJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.http.ScriptedTransport.Sent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every IMDS rule of docs/protocol.md, on a scripted IMDS and a fake clock: which requests the
 * client sends, with which headers, in which order, and what it makes of each answer. (The framing,
 * the size cap and the socket's deadlines are HttpLinkTest's; what the CLI prints,
 * ImdsExportTest's.)
 */
class ImdsProtocolTest {

  private final ScriptedImds imds = new ScriptedImds();

  @AfterEach
  void everyScriptedRequestWasSent() {
    assertEquals(List.of(), imds.transport.unsent(), "scripted but not sent");
  }

  private Credentials credentials() {
    return imds.client().credentials();
  }

  private ImdsEnvException fails(Reason reason, String inMessage, Executable run) {
    ImdsEnvException e = assertThrows(ImdsEnvException.class, run);
    assertEquals(reason, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains(inMessage), e.getMessage());
    return e;
  }

  private ImdsEnvException fetchFails(Reason reason, String inMessage) {
    return fails(reason, inMessage, this::credentials);
  }

  private List<String> requests() {
    return imds.transport.requests();
  }

  private List<Sent> sent() {
    return imds.transport.sent();
  }

  private static void assertFromTheExtendedPath(Credentials c) {
    assertEquals(ACCESS_KEY_ID, c.accessKeyId());
    assertEquals("123456789012", c.accountId());
  }

  // ---- the happy path and the token session

  @Test
  void token_isRequestedOnceWithTtl21600_andEveryGetCarriesIt() {
    imds.healthy().region();
    ImdsClient c = imds.client();
    assertFromTheExtendedPath(c.credentials());
    assertEquals("eu-central-2", c.region());
    assertEquals(
        List.of("PUT " + TOKEN_PATH, "GET " + ROLES, "GET " + EXTENDED + ROLE, "GET " + REGION),
        requests(),
        "one PUT and three GETs, nothing more");
    assertEquals("21600", sent().get(0).header("X-aws-ec2-metadata-token-ttl-seconds"));
    assertNull(sent().get(0).header("X-Forwarded-For"));
    for (Sent get : sent().subList(1, 4)) {
      assertEquals(IMDS_TOKEN, get.header("X-aws-ec2-metadata-token"), get.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {403, 404, 405})
  void tokenPut_answers403or404or405_fallsBackToImdsV1(int status) {
    imds.on("PUT", TOKEN_PATH).answer(status);
    imds.roles().extended();
    assertFromTheExtendedPath(credentials());
    assertNull(sent().get(2).header("X-aws-ec2-metadata-token"), "IMDSv1: no token");
  }

  @Test
  void tokenPut_403_withImdsV1Disabled_refusesFallback() {
    imds.on("PUT", TOKEN_PATH).answer(403);
    imds.v1Disabled = true;
    fetchFails(Reason.NO_TOKEN, "IMDSv1 fallback is disabled");
    assertEquals(List.of("PUT " + TOKEN_PATH), requests(), "no GET");
  }

  @Test
  void tokenPut_timesOut_fallsBackToImdsV1() {
    imds.on("PUT", TOKEN_PATH).after(Duration.ofSeconds(3)).answer(200, IMDS_TOKEN);
    imds.roles().extended();
    assertFromTheExtendedPath(credentials());
    assertEquals(1, Collections.frequency(requests(), "PUT " + TOKEN_PATH), "not retried");
    assertNull(sent().get(2).header("X-aws-ec2-metadata-token"));
  }

  @Test
  void tokenPut_timesOut_whileGetsDemandTokens_namesTheHopLimit() {
    imds.on("PUT", TOKEN_PATH).stall();
    imds.on("GET", ROLES).answer(401);
    ImdsEnvException e = fetchFails(Reason.NO_TOKEN, "hop limit is 1");
    assertTrue(e.getMessage().contains("--http-put-response-hop-limit 2"), e.getMessage());
  }

  @Test
  void tokenPut_400_isFatal() {
    imds.on("PUT", TOKEN_PATH).answer(400);
    fetchFails(Reason.REFUSED, "answered 400");
    assertEquals(List.of("PUT " + TOKEN_PATH), requests(), "no retry, no GET");
  }

  @Test
  void get_401_fetchesOneFreshTokenAndRetries() {
    imds.on("PUT", TOKEN_PATH).answer(200, "stale-token");
    imds.on("GET", ROLES).answer(401);
    imds.token().roles().extended();
    assertFromTheExtendedPath(credentials());
    assertEquals("stale-token", sent().get(1).header("X-aws-ec2-metadata-token"));
    assertEquals(IMDS_TOKEN, sent().get(3).header("X-aws-ec2-metadata-token"));
  }

  @Test
  void get_401_evenWithAFreshToken_givesUpAfterOneRenewal() {
    imds.token().on("GET", ROLES).answer(401);
    imds.token().on("GET", ROLES).answer(401);
    fetchFails(Reason.REFUSED, "refused a fresh IMDSv2 token");
  }

  // ---- retries

  @Test
  void get_returns429Twice_retriesAndSucceeds() {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).times(2).answer(429);
    imds.extended();
    assertFromTheExtendedPath(credentials());
    assertEquals(2, imds.clock.sleeps.size(), "a backoff before each retry");
  }

  @Test
  void tokenPut_returns503Once_retriesAndSucceeds() {
    imds.on("PUT", TOKEN_PATH).answer(503);
    imds.healthy();
    assertFromTheExtendedPath(credentials());
    assertEquals(IMDS_TOKEN, sent().get(2).header("X-aws-ec2-metadata-token"));
  }

  @Test
  void get_alwaysReturns503_givesUpAfterTheAttempts() {
    imds.token().on("GET", ROLES).times(3).answer(503);
    fetchFails(Reason.UNREACHABLE, "answered 503");
  }

  @Test
  void attempts_boundTheRetries() {
    imds.attempts = 5;
    imds.token().on("GET", ROLES).times(5).answer(500);
    fetchFails(Reason.UNREACHABLE, "(5 attempts)");
  }

  @Test
  void connectionReset_isRetried() {
    imds.token();
    imds.on("GET", ROLES).fail(new SocketException("Connection reset"));
    imds.roles().extended();
    assertFromTheExtendedPath(credentials());
  }

  /** What HttpLink makes of bytes that are not HTTP: an I/O error, retried like one. */
  @Test
  void notHttp_isRetriedThenFails() {
    IOException notHttp = new IOException("not an HTTP response");
    imds.token().on("GET", ROLES).times(3).fail(notHttp);
    ImdsEnvException e = fetchFails(Reason.UNREACHABLE, ROLES);
    assertTrue(e.getMessage().contains("failed (not an HTTP response)"), e.getMessage());
    assertSame(notHttp, e.getCause(), "-v shows the root");
  }

  // ---- time and size bounds

  @Test
  void slowGet_timesOutPerAttempt_andFails() {
    imds.timeout = Duration.ofMillis(300);
    imds.token().on("GET", ROLES).times(3).stall();
    long start = imds.clock.nanoTime();
    fetchFails(Reason.UNREACHABLE, "did not answer within 300ms");
    long backoff = imds.clock.sleeps.stream().mapToLong(Long::longValue).sum();
    assertEquals(2, imds.clock.sleeps.size());
    assertEquals(Duration.ofMillis(3 * 300 + backoff), imds.clock.since(start));
    for (Sent get : sent().subList(1, 4)) {
      assertEquals(Duration.ofMillis(300), get.timeLeft(), "each attempt has the timeout");
    }
  }

  /** An answer slower than the deadline ends at the deadline, whatever the attempt timeout. */
  @Test
  void slowBody_isCutByTheOverallDeadline() {
    imds.timeout = Duration.ofSeconds(60);
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).after(Duration.ofSeconds(40)).answer(200, "{}");
    long start = imds.clock.nanoTime();
    fetchFails(Reason.UNREACHABLE, "within the run's 10s deadline");
    assertEquals(Duration.ofSeconds(10), imds.clock.since(start));
  }

  /** A body over the cap (HttpLink refuses it while reading) is refused once, not retried. */
  @Test
  void oversizedBody_isRefused_notRetried() {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE)
        .fail(new ImdsEnvException(Reason.BAD_RESPONSE, "the response is larger than 64 KiB"));
    fetchFails(Reason.BAD_RESPONSE, "larger than 64 KiB");
    assertEquals(List.of(), imds.clock.sleeps);
  }

  @Test
  void unreachablePort_fails() {
    imds.on("PUT", TOKEN_PATH).times(3).fail(new ConnectException("Connection refused"));
    ImdsEnvException e = fetchFails(Reason.UNREACHABLE, "refused the connection");
    assertEquals(
        "the instance metadata service at "
            + ENDPOINT
            + " refused the connection to PUT "
            + TOKEN_PATH
            + " (3 attempts): this is not an EC2 instance, IMDS is turned off (--http-endpoint"
            + " disabled), or the endpoint (from --endpoint) is wrong",
        e.getMessage());
  }

  @Test
  void metadataDisabled_failsAtOnceWithoutAnyRequest() {
    imds.disabled = true;
    fetchFails(Reason.DISABLED, "AWS_EC2_METADATA_DISABLED");
    fails(Reason.DISABLED, "AWS_EC2_METADATA_DISABLED", () -> imds.client().region());
    assertEquals(List.of(), requests());
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 307})
  void redirect_isNeverFollowed(int status) {
    imds.token().on("GET", ROLES).answer(status);
    fetchFails(Reason.REFUSED, "never follows");
  }

  @Test
  void otherClientError_isFatal_notRetried() {
    imds.token().on("GET", ROLES).answer(403);
    fetchFails(Reason.REFUSED, "answered 403");
  }

  // ---- roles

  @Test
  void noRole_404_saysHowToAttachOne() {
    imds.token().on("GET", ROLES).answer(404);
    fetchFails(Reason.NO_ROLE, "associate-iam-instance-profile");
  }

  @Test
  void emptyRoleList_isNoRole() {
    imds.token().on("GET", ROLES).answer(200, "");
    fetchFails(Reason.NO_ROLE, "no IAM role is attached");
  }

  @Test
  void roleList_takesTheFirstName() {
    imds.token().on("GET", ROLES).answer(200, ROLE + "\nsecond-role\n");
    imds.extended();
    assertFromTheExtendedPath(credentials());
  }

  @Test
  void role_skipsDiscovery() {
    imds.role = ROLE;
    imds.token().extended();
    assertFromTheExtendedPath(credentials());
  }

  @Test
  void namedRoleNotFound() {
    imds.role = "other-role";
    imds.token();
    imds.on("GET", EXTENDED + "other-role").answer(404);
    imds.on("GET", ROLES + "other-role").answer(404);
    fetchFails(Reason.ROLE_NOT_FOUND, "the role 'other-role' is not attached");
  }

  @Test
  void roleThatVanishesAfterListing_isDiscoveredAgain() {
    imds.token().on("GET", ROLES).answer(200, "old-role");
    imds.on("GET", EXTENDED + "old-role").answer(404);
    imds.on("GET", ROLES + "old-role").answer(404);
    imds.roles().extended();
    assertFromTheExtendedPath(credentials());
  }

  /** Discovery runs again once, not forever: a role that keeps vanishing fails after two. */
  @Test
  void roleThatKeepsVanishing_isListedTwice_thenFails() {
    imds.token();
    for (int i = 0; i < 2; i++) {
      imds.on("GET", ROLES).answer(200, "old-role");
      imds.on("GET", EXTENDED + "old-role").answer(404);
      imds.on("GET", ROLES + "old-role").answer(404);
    }
    fetchFails(Reason.ROLE_NOT_FOUND, "the instance's role keeps changing");
  }

  @Test
  void extendedPath404_fallsBackToTheLegacyPath_withoutAccountId() {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).answer(404);
    imds.on("GET", ROLES + ROLE).answer(200, legacyJson());
    Credentials c = credentials();
    assertEquals(Fixtures.SESSION_TOKEN, c.sessionToken());
    assertNull(c.accountId());
    assertEquals(List.of(), imds.clock.sleeps, "at once");
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 429})
  void extendedPath5xxOr429_fallsBackToTheLegacyPathOnceItsRetriesAreSpent(int status) {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).times(3).answer(status);
    imds.on("GET", ROLES + ROLE).answer(200, legacyJson());
    long start = imds.clock.nanoTime();
    Credentials c = credentials();
    assertEquals(Fixtures.SESSION_TOKEN, c.sessionToken());
    assertNull(c.accountId());
    assertEquals(2, imds.clock.sleeps.size(), "three attempts with backoff");
    assertTrue(imds.clock.since(start).toMillis() <= 300, "then the legacy path at once");
  }

  @Test
  void extendedPath500Once_isRetried_andKeepsTheAccountId() {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).answer(500);
    imds.extended();
    assertFromTheExtendedPath(credentials());
  }

  @Test
  void extendedPath500_andTheLegacyPathFailsToo_namesTheLegacyPath() {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).times(3).answer(500);
    imds.on("GET", ROLES + ROLE).answer(403);
    fetchFails(Reason.REFUSED, "GET " + ENDPOINT + ROLES + ROLE + " answered 403");
  }

  @Test
  void extendedPath401_getsAFreshToken_notTheLegacyPath() {
    imds.on("PUT", TOKEN_PATH).answer(200, "stale-token");
    imds.roles();
    imds.on("GET", EXTENDED + ROLE).answer(401);
    imds.token().extended();
    assertFromTheExtendedPath(credentials());
    assertEquals(IMDS_TOKEN, sent().get(4).header("X-aws-ec2-metadata-token"));
  }

  @Test
  void extendedPath401_evenWithAFreshToken_isFatal_notALegacyFallback() {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).answer(401);
    imds.token().on("GET", EXTENDED + ROLE).answer(401);
    fetchFails(Reason.REFUSED, "refused a fresh IMDSv2 token");
  }

  @Test
  void extendedPath500_thenTheLegacyPath404_discoversTheRoleAgain() {
    imds.attempts = 1;
    imds.token().on("GET", ROLES).answer(200, "old-role");
    imds.on("GET", EXTENDED + "old-role").answer(500);
    imds.on("GET", ROLES + "old-role").answer(404);
    imds.roles().extended();
    assertFromTheExtendedPath(credentials());
  }

  @Test
  void hostileRoleName_isNotPutIntoAPath() {
    imds.token().on("GET", ROLES).answer(200, "../../latest/api/token");
    fetchFails(Reason.BAD_ANSWER, "not a valid IAM name");
  }

  // ---- region

  @Test
  void regionThatIsNotARegionName_isABadAnswer() {
    imds.token().on("GET", REGION).answer(200, "<html>captive portal</html>");
    fails(Reason.BAD_ANSWER, "did not answer with a region name", () -> imds.client().region());
  }
}
