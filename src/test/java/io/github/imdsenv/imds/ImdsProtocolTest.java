package io.github.imdsenv.imds;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.github.imdsenv.Fixtures.ACCESS_KEY_ID;
import static io.github.imdsenv.Fixtures.EXTENDED;
import static io.github.imdsenv.Fixtures.IMDS_TOKEN;
import static io.github.imdsenv.Fixtures.REGION;
import static io.github.imdsenv.Fixtures.ROLE;
import static io.github.imdsenv.Fixtures.ROLES;
import static io.github.imdsenv.Fixtures.SESSION_TOKEN;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;
import static io.github.imdsenv.Fixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.Run;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every IMDS rule of docs/protocol.md, over real HTTP against WireMock on 127.0.0.1. */
class ImdsProtocolTest {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  private static String endpoint() {
    return Fixtures.endpoint(wm);
  }

  private static Run run(String... args) {
    return Run.against(endpoint(), args);
  }

  // ---- the happy path and the token session

  @Test
  void export_healthyImdsV2_printsCredentialsFromTheExtendedPath() {
    Fixtures.healthy(wm);
    Run r = run().assertSuccess();
    assertEquals(
        "export AWS_ACCESS_KEY_ID='"
            + ACCESS_KEY_ID
            + "'\n"
            + "export AWS_SECRET_ACCESS_KEY='"
            + Fixtures.SECRET
            + "'\n"
            + "export AWS_SESSION_TOKEN='"
            + SESSION_TOKEN
            + "'\n"
            + "export AWS_CREDENTIAL_EXPIRATION='"
            + Fixtures.EXPIRES
            + "'\n",
        r.out());
    assertEquals("", r.err());
  }

  @Test
  void token_isRequestedOnceWithTtl21600_andEveryGetCarriesIt() {
    Fixtures.healthy(wm);
    run("--region").assertSuccess();
    wm.verify(
        exactly(1),
        putRequestedFor(urlEqualTo(TOKEN_PATH))
            .withHeader("X-aws-ec2-metadata-token-ttl-seconds", equalTo("21600"))
            .withHeader("X-Forwarded-For", absent()));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(ROLES))
            .withHeader("X-aws-ec2-metadata-token", equalTo(IMDS_TOKEN)));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(EXTENDED + ROLE))
            .withHeader("X-aws-ec2-metadata-token", equalTo(IMDS_TOKEN)));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(REGION))
            .withHeader("X-aws-ec2-metadata-token", equalTo(IMDS_TOKEN)));
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES + ROLE)));
    assertEquals(4, wm.getAllServeEvents().size(), "one PUT and three GETs, nothing more");
  }

  @ParameterizedTest
  @ValueSource(ints = {403, 404, 405})
  void tokenPut_answers403or404or405_fallsBackToImdsV1(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(status)));
    run().assertSuccess();
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(EXTENDED + ROLE))
            .withHeader("X-aws-ec2-metadata-token", absent()));
  }

  @Test
  void tokenPut_403_withNoImdsV1Flag_refusesFallback() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(403)));
    run("--no-imdsv1").assertFailure(3, "IMDSv1 fallback is disabled");
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void tokenPut_404_withV1DisabledInEnvironment_refusesFallback() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(404)));
    Run.againstWithEnv(endpoint(), Map.of("AWS_EC2_METADATA_V1_DISABLED", "true"))
        .assertFailure(3, "IMDSv1 fallback is disabled");
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void tokenPut_timesOut_fallsBackToImdsV1() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(ok(IMDS_TOKEN).withFixedDelay(3000)));
    run().assertSuccess();
    wm.verify(exactly(1), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(EXTENDED + ROLE))
            .withHeader("X-aws-ec2-metadata-token", absent()));
  }

  @Test
  void tokenPut_timesOut_whileGetsDemandTokens_namesTheHopLimit() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(ok(IMDS_TOKEN).withFixedDelay(3000)));
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(401)));
    Run r = run().assertFailure(3, "hop limit is 1");
    assertTrue(r.err().contains("--http-put-response-hop-limit 2"), r.err());
  }

  @Test
  void tokenPut_400_isFatal() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(400)));
    run().assertFailure(3, "answered 400");
    wm.verify(exactly(1), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void get_401_fetchesOneFreshTokenAndRetries() {
    Fixtures.healthy(wm);
    wm.stubFor(
        put(urlEqualTo(TOKEN_PATH))
            .inScenario("token")
            .whenScenarioStateIs(STARTED)
            .willReturn(ok("stale-token"))
            .willSetStateTo("fresh"));
    wm.stubFor(
        put(urlEqualTo(TOKEN_PATH))
            .inScenario("token")
            .whenScenarioStateIs("fresh")
            .willReturn(ok(IMDS_TOKEN)));
    wm.stubFor(
        get(urlEqualTo(ROLES))
            .withHeader("X-aws-ec2-metadata-token", equalTo("stale-token"))
            .willReturn(status(401)));
    run().assertSuccess();
    wm.verify(exactly(2), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(ROLES))
            .withHeader("X-aws-ec2-metadata-token", equalTo(IMDS_TOKEN)));
  }

  @Test
  void get_401_evenWithAFreshToken_givesUpAfterOneRenewal() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(401)));
    run().assertFailure(3, "refused a fresh IMDSv2 token");
    wm.verify(exactly(2), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(exactly(2), getRequestedFor(urlEqualTo(ROLES)));
  }

  // ---- retries

  @Test
  void get_returns429Twice_retriesAndSucceeds() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(EXTENDED + ROLE))
            .inScenario("throttle")
            .whenScenarioStateIs(STARTED)
            .willReturn(status(429))
            .willSetStateTo("once"));
    wm.stubFor(
        get(urlEqualTo(EXTENDED + ROLE))
            .inScenario("throttle")
            .whenScenarioStateIs("once")
            .willReturn(status(429))
            .willSetStateTo("ok"));
    wm.stubFor(
        get(urlEqualTo(EXTENDED + ROLE))
            .inScenario("throttle")
            .whenScenarioStateIs("ok")
            .willReturn(ok(Fixtures.credentialsJson())));
    run().assertSuccess();
    wm.verify(exactly(3), getRequestedFor(urlEqualTo(EXTENDED + ROLE)));
  }

  @Test
  void tokenPut_returns503Once_retriesAndSucceeds() {
    Fixtures.healthy(wm);
    wm.stubFor(
        put(urlEqualTo(TOKEN_PATH))
            .inScenario("busy")
            .whenScenarioStateIs(STARTED)
            .willReturn(status(503))
            .willSetStateTo("ok"));
    wm.stubFor(
        put(urlEqualTo(TOKEN_PATH))
            .inScenario("busy")
            .whenScenarioStateIs("ok")
            .willReturn(ok(IMDS_TOKEN)));
    run().assertSuccess();
    wm.verify(exactly(2), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(ROLES))
            .withHeader("X-aws-ec2-metadata-token", equalTo(IMDS_TOKEN)));
  }

  @Test
  void get_alwaysReturns503_givesUpAfterTheAttempts() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(503)));
    run().assertFailure(3, "answered 503");
    wm.verify(exactly(3), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void attemptsFlag_boundsTheRetries() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(500)));
    run("--attempts", "5").assertFailure(3, "(5 attempts)");
    wm.verify(exactly(5), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void attemptsFromEnvironment_boundsTheRetries() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(429)));
    Run.againstWithEnv(endpoint(), Map.of("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1"))
        .assertFailure(3, "throttling");
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void connectionReset_isRetried() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(ROLES))
            .inScenario("reset")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))
            .willSetStateTo("ok"));
    wm.stubFor(
        get(urlEqualTo(ROLES)).inScenario("reset").whenScenarioStateIs("ok").willReturn(ok(ROLE)));
    run().assertSuccess();
    wm.verify(exactly(2), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void garbageInsteadOfHttp_isRetriedThenFails() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(ROLES)).willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
    run().assertFailure(3, "/latest/meta-data/iam/security-credentials/");
    wm.verify(exactly(3), getRequestedFor(urlEqualTo(ROLES)));
  }

  // ---- time and size bounds

  @Test
  void slowGet_timesOutPerAttempt_andFailsWithExit3() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok(ROLE).withFixedDelay(5000)));
    long start = System.nanoTime();
    run("--timeout", "300ms").assertFailure(3, "did not answer within 300ms");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 3000, "three 300 ms attempts and backoff took " + ms + " ms");
    wm.verify(exactly(3), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void timeoutFromEnvironment_inSeconds() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok(ROLE).withFixedDelay(3000)));
    Run r =
        Run.cli(
            new java.util.HashMap<>(Map.of("AWS_METADATA_SERVICE_TIMEOUT", "0.2")),
            "--endpoint",
            endpoint());
    r.assertFailure(3, "did not answer within 200ms");
  }

  @Test
  void tricklingBody_isCutByTheOverallDeadline() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(EXTENDED + ROLE))
            .willReturn(ok(Fixtures.credentialsJson()).withChunkedDribbleDelay(40, 40_000)));
    long start = System.nanoTime();
    run("--timeout", "60s").assertFailure(3, "within the run's 10s deadline");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms >= 9_000 && ms < 12_000, "the deadline is 10 s; took " + ms + " ms");
  }

  @Test
  void oversizedBody_isRefusedFast_withExit5() {
    Fixtures.healthy(wm);
    byte[] huge = new byte[64 * 1024 * 1024];
    java.util.Arrays.fill(huge, (byte) 'x');
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(ok().withBody(huge)));
    // refused for its size (not cut by a deadline), once, not retried: that the reading stops at
    // the cap itself is HttpLinkTest's, on a raw socket (a wall-clock bound here failed under load)
    run("--timeout", "10s").assertFailure(5, "larger than 64 KiB");
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(EXTENDED + ROLE)));
  }

  @Test
  void oversizedChunkedBody_isRefusedWhileReading() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(EXTENDED + ROLE))
            .willReturn(ok("y".repeat(200 * 1024)).withChunkedDribbleDelay(4, 100)));
    run().assertFailure(5, "larger than 64 KiB");
  }

  @Test
  void bodyOfExactly64KiB_isAccepted_asFarAsSizeGoes() {
    Fixtures.healthy(wm);
    String json = Fixtures.credentialsJson();
    String padded =
        json.substring(0, json.length() - 1)
            + ", \"Pad\" : \""
            + "p".repeat(64 * 1024 - json.length() - 12)
            + "\"}";
    assertEquals(64 * 1024, padded.length());
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(ok(padded)));
    run().assertSuccess();
  }

  @Test
  void unreachablePort_failsWithExit3() throws Exception {
    Run.against(Fixtures.downEndpoint()).assertFailure(3, "refused the connection");
  }

  @Test
  void metadataDisabled_failsAtOnceWithoutAnyRequest() {
    Fixtures.healthy(wm);
    Run.againstWithEnv(endpoint(), Map.of("AWS_EC2_METADATA_DISABLED", "true"))
        .assertFailure(3, "AWS_EC2_METADATA_DISABLED");
    assertEquals(0, wm.getAllServeEvents().size());
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 307})
  void redirect_isNeverFollowed(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(ROLES))
            .willReturn(status(status).withHeader("Location", endpoint() + "/elsewhere")));
    run().assertFailure(3, "never follows");
    wm.verify(exactly(0), getRequestedFor(urlEqualTo("/elsewhere")));
  }

  @Test
  void otherClientError_isFatal_notRetried() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(403)));
    run().assertFailure(3, "answered 403");
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES)));
  }

  // ---- roles

  @Test
  void noRole_404_exit4_andSaysHowToAttachOne() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(404)));
    run().assertFailure(4, "associate-iam-instance-profile");
  }

  @Test
  void emptyRoleList_exit4() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok("")));
    run().assertFailure(4, "no IAM role is attached");
  }

  @Test
  void roleList_takesTheFirstName() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok(ROLE + "\nsecond-role\n")));
    run().assertSuccess();
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(EXTENDED + "second-role")));
  }

  @Test
  void roleFlag_skipsDiscovery() {
    Fixtures.healthy(wm);
    run("--role", ROLE).assertSuccess();
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void roleFromEnvironment_skipsDiscovery() {
    Fixtures.healthy(wm);
    Run.againstWithEnv(endpoint(), Map.of("AWS_EC2_INSTANCE_PROFILE_NAME", ROLE)).assertSuccess();
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void namedRoleNotFound_exit4() {
    Fixtures.healthy(wm);
    run("--role", "other-role").assertFailure(4, "the role 'other-role' is not attached");
  }

  @Test
  void roleThatVanishesAfterListing_isDiscoveredAgain() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(ROLES))
            .inScenario("rotate")
            .whenScenarioStateIs(STARTED)
            .willReturn(ok("old-role"))
            .willSetStateTo("new"));
    wm.stubFor(
        get(urlEqualTo(ROLES))
            .inScenario("rotate")
            .whenScenarioStateIs("new")
            .willReturn(ok(ROLE)));
    run().assertSuccess();
    wm.verify(exactly(2), getRequestedFor(urlEqualTo(ROLES)));
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(EXTENDED + "old-role")));
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES + "old-role")));
  }

  /** Discovery runs again once, not forever: a role that keeps vanishing is exit 4 after two. */
  @Test
  void roleThatKeepsVanishing_isListedTwice_thenExit4() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok("old-role")));
    wm.stubFor(get(urlEqualTo(EXTENDED + "old-role")).willReturn(status(404)));
    wm.stubFor(get(urlEqualTo(ROLES + "old-role")).willReturn(status(404)));
    run().assertFailure(4, "the instance's role keeps changing");
    wm.verify(exactly(2), getRequestedFor(urlEqualTo(ROLES)));
    wm.verify(exactly(2), getRequestedFor(urlEqualTo(ROLES + "old-role")));
  }

  @Test
  void extendedPath404_fallsBackToTheLegacyPath_withoutAccountId() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(404)));
    wm.stubFor(
        get(urlEqualTo(ROLES + ROLE))
            .willReturn(
                ok(
                    Fixtures.json(
                        ACCESS_KEY_ID,
                        Fixtures.SECRET,
                        SESSION_TOKEN,
                        Fixtures.EXPIRES.toString(),
                        null))));
    Run r = run("--account-id").assertSuccess();
    assertFalse(r.out().contains("AWS_ACCOUNT_ID"), r.out());
    assertTrue(r.out().contains(SESSION_TOKEN));
  }

  private static String legacyJson() {
    return Fixtures.json(
        ACCESS_KEY_ID, Fixtures.SECRET, SESSION_TOKEN, Fixtures.EXPIRES.toString(), null);
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 403, 405, 410})
  void extendedPath4xx_fallsBackToTheLegacyPathAtOnce_andAccountIdWarns(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(status)));
    wm.stubFor(get(urlEqualTo(ROLES + ROLE)).willReturn(ok(legacyJson())));
    Run r = run("--account-id").assertSuccess();
    assertTrue(r.out().contains(SESSION_TOKEN), r.out());
    assertFalse(r.out().contains("AWS_ACCOUNT_ID"), r.out());
    assertEquals(
        "imds-env: warning: --account-id: IMDS at "
            + endpoint()
            + " gave no AccountId (IMDS gives it only on its"
            + " extended credentials path; -v shows which path answered); AWS_ACCOUNT_ID is not set\n",
        r.err());
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(EXTENDED + ROLE)));
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES + ROLE)));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 429})
  void extendedPath5xxOr429_fallsBackToTheLegacyPathOnceItsRetriesAreSpent(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(status)));
    wm.stubFor(get(urlEqualTo(ROLES + ROLE)).willReturn(ok(legacyJson())));
    long start = System.nanoTime();
    Run r = run("--region").assertSuccess();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(r.out().contains(SESSION_TOKEN), r.out());
    assertEquals("", r.err(), "no warning without --account-id");
    assertTrue(ms < 2_000, "three attempts with backoff, then the legacy path: " + ms + " ms");
    wm.verify(exactly(3), getRequestedFor(urlEqualTo(EXTENDED + ROLE)));
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES + ROLE)));
    wm.verify(exactly(1), putRequestedFor(urlEqualTo(TOKEN_PATH)));
  }

  @Test
  void extendedPath500Once_isRetried_andKeepsTheAccountId() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(EXTENDED + ROLE))
            .inScenario("blip")
            .whenScenarioStateIs(STARTED)
            .willReturn(status(500))
            .willSetStateTo("ok"));
    wm.stubFor(
        get(urlEqualTo(EXTENDED + ROLE))
            .inScenario("blip")
            .whenScenarioStateIs("ok")
            .willReturn(ok(Fixtures.credentialsJson())));
    Run r = run("--account-id").assertSuccess();
    assertTrue(r.out().contains("AWS_ACCOUNT_ID='123456789012'"), r.out());
    assertEquals("", r.err());
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES + ROLE)));
  }

  @Test
  void extendedPath500_withQuiet_fallsBackWithoutAWarning() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(500)));
    wm.stubFor(get(urlEqualTo(ROLES + ROLE)).willReturn(ok(legacyJson())));
    Run r = run("--account-id", "-q").assertSuccess();
    assertEquals("", r.err());
  }

  @Test
  void extendedPath500_andTheLegacyPathFailsToo_exit3NamesTheLegacyPath() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(500)));
    wm.stubFor(get(urlEqualTo(ROLES + ROLE)).willReturn(status(403)));
    run().assertFailure(3, "GET " + endpoint() + ROLES + ROLE + " answered 403");
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES + ROLE)));
  }

  @Test
  void extendedPath401_getsAFreshToken_notTheLegacyPath() {
    Fixtures.healthy(wm);
    wm.stubFor(
        put(urlEqualTo(TOKEN_PATH))
            .inScenario("token")
            .whenScenarioStateIs(STARTED)
            .willReturn(ok("stale-token"))
            .willSetStateTo("fresh"));
    wm.stubFor(
        put(urlEqualTo(TOKEN_PATH))
            .inScenario("token")
            .whenScenarioStateIs("fresh")
            .willReturn(ok(IMDS_TOKEN)));
    wm.stubFor(
        get(urlEqualTo(EXTENDED + ROLE))
            .withHeader("X-aws-ec2-metadata-token", equalTo("stale-token"))
            .willReturn(status(401)));
    Run r = run("--account-id").assertSuccess();
    assertTrue(r.out().contains("AWS_ACCOUNT_ID='123456789012'"), r.out());
    wm.verify(exactly(2), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES + ROLE)));
  }

  @Test
  void extendedPath401_evenWithAFreshToken_isFatal_notALegacyFallback() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(401)));
    run().assertFailure(3, "refused a fresh IMDSv2 token");
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES + ROLE)));
  }

  @Test
  void extendedPath500_thenTheLegacyPath404_discoversTheRoleAgain() {
    Fixtures.healthy(wm);
    wm.stubFor(
        get(urlEqualTo(ROLES))
            .inScenario("rotate")
            .whenScenarioStateIs(STARTED)
            .willReturn(ok("old-role"))
            .willSetStateTo("new"));
    wm.stubFor(
        get(urlEqualTo(ROLES))
            .inScenario("rotate")
            .whenScenarioStateIs("new")
            .willReturn(ok(ROLE)));
    wm.stubFor(get(urlEqualTo(EXTENDED + "old-role")).willReturn(status(500)));
    run("--attempts", "1").assertSuccess();
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES + "old-role")));
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(EXTENDED + ROLE)));
  }

  @Test
  void hostileRoleName_isNotPutIntoAPath() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok("../../latest/api/token")));
    run().assertFailure(5, "not a valid IAM name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"env", "json", "process", "ini", "fish"})
  void nulInACredentialValue_isRefusedByEveryFormat_exit5(String format) {
    Fixtures.healthy(
        wm,
        Fixtures.json(
            ACCESS_KEY_ID,
            Fixtures.SECRET,
            "IQoJ\u0000" + SESSION_TOKEN,
            Fixtures.EXPIRES.toString(),
            null));
    Run r = run("-f", format).assertFailure(5, "AWS_SESSION_TOKEN contains a NUL character");
    assertFalse(r.err().contains(SESSION_TOKEN), r.err());
  }

  // ---- region and account

  @Test
  void regionAndAccountId_fromPlacementAndTheExtendedApi() {
    Fixtures.healthy(wm);
    Run r = run("--region", "--account-id").assertSuccess();
    assertTrue(
        r.out()
            .endsWith(
                "export AWS_REGION='eu-central-2'\nexport AWS_DEFAULT_REGION='eu-central-2'\n"
                    + "export AWS_ACCOUNT_ID='123456789012'\n"),
        r.out());
  }

  @Test
  void regionThatIsNotARegionName_exit5() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(ok("<html>captive portal</html>")));
    run("--region").assertFailure(5, "did not answer with a region name");
  }

  @Test
  void endpointFromEnvironment_withTrailingSlash() {
    Fixtures.healthy(wm);
    Run.cli(new java.util.HashMap<>(Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint() + "/")))
        .assertSuccess();
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void endpointFlag_beatsEnvironment() {
    Fixtures.healthy(wm);
    Run.cli(
            new java.util.HashMap<>(
                Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1")),
            "--endpoint",
            endpoint())
        .assertSuccess();
  }
}
