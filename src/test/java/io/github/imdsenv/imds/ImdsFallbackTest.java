package io.github.imdsenv.imds;

import static io.github.imdsenv.Fixtures.EXTENDED;
import static io.github.imdsenv.Fixtures.IMDS_TOKEN;
import static io.github.imdsenv.Fixtures.REGION;
import static io.github.imdsenv.Fixtures.ROLE;
import static io.github.imdsenv.Fixtures.ROLES;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;
import static io.github.imdsenv.imds.ScriptedImds.ENDPOINT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.http.ScriptedTransport.Sent;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The token PUT's answers one by one (docs/imds-protocol.md): which fall back to IMDSv1, which are
 * fatal, what a v1 session then does, and what an unusable token is; then the statuses of the other
 * paths. On a scripted IMDS and a fake clock.
 */
class ImdsFallbackTest {

  private final ScriptedImds imds = new ScriptedImds();

  @AfterEach
  void everyScriptedRequestWasSent() {
    assertEquals(List.of(), imds.transport.unsent(), "scripted but not sent");
  }

  private static ImdsEnvException fails(Reason reason, String inMessage, Executable run) {
    ImdsEnvException e = assertThrows(ImdsEnvException.class, run);
    assertEquals(reason, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains(inMessage), e.getMessage());
    return e;
  }

  private ImdsEnvException fetchFails(Reason reason, String inMessage) {
    return fails(reason, inMessage, () -> imds.client().credentials());
  }

  private ImdsEnvException regionFails(Reason reason, String inMessage) {
    return fails(reason, inMessage, () -> imds.client().region());
  }

  private List<String> requests() {
    return imds.transport.requests();
  }

  // ---- fallback: 403, 404, 405 and a timeout, and nothing else

  @ParameterizedTest
  @ValueSource(ints = {403, 404, 405})
  void tokenPut_fallbackStatus_givesAV1SessionForTheWholeRun(int status) {
    imds.on("PUT", TOKEN_PATH).answer(status);
    imds.roles().extended().region();
    ImdsClient c = imds.client();
    c.credentials();
    assertEquals("eu-central-2", c.region());
    // one PUT: a v1 session is not renegotiated for every GET
    assertEquals(1, Collections.frequency(requests(), "PUT " + TOKEN_PATH));
    for (Sent s : imds.transport.sent()) {
      assertNull(s.header("X-aws-ec2-metadata-token"), s.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 402, 406, 409, 410, 418})
  void tokenPut_otherClientError_isFatal_withoutAnyGet(int status) {
    imds.on("PUT", TOKEN_PATH).answer(status);
    fetchFails(Reason.REFUSED, "PUT " + ENDPOINT + TOKEN_PATH + " answered " + status);
    assertEquals(List.of("PUT " + TOKEN_PATH), requests());
  }

  @Test
  void tokenPut_400_saysBadRequest() {
    imds.on("PUT", TOKEN_PATH).answer(400);
    fetchFails(Reason.REFUSED, "answered 400 (bad request)");
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 307, 308})
  void tokenPut_redirect_isFatal_notAFallback(int status) {
    imds.on("PUT", TOKEN_PATH).answer(status);
    fetchFails(Reason.REFUSED, "never follows");
    assertEquals(List.of("PUT " + TOKEN_PATH), requests());
  }

  @Test
  void tokenPut_alwaysThrottled_isRetriedThenFails_neverAFallback() {
    imds.on("PUT", TOKEN_PATH).times(3).answer(429);
    fetchFails(Reason.UNREACHABLE, "answered 429");
  }

  @Test
  void tokenPut_alwaysFailing5xx_isRetriedThenFails_neverAFallback() {
    imds.on("PUT", TOKEN_PATH).times(3).answer(500);
    fetchFails(Reason.UNREACHABLE, "answered 500");
  }

  // ---- v1 refused

  @ParameterizedTest
  @ValueSource(ints = {403, 404, 405})
  void tokenPut_fallbackStatus_withNoImdsV1_refuses_andNamesTheStatus(int status) {
    imds.v1Disabled = true;
    imds.on("PUT", TOKEN_PATH).answer(status);
    ImdsEnvException e =
        fetchFails(Reason.NO_TOKEN, "answered " + status + " and IMDSv1 fallback is disabled");
    assertFalse(
        e.getMessage().contains("hop limit"),
        "only a timeout points at the hop limit: " + e.getMessage());
    assertEquals(List.of("PUT " + TOKEN_PATH), requests());
  }

  @Test
  void tokenPut_timesOut_withNoImdsV1_refuses_andNamesTheHopLimit() {
    imds.v1Disabled = true;
    imds.on("PUT", TOKEN_PATH).after(Duration.ofSeconds(3)).answer(200, IMDS_TOKEN);
    ImdsEnvException e = fetchFails(Reason.NO_TOKEN, "timed out and IMDSv1 fallback is disabled");
    assertTrue(e.getMessage().contains("--http-put-response-hop-limit 2"), e.getMessage());
    assertEquals(List.of("PUT " + TOKEN_PATH), requests());
  }

  @Test
  void v2Session_isNotAffectedByNoImdsV1() {
    imds.v1Disabled = true;
    imds.healthy().region();
    ImdsClient c = imds.client();
    c.credentials();
    assertEquals("eu-central-2", c.region());
    assertEquals(1, Collections.frequency(requests(), "PUT " + TOKEN_PATH));
  }

  // ---- a v1 session that meets a 401

  @Test
  void v1SessionAfter403_thenA401_isFatal_withoutATokenRetry_andWithoutTheHopLimitAdvice() {
    imds.on("PUT", TOKEN_PATH).answer(403);
    imds.on("GET", ROLES).answer(401);
    ImdsEnvException e =
        fetchFails(
            Reason.NO_TOKEN,
            "IMDS requires IMDSv2 ("
                + ENDPOINT
                + ROLES
                + " answered 401) but the IMDSv2 token"
                + " request (PUT "
                + TOKEN_PATH
                + ") answered 403");
    assertFalse(e.getMessage().contains("hop limit"), e.getMessage());
    assertEquals(List.of("PUT " + TOKEN_PATH, "GET " + ROLES), requests());
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
    imds.on("PUT", TOKEN_PATH).answer(200, body);
    fetchFails(Reason.NO_TOKEN, "answered 200 without a usable token");
    assertEquals(List.of("PUT " + TOKEN_PATH), requests());
  }

  @ParameterizedTest
  @ValueSource(strings = {"!", "~", "!token~", "AQAEAEx-9_8=="})
  void tokenPut_printableAsciiToken_isSentAsIs(String token) {
    imds.on("PUT", TOKEN_PATH).answer(200, token);
    imds.roles().extended();
    imds.client().credentials();
    assertEquals(token, imds.transport.sent().get(1).header("X-aws-ec2-metadata-token"));
  }

  @Test
  void tokenPut_tokenWithSurroundingWhitespace_isTrimmed() {
    imds.on("PUT", TOKEN_PATH).answer(200, "  " + IMDS_TOKEN + "\r\n");
    imds.roles().extended();
    imds.client().credentials();
    assertEquals(IMDS_TOKEN, imds.transport.sent().get(1).header("X-aws-ec2-metadata-token"));
    assertTrue(
        imds.transport.sent().get(1).headers().contains(": " + IMDS_TOKEN + "\r\n"),
        "sent as is, without the whitespace");
  }

  // ---- the region path's statuses

  @Test
  void regionPath_404_isFatal() {
    imds.token().on("GET", REGION).answer(404);
    regionFails(Reason.REFUSED, "GET " + ENDPOINT + REGION + " answered 404");
  }

  @Test
  void regionPath_403_saysImdsAccessMayBeOff() {
    imds.token().on("GET", REGION).answer(403);
    regionFails(Reason.REFUSED, "answered 403 (forbidden): IMDS access may be turned off");
  }

  @Test
  void regionPath_nameWithSurroundingWhitespace_isTrimmed() {
    imds.token().on("GET", REGION).answer(200, "us-gov-west-1\n");
    assertEquals("us-gov-west-1", imds.client().region());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "US-EAST-1", "us_east_1", "us-east-1;x", "eu/1"})
  void regionPath_notARegionName_isABadAnswer(String body) {
    imds.token().on("GET", REGION).answer(200, body);
    regionFails(Reason.BAD_ANSWER, "did not answer with a region name");
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
    imds.token().roles().on("GET", EXTENDED + ROLE).answer(status);
    fetchFails(Reason.REFUSED, "answered " + status);
  }

  @Test
  void legacyPath_403_afterTheExtendedOne404_isFatal() {
    imds.token().roles();
    imds.on("GET", EXTENDED + ROLE).answer(404);
    imds.on("GET", ROLES + ROLE).answer(403);
    fetchFails(Reason.REFUSED, "GET " + ENDPOINT + ROLES + ROLE + " answered 403");
    assertEquals(1, Collections.frequency(requests(), "GET " + ROLES), "not listed again");
  }

  @Test
  void roleList_500Always_isFatal_afterTheAttempts() {
    imds.attempts = 2;
    imds.token().on("GET", ROLES).times(2).answer(502);
    fetchFails(Reason.UNREACHABLE, "answered 502");
  }

  @Test
  void roleList_withLeadingBlankLines_takesTheFirstName() {
    imds.token().on("GET", ROLES).answer(200, "\n  \n " + ROLE + " \nother-role\n");
    imds.extended();
    imds.client().credentials();
  }

  @Test
  void roleList_invalidIamName_isABadAnswer() {
    imds.token().on("GET", ROLES).answer(200, "bad name\n");
    fetchFails(Reason.BAD_ANSWER, "not a valid IAM name");
    assertEquals(List.of("PUT " + TOKEN_PATH, "GET " + ROLES), requests());
  }

  // ---- what a fatal status says

  @ParameterizedTest
  @ValueSource(ints = {300, 399})
  void tokenPut_anyStatusOf3xx_isARedirectNeverFollowed(int status) {
    imds.on("PUT", TOKEN_PATH).answer(status);
    fetchFails(
        Reason.REFUSED, "answered " + status + " (a redirect, which imds-env never follows)");
  }

  @ParameterizedTest
  @ValueSource(ints = {201, 204, 299})
  void tokenPut_2xxOtherThan200_isFatal_andNoRedirect(int status) {
    imds.on("PUT", TOKEN_PATH).answer(status);
    ImdsEnvException e =
        fetchFails(Reason.REFUSED, "PUT " + ENDPOINT + TOKEN_PATH + " answered " + status);
    assertFalse(e.getMessage().contains("redirect"), e.getMessage());
    assertEquals(List.of("PUT " + TOKEN_PATH), requests());
  }

  @Test
  void get_400_saysBadRequest_and410OnTheRegion_saysNothingMore() {
    imds.token().on("GET", REGION).answer(400).on("GET", REGION).answer(410);
    ImdsClient c = imds.client();
    assertEquals(
        "GET " + ENDPOINT + REGION + " answered 400 (bad request)",
        assertThrows(ImdsEnvException.class, c::region).getMessage());
    assertEquals(
        "GET " + ENDPOINT + REGION + " answered 410",
        assertThrows(ImdsEnvException.class, c::region).getMessage());
  }
}
