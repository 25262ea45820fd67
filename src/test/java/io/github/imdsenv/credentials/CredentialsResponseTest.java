package io.github.imdsenv.credentials;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.github.imdsenv.Fixtures.ACCESS_KEY_ID;
import static io.github.imdsenv.Fixtures.EXTENDED;
import static io.github.imdsenv.Fixtures.ROLE;
import static io.github.imdsenv.Fixtures.SECRET;
import static io.github.imdsenv.Fixtures.SESSION_TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Run;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the credentials JSON may and may not say, served over real HTTP. */
class CredentialsResponseTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  private static Run serve(String json, String... args) {
    Fixtures.healthy(wm, json);
    return Run.against(Fixtures.endpoint(wm), args);
  }

  private static String later(String format) {
    Instant t = Instant.now().plus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    return format.replace("T", t.toString().substring(0, 19));
  }

  @ParameterizedTest
  @CsvSource({"TZ", "T+00:00", "T.123456Z", "T.5+00:00"})
  void expiration_acceptsZOffsetAndFractionalSeconds_andPrintsWholeSecondsZ(String form) {
    String expiration = later(form);
    Run r =
        serve(Fixtures.json(ACCESS_KEY_ID, SECRET, SESSION_TOKEN, expiration, null))
            .assertSuccess();
    assertTrue(
        r.out()
            .contains("export AWS_CREDENTIAL_EXPIRATION='" + expiration.substring(0, 19) + "Z'\n"),
        r.out());
  }

  @Test
  void emulatorAnswer_withoutCodeTypeLastUpdated_isFine_andUnknownMembersIgnored() {
    String json =
        "{\"AccessKeyId\":\""
            + ACCESS_KEY_ID
            + "\",\"SecretAccessKey\":\""
            + SECRET
            + "\",\"Token\":\""
            + SESSION_TOKEN
            + "\",\"Expiration\":\""
            + later("TZ")
            + "\",\"Extra\":{\"a\":[1,2,{\"b\":null}]},\"N\":5}";
    serve(json).assertSuccess();
  }

  @Test
  void codeOtherThanSuccess_exit5_showsCodeAndMessage() {
    String json =
        "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"Message\":\"EC2 cannot assume the role\","
            + "\"LastUpdated\":\"2026-11-29T09:00:00Z\"}";
    serve(json).assertFailure(5, "Code AssumeRoleUnauthorizedAccess (EC2 cannot assume the role)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"})
  void missingRequiredMember_exit5_namesIt(String member) {
    String json = Fixtures.credentialsJson().replace("\"" + member + "\"", "\"Not" + member + "\"");
    serve(json).assertFailure(5, "has no " + member);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json at all",
        "{\"AccessKeyId\": ",
        "[1,2]",
        "",
        "{\"a\":1} {\"b\":2}",
        "{\"AccessKeyId\":\"A\",\"AccessKeyId\":\"B\"}"
      })
  void garbageJson_exit5(String body) {
    serve(body)
        .assertFailure(
            5, "the credentials response from " + Fixtures.endpoint(wm) + EXTENDED + ROLE);
  }

  @Test
  void badJson_messageNeverQuotesTheBody() {
    String body = "{\"SecretAccessKey\":\"" + SECRET + "\", oops " + SESSION_TOKEN;
    Run r = serve(body, "-v");
    assertEquals(5, r.exit());
    assertFalse(
        r.err().contains(SECRET) || r.err().contains(SESSION_TOKEN) || r.err().contains("oops"),
        r.err());
  }

  @Test
  void nonStringMember_exit5() {
    serve(Fixtures.credentialsJson().replace("\"" + SECRET + "\"", "42"))
        .assertFailure(5, "SecretAccessKey that is not a string");
  }

  @Test
  void unparsableExpiration_exit5() {
    serve(Fixtures.json(ACCESS_KEY_ID, SECRET, SESSION_TOKEN, "tomorrow", null))
        .assertFailure(5, "not an ISO-8601 timestamp");
  }

  @Test
  void expired_exit5_namesTheExpiry() {
    String past =
        Instant.now().minus(20, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
    serve(Fixtures.json(ACCESS_KEY_ID, SECRET, SESSION_TOKEN, past, null))
        .assertFailure(5, "expired at " + past);
  }

  @Test
  void expired_withAllowExpired_printsThemWithAWarning() {
    String past =
        Instant.now().minus(20, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
    Run r =
        serve(Fixtures.json(ACCESS_KEY_ID, SECRET, SESSION_TOKEN, past, null), "--allow-expired")
            .assertSuccess();
    assertTrue(r.out().contains("export AWS_CREDENTIAL_EXPIRATION='" + past + "'"), r.out());
    assertTrue(
        r.err().startsWith("imds-env: warning: the credentials expired at " + past), r.err());
  }

  @Test
  void expired_withAllowExpiredAndQuiet_printsNoWarning() {
    String past = Instant.now().minus(1, ChronoUnit.HOURS).toString();
    Run r =
        serve(
                Fixtures.json(ACCESS_KEY_ID, SECRET, SESSION_TOKEN, past, null),
                "--allow-expired",
                "-q")
            .assertSuccess();
    assertEquals("", r.err());
  }

  @Test
  void credentialsToString_showsNoSecret() {
    Credentials c =
        new Credentials(ACCESS_KEY_ID, SECRET, SESSION_TOKEN, Instant.now(), null, null);
    String s = c.toString();
    assertFalse(s.contains(SECRET) || s.contains(SESSION_TOKEN) || s.contains(ACCESS_KEY_ID), s);
    assertTrue(s.contains(ACCESS_KEY_ID.substring(ACCESS_KEY_ID.length() - 4)), s);
  }

  /** What messages show of the key id: its last four characters, never all of a short one. */
  @ParameterizedTest
  @ValueSource(strings = {"A", "ABCD", "ABCDE", ACCESS_KEY_ID})
  void accessKeyHint_showsTheLastFour_neverTheWholeId(String id) {
    String hint =
        new Credentials(id, SECRET, SESSION_TOKEN, Instant.now(), null, null).accessKeyHint();
    assertEquals("\u2026" + (id.length() > 4 ? id.substring(id.length() - 4) : ""), hint);
    assertFalse(hint.contains(id), hint);
  }

  @Test
  void securityTokenFlag_addsTheLegacyVariable() {
    Run r = serve(Fixtures.credentialsJson(), "--security-token").assertSuccess();
    assertTrue(r.out().contains("export AWS_SECURITY_TOKEN='" + SESSION_TOKEN + "'\n"), r.out());
  }

  @Test
  void differentRoleBodies_servedOnLegacyPathOnly() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(ok("{\"Code\":\"Failure\"}")));
    Run.against(Fixtures.endpoint(wm)).assertFailure(5, "Code Failure");
  }
}
