package io.github.imdsenv.imds;

import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.github.imdsenv.Fixtures.ACCESS_KEY_ID;
import static io.github.imdsenv.Fixtures.EXTENDED;
import static io.github.imdsenv.Fixtures.ROLE;
import static io.github.imdsenv.Fixtures.ROLES;
import static io.github.imdsenv.Fixtures.SESSION_TOKEN;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;
import static io.github.imdsenv.Fixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Run;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an export against IMDS prints and how it exits, through the whole CLI over real HTTP
 * (WireMock on 127.0.0.1): the settings from flags and the environment reaching the client, the
 * output, the warnings. The protocol's rules themselves are ImdsProtocolTest's, on a scripted IMDS.
 */
class ImdsExportTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

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

  // ---- retries

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
  void attemptsFromEnvironment_boundsTheRetries() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(429)));
    Run.againstWithEnv(endpoint(), Map.of("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1"))
        .assertFailure(3, "throttling");
    wm.verify(exactly(1), getRequestedFor(urlEqualTo(ROLES)));
  }

  // ---- time and size bounds

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

  // ---- roles

  @Test
  void noRole_404_exit4_andSaysHowToAttachOne() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(status(404)));
    run().assertFailure(4, "associate-iam-instance-profile");
  }

  @Test
  void roleFromEnvironment_skipsDiscovery() {
    Fixtures.healthy(wm);
    Run.againstWithEnv(endpoint(), Map.of("AWS_EC2_INSTANCE_PROFILE_NAME", ROLE)).assertSuccess();
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(ROLES)));
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

  @Test
  void extendedPath500_withoutAccountId_fallsBackWithoutAWarning() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(500)));
    wm.stubFor(get(urlEqualTo(ROLES + ROLE)).willReturn(ok(legacyJson())));
    Run r = run("--region").assertSuccess();
    assertTrue(r.out().contains(SESSION_TOKEN), r.out());
    assertEquals("", r.err(), "no warning without --account-id");
  }

  @Test
  void extendedPath500_withQuiet_fallsBackWithoutAWarning() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(status(500)));
    wm.stubFor(get(urlEqualTo(ROLES + ROLE)).willReturn(ok(legacyJson())));
    Run r = run("--account-id", "-q").assertSuccess();
    assertEquals("", r.err());
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
