package io.github.imdsenv.imds;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.github.imdsenv.Fixtures.EXTENDED;
import static io.github.imdsenv.Fixtures.IMDS_TOKEN;
import static io.github.imdsenv.Fixtures.REGION;
import static io.github.imdsenv.Fixtures.ROLE;
import static io.github.imdsenv.Fixtures.ROLES;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;
import static io.github.imdsenv.Fixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.Run;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The token PUT's answers one by one (docs/imds-protocol.md): which fall back to IMDSv1, which are
 * fatal, what a v1 session then does, and what an unusable token is. Over real HTTP on 127.0.0.1.
 */
class ImdsFallbackTest {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  /**
   * In a cold JVM (PIT's coverage run) the first exchange can outlast a 500 ms timeout: not in a
   * test.
   */
  @BeforeAll
  static void warmUp() {
    Fixtures.healthy(wm);
    run("--region");
  }

  private static String endpoint() {
    return Fixtures.endpoint(wm);
  }

  private static Run run(String... args) {
    return Run.against(endpoint(), args);
  }

  // ---- fallback: 403, 404, 405 and a timeout, and nothing else

  @ParameterizedTest
  @ValueSource(ints = {403, 404, 405})
  void tokenPut_fallbackStatus_givesAV1SessionForTheWholeRun(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(status)));
    Run r = run("--region").assertSuccess();
    assertTrue(r.out().contains("export AWS_REGION='eu-central-2'"), r.out());
    // one PUT: a v1 session is not renegotiated for every GET
    wm.verify(exactly(1), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(
        exactly(0),
        anyRequestedFor(anyUrl()).withHeader("X-aws-ec2-metadata-token", equalTo(IMDS_TOKEN)));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(ROLES)).withHeader("X-aws-ec2-metadata-token", absent()));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(REGION)).withHeader("X-aws-ec2-metadata-token", absent()));
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 402, 406, 409, 410, 418})
  void tokenPut_otherClientError_isFatal_withoutAnyGet(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(status)));
    run().assertFailure(3, "PUT " + endpoint() + TOKEN_PATH + " answered " + status);
    wm.verify(exactly(1), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  @Test
  void tokenPut_400_saysBadRequest() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(400)));
    run().assertFailure(3, "answered 400 (bad request)");
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 307, 308})
  void tokenPut_redirect_isFatal_notAFallback(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(
        put(urlEqualTo(TOKEN_PATH))
            .willReturn(status(status).withHeader("Location", endpoint() + "/elsewhere")));
    run().assertFailure(3, "never follows");
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  @Test
  void tokenPut_alwaysThrottled_isRetriedThenFails_neverAFallback() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(429)));
    run().assertFailure(3, "answered 429");
    wm.verify(exactly(3), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  @Test
  void tokenPut_alwaysFailing5xx_isRetriedThenFails_neverAFallback() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(500)));
    run().assertFailure(3, "answered 500");
    wm.verify(exactly(3), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  // ---- v1 refused

  @ParameterizedTest
  @ValueSource(ints = {403, 404, 405})
  void tokenPut_fallbackStatus_withNoImdsV1_refuses_andNamesTheStatus(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(status)));
    Run r =
        run("--no-imdsv1")
            .assertFailure(3, "answered " + status + " and IMDSv1 fallback is disabled");
    assertFalse(
        r.err().contains("hop limit"), "only a timeout points at the hop limit: " + r.err());
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  @Test
  void tokenPut_timesOut_withNoImdsV1_refuses_andNamesTheHopLimit() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(ok(IMDS_TOKEN).withFixedDelay(3000)));
    Run r = run("--no-imdsv1").assertFailure(3, "timed out and IMDSv1 fallback is disabled");
    assertTrue(r.err().contains("--http-put-response-hop-limit 2"), r.err());
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", " true "})
  void v1DisabledInEnvironment_anySpellingOfTrue_refusesFallback(String value) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(403)));
    Run.againstWithEnv(endpoint(), Map.of("AWS_EC2_METADATA_V1_DISABLED", value))
        .assertFailure(3, "IMDSv1 fallback is disabled");
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "0", "no", ""})
  void v1DisabledInEnvironment_otherValues_allowFallback(String value) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(403)));
    Run.againstWithEnv(endpoint(), Map.of("AWS_EC2_METADATA_V1_DISABLED", value)).assertSuccess();
  }

  @Test
  void v2Session_isNotAffectedByNoImdsV1() {
    Fixtures.healthy(wm);
    run("--no-imdsv1", "--region").assertSuccess();
    wm.verify(exactly(1), putRequestedFor(urlEqualTo(TOKEN_PATH)));
  }

  // ---- a v1 session that meets a 401

  @Test
  void v1SessionAfter403_thenA401_isFatal_withoutATokenRetry_andWithoutTheHopLimitAdvice() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(403)));
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(401)));
    Run r =
        run()
            .assertFailure(
                3,
                "IMDS requires IMDSv2 ("
                    + endpoint()
                    + ROLES
                    + " answered 401) but the IMDSv2 token"
                    + " request (PUT "
                    + TOKEN_PATH
                    + ") answered 403");
    assertFalse(r.err().contains("hop limit"), r.err());
    wm.verify(exactly(1), putRequestedFor(urlEqualTo(TOKEN_PATH)));
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES)));
  }

  // ---- what a usable token is: printable ASCII without spaces, surrounding whitespace trimmed

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   \n",
        "two words",
        "tab\there",
        "del\u007fhere",
        "unit\u001fsep",
        "caf\u00e9"
      })
  void tokenPut_200WithoutAUsableToken_isFatal(String body) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(ok(body)));
    run().assertFailure(3, "answered 200 without a usable token");
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"!", "~", "!token~", "AQAEAEx-9_8=="})
  void tokenPut_printableAsciiToken_isSentAsIs(String token) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(ok(token)));
    run().assertSuccess();
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(ROLES)).withHeader("X-aws-ec2-metadata-token", equalTo(token)));
  }

  @Test
  void tokenPut_tokenWithSurroundingWhitespace_isTrimmed() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(ok("  " + IMDS_TOKEN + "\r\n")));
    run().assertSuccess();
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(ROLES))
            .withHeader("X-aws-ec2-metadata-token", equalTo(IMDS_TOKEN)));
  }

  // ---- the region path's statuses

  @Test
  void regionPath_404_isFatal() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(status(404)));
    run("--region").assertFailure(3, "GET " + endpoint() + REGION + " answered 404");
  }

  @Test
  void regionPath_403_saysImdsAccessMayBeOff() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(status(403)));
    run("--region").assertFailure(3, "answered 403 (forbidden): IMDS access may be turned off");
  }

  @Test
  void regionPath_nameWithSurroundingWhitespace_isTrimmed() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(ok("us-gov-west-1\n")));
    Run r = run("--region").assertSuccess();
    assertTrue(r.out().contains("export AWS_REGION='us-gov-west-1'\n"), r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "US-EAST-1", "us_east_1", "us-east-1;x", "eu/1"})
  void regionPath_notARegionName_exit5(String body) {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(ok(body)));
    run("--region").assertFailure(5, "did not answer with a region name");
  }

  @Test
  void validRegion_boundaries() {
    assertTrue(ImdsClient.validRegion("a"));
    assertTrue(ImdsClient.validRegion("az09-"));
    assertTrue(ImdsClient.validRegion("a".repeat(64)));
    assertFalse(ImdsClient.validRegion("a".repeat(65)));
    assertFalse(ImdsClient.validRegion(""));
    // the characters just outside each range: '`' 'a'-1, '{' 'z'+1, '/' '0'-1, ':' '9'+1, ',' and
    // '.' beside '-'
    for (String outside : new String[] {"`", "{", "/", ":", ",", ".", "A", "Z", " "}) {
      assertFalse(ImdsClient.validRegion("us" + outside + "1"), outside);
    }
  }

  // ---- the credentials GETs that are neither an answer nor a fallback

  @ParameterizedTest
  @ValueSource(ints = {301, 304})
  void extendedPath_3xx_isFatal_notALegacyFallback(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(status)));
    run().assertFailure(3, "answered " + status);
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES + ROLE)));
  }

  @Test
  void legacyPath_403_afterTheExtendedOne404_isFatal() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(404)));
    wm.stubFor(get(urlEqualTo(ROLES + ROLE)).willReturn(status(403)));
    run().assertFailure(3, "GET " + endpoint() + ROLES + ROLE + " answered 403");
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void roleList_500Always_isFatal_afterTheAttempts() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(502)));
    run("--attempts", "2").assertFailure(3, "answered 502");
    wm.verify(exactly(2), getRequestedFor(urlEqualTo(ROLES)));
  }

  @Test
  void roleList_withLeadingBlankLines_takesTheFirstName() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok("\n  \n " + ROLE + " \nother-role\n")));
    run().assertSuccess();
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(EXTENDED + ROLE)));
  }

  @Test
  void roleList_invalidIamName_exit5() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok("bad name\n")));
    run().assertFailure(5, "not a valid IAM name");
    assertEquals(0, wm.findAll(getRequestedFor(urlEqualTo(EXTENDED + "bad name"))).size());
  }

  // ---- what a fatal status says

  @ParameterizedTest
  @ValueSource(ints = {300, 399})
  void tokenPut_anyStatusOf3xx_isARedirectNeverFollowed(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(status)));
    run().assertFailure(3, "answered " + status + " (a redirect, which imds-env never follows)");
  }

  @ParameterizedTest
  @ValueSource(ints = {201, 204, 299})
  void tokenPut_2xxOtherThan200_isFatal_andNoRedirect(int status) {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(status(status)));
    Run r = run().assertFailure(3, "PUT " + endpoint() + TOKEN_PATH + " answered " + status);
    assertFalse(r.err().contains("redirect"), r.err());
    wm.verify(exactly(0), getRequestedFor(anyUrl()));
  }

  @Test
  void get_400_saysBadRequest_and404OnTheRegion_saysNothingMore() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(status(400)));
    run("--region")
        .assertFailure(3, "GET " + endpoint() + REGION + " answered 400 (bad request)\n");
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(status(410)));
    run("--region").assertFailure(3, "GET " + endpoint() + REGION + " answered 410\n");
  }
}
