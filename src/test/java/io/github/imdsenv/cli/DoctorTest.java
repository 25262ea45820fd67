package io.github.imdsenv.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Run;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each check of imds-env doctor, passing and failing, against WireMock on 127.0.0.1. */
class DoctorTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @BeforeAll
  static void warmUp() {
    Fixtures.warmUp(wm);
  }

  /** A healthy IMDSv2; without {@code v1}, every GET without a token answers 401. */
  private static void healthyWithV1(boolean v1) {
    Fixtures.healthy(wm);
    if (!v1) {
      Fixtures.imdsV1Off(wm);
    }
  }

  private static Run doctor(String... extra) {
    return doctorWithEnv(new HashMap<>(), extra);
  }

  private static Run doctorWithEnv(Map<String, String> env, String... extra) {
    String[] args = new String[extra.length + 5];
    args[0] = "doctor";
    args[1] = "--endpoint";
    args[2] = Fixtures.endpoint(wm);
    args[3] = "--timeout";
    args[4] = "500ms";
    System.arraycopy(extra, 0, args, 5, extra.length);
    Run r = Run.cli(env, args);
    for (String secret :
        new String[] {
          Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.IMDS_TOKEN, Fixtures.ACCESS_KEY_ID
        }) {
      assertFalse(r.out().contains(secret) || r.err().contains(secret), "doctor showed a secret");
    }
    return r;
  }

  private static void assertLine(Run r, String line) {
    assertTrue(
        r.out().lines().anyMatch(l -> l.startsWith(line)),
        "no line starting '" + line + "' in:\n" + r.out());
  }

  @Test
  void healthyInstance_allOk_exit0() {
    healthyWithV1(false);
    // six hours from now, not from when Fixtures was loaded: a long suite (or a PIT minion, mutant
    // after mutant) gets here minutes later, and "in 5h 59m" would be "5h 5xm"
    Instant expires = Instant.now().plus(6, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID,
            Fixtures.SECRET,
            Fixtures.SESSION_TOKEN,
            expires.toString(),
            "123456789012"));
    Run r = doctor();
    assertEquals(0, r.exit(), r.out() + r.err());
    assertLine(
        r,
        "ok    source      IMDS (auto: no AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI is set)");
    assertLine(r, "ok    endpoint    " + Fixtures.endpoint(wm) + " (from --endpoint)");
    assertLine(r, "ok    reachable   TCP connection in ");
    assertLine(r, "ok    IMDSv2      token received");
    assertLine(r, "ok    IMDSv1      off: the instance requires IMDSv2 tokens");
    assertLine(r, "ok    role        app-role (instance profile attached)");
    assertLine(
        r,
        "ok    credentials access key …2B3C, expiring "
            + expires
            + ", last updated 2026-11-29T09:00:00Z (in 5h 59m)");
    assertLine(r, "ok    region      eu-central-2 (from placement/region)");
    assertTrue(
        r.out().endsWith("doctor: 8 ok, 0 warn, 0 FAIL: imds-env can export credentials here\n"),
        r.out());
  }

  @Test
  void notEc2_connectionRefused_namesTheCause_exit3() {
    Run r = Run.cli(new HashMap<>(), "doctor", "--endpoint", "http://127.0.0.1:1");
    assertEquals(3, r.exit());
    assertLine(
        r, "FAIL  reachable   connection refused: not an EC2 instance, or IMDS is disabled for it");
    assertLine(r, "skip  rest");
  }

  @Test
  void imdsDisabledByEnvironment_fails() {
    Run r = doctorWithEnv(new HashMap<>(Map.of("AWS_EC2_METADATA_DISABLED", "true")));
    assertEquals(3, r.exit());
    assertLine(r, "FAIL  endpoint    IMDS is disabled by AWS_EC2_METADATA_DISABLED=true");
  }

  @Test
  void hopLimit1_tokenPutNeverAnswers_whileGetsDo_namesTheFix() {
    healthyWithV1(false);
    wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(ok("late").withFixedDelay(3000)));
    Run r = doctor();
    assertEquals(3, r.exit());
    assertLine(
        r,
        "FAIL  IMDSv2      the token request (PUT /latest/api/token) timed out while GETs answer:"
            + " from a container on a bridge network the token reply's hop limit is 1: raise it with"
            + " `aws ec2 modify-instance-metadata-options --instance-id ID --http-put-response-hop-limit 2`");
  }

  @Test
  void hopLimit1_withImdsV1Allowed_isAWarning() {
    healthyWithV1(true);
    wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(ok("late").withFixedDelay(3000)));
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(ok(Fixtures.ROLE)));
    Run r = doctor();
    assertEquals(0, r.exit(), r.out());
    assertLine(
        r,
        "warn  IMDSv2      the token request (PUT /latest/api/token) timed out while GETs answer:"
            + " imds-env falls back to IMDSv1; from a container on a bridge network the token"
            + " reply's hop limit is 1: raise it with");
    assertLine(
        r,
        "warn  IMDSv1      in use: "
            + Fixtures.ROLES
            + " answered 200 without a token; "
            + EC2_8
            + ", once the hop limit is raised");
    assertTrue(r.out().endsWith("6 ok, 2 warn, 0 FAIL: imds-env can export credentials here\n"));
  }

  private static final String EC2_8 =
      "Security Hub control EC2.8: require tokens with `aws ec2 modify-instance-metadata-options"
          + " --instance-id ID --http-tokens required`";

  @Test
  void imdsV1StillServed_withATokenToo_isAWarning_namingTheFix_exit0() {
    healthyWithV1(true);
    // a token PUT that is slow on a loaded machine must not look like a hop limit of 1 here
    Run r = doctor("--timeout", "5s");
    assertEquals(0, r.exit(), r.out());
    assertLine(r, "ok    IMDSv2      token received (TTL 21600 s)");
    assertLine(
        r,
        "warn  IMDSv1      still on: a GET of "
            + Fixtures.ROLES
            + " without a token answered 200; "
            + EC2_8);
    assertTrue(r.out().endsWith("7 ok, 1 warn, 0 FAIL: imds-env can export credentials here\n"));
    // doctor's one request of its own: the role list the export asks, without a token
    wm.verify(
        1,
        com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo(Fixtures.ROLES))
            .withHeader(
                "X-aws-ec2-metadata-token",
                com.github.tomakehurst.wiremock.client.WireMock.absent()));
    wm.verify(
        0,
        com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
            urlEqualTo("/latest/meta-data/")));
    Run notUsed = doctor("--no-imdsv1", "--timeout", "5s");
    assertLine(
        notUsed,
        "warn  IMDSv1      still on: a GET of "
            + Fixtures.ROLES
            + " without a token answered 200 (imds-env does not use it: --no-imdsv1 /"
            + " AWS_EC2_METADATA_V1_DISABLED); "
            + EC2_8);
  }

  /**
   * Issue 22: a small emulator refuses the token (403) and /latest/meta-data/ (404) but serves the
   * role, credentials and region without one. The export succeeds through IMDSv1: doctor agrees,
   * with warnings, from the export's own requests.
   */
  @Test
  void emulatorWithoutImdsV2_servingOnlyTheExportsPaths_warns_exit0_asTheExportSucceeds() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(403)));
    wm.stubFor(get(urlEqualTo("/latest/meta-data/")).willReturn(Fixtures.status(404)));
    Run export = Run.against(Fixtures.endpoint(wm), "--region");
    assertEquals(0, export.exit(), export.err());
    Run r = doctor("--timeout", "5s");
    assertEquals(0, r.exit(), r.out());
    assertLine(
        r,
        "warn  IMDSv2      the token request answered 403: IMDS is off for tokens, or the token"
            + " API is disabled: imds-env falls back to IMDSv1");
    assertLine(
        r,
        "warn  IMDSv1      in use: " + Fixtures.ROLES + " answered 200 without a token; " + EC2_8);
    assertLine(r, "ok    role        app-role (instance profile attached)");
    assertLine(r, "ok    region      eu-central-2");
    assertTrue(r.out().lines().noneMatch(l -> l.startsWith("FAIL")), r.out());
  }

  @Test
  void fallbackWithANamedRole_theRoleLineComesAfterTheSessionLines() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(404)));
    Run r = doctor("--role", Fixtures.ROLE, "--timeout", "5s");
    assertEquals(0, r.exit(), r.out());
    List<String> names =
        r.out().lines().map(l -> l.length() > 17 ? l.substring(6, 17).trim() : l).toList();
    assertEquals(
        List.of(
            "source", "endpoint", "reachable", "IMDSv2", "IMDSv1", "role", "credentials", "region"),
        names.subList(0, 8),
        r.out());
    assertLine(
        r,
        "warn  IMDSv1      in use: "
            + Fixtures.EXTENDED
            + Fixtures.ROLE
            + " answered 200 without a token; "
            + EC2_8);
  }

  @Test
  void tokenApi403_withoutV1_fails() {
    healthyWithV1(false);
    wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(403)));
    Run r = doctor();
    assertEquals(3, r.exit());
    assertLine(
        r,
        "FAIL  IMDSv2      the token request answered 403: IMDS is off for tokens, or the token API"
            + " is disabled; IMDSv1 is off too ("
            + Fixtures.ROLES
            + " answered 401 without a token): no way to read metadata");
  }

  @Test
  void noRole_fails_withTheAttachCommand_exit4() {
    healthyWithV1(false);
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(404)));
    Run r = doctor();
    assertEquals(4, r.exit());
    assertLine(
        r,
        "FAIL  role        no instance profile is attached (/latest/meta-data/iam/security-credentials/ answered 404):"
            + " attach one with `aws ec2 associate-iam-instance-profile");
  }

  @Test
  void expiredCredentials_fail_exit5() {
    healthyWithV1(false);
    String past =
        Instant.now().minus(30, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
    wm.stubFor(
        get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE))
            .willReturn(
                ok(
                    Fixtures.json(
                        Fixtures.ACCESS_KEY_ID,
                        Fixtures.SECRET,
                        Fixtures.SESSION_TOKEN,
                        past,
                        null))));
    Run r = doctor();
    assertEquals(5, r.exit());
    assertLine(
        r,
        "FAIL  credentials access key …2B3C, expiring "
            + past
            + ", last updated 2026-11-29T09:00:00Z: EXPIRED 30m ago");
  }

  @Test
  void credentialsAboutToExpire_warn() {
    healthyWithV1(false);
    String soon =
        Instant.now().plus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
    wm.stubFor(
        get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE))
            .willReturn(
                ok(
                    Fixtures.json(
                        Fixtures.ACCESS_KEY_ID,
                        Fixtures.SECRET,
                        Fixtures.SESSION_TOKEN,
                        soon,
                        null))));
    Run r = doctor();
    assertEquals(0, r.exit(), r.out());
    assertTrue(
        r.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("warn  credentials") && l.contains("only 9m left")
                        || l.startsWith("warn  credentials") && l.contains("only 10m left")),
        r.out());
  }

  @Test
  void codeFailure_fails_withTheServicesMessage() {
    healthyWithV1(false);
    wm.stubFor(
        get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE))
            .willReturn(
                ok(
                    "{\"Code\":\"AssumeRoleUnauthorizedAccess\","
                        + "\"Message\":\"cannot assume\"}")));
    Run r = doctor();
    assertEquals(5, r.exit());
    assertLine(
        r,
        "FAIL  credentials the credentials at "
            + Fixtures.endpoint(wm)
            + Fixtures.EXTENDED
            + Fixtures.ROLE
            + " are not usable: Code AssumeRoleUnauthorizedAccess (cannot assume)");
  }

  @Test
  void throttled_fails_saysSo() {
    healthyWithV1(false);
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(429)));
    Run r = doctor();
    assertEquals(3, r.exit());
    assertTrue(
        r.out()
                .contains(
                    "FAIL  role        the instance metadata service at "
                        + Fixtures.endpoint(wm)
                        + " answered 429")
            && r.out().contains("throttling"),
        r.out());
  }

  @Test
  void regionMissing_fails() {
    healthyWithV1(false);
    wm.stubFor(get(urlEqualTo(Fixtures.REGION)).willReturn(Fixtures.status(404)));
    Run r = doctor();
    assertEquals(5, r.exit());
    assertLine(r, "FAIL  region      /latest/meta-data/placement/region answered 404");
  }

  @Test
  void container_badToken_403_namesTheToken() {
    wm.stubFor(
        get(urlEqualTo("/creds"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withBody("{\"Code\":\"AccessDeniedException\",\"Message\":\"bad token\"}")));
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                Fixtures.endpoint(wm) + "/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "wrong-token",
                "AWS_REGION",
                "eu-west-3"));
    Run r = Run.cli(env, "doctor");
    assertEquals(3, r.exit(), r.out());
    assertLine(
        r,
        "ok    source      container credentials endpoint (auto: AWS_CONTAINER_CREDENTIALS_FULL_URI is set)");
    assertLine(
        r,
        "ok    token       sent as Authorization (11 characters, from AWS_CONTAINER_AUTHORIZATION_TOKEN)");
    assertLine(
        r,
        "FAIL  credentials the endpoint answered 403: AccessDeniedException (bad token): the authorization token was refused");
    assertFalse(r.out().contains("wrong-token"));
  }

  @Test
  void container_healthy_exit0() {
    wm.stubFor(get(urlEqualTo("/creds")).willReturn(ok(Fixtures.credentialsJson())));
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                Fixtures.endpoint(wm) + "/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "good-token",
                "AWS_REGION",
                "eu-west-3"));
    Run r = Run.cli(env, "doctor");
    assertEquals(0, r.exit(), r.out());
    assertLine(r, "ok    region      eu-west-3 (from AWS_REGION / AWS_DEFAULT_REGION)");
  }

  @Test
  void container_disallowedHost_fails() {
    Run r =
        Run.cli(
            new HashMap<>(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.7/creds")),
            "doctor");
    assertEquals(3, r.exit());
    assertLine(
        r,
        "FAIL  endpoint    AWS_CONTAINER_CREDENTIALS_FULL_URI http://192.0.2.7/creds is refused");
  }

  @Test
  void extendedPath500_fallsBackToTheLegacyPath_asTheExportDoes_withAWarnLine() {
    healthyWithV1(false);
    wm.stubFor(get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE)).willReturn(Fixtures.status(500)));
    Run r = doctor("--attempts", "1");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertLine(
        r,
        "warn  account     "
            + Fixtures.EXTENDED
            + Fixtures.ROLE
            + " answered 500: imds-env falls back to the legacy path");
    assertLine(r, "ok    credentials access key");
  }

  @Test
  void roleListWithCrEscBel_failsAsTheExportDoes_escaped_exit5() {
    // the first line is the client's role, not the first name after a trim of the whole list
    for (String list :
        new String[] {
          "app\r\u001b]0;owned\u0007role\n", "\u001b[2J\u0007\r\n" + Fixtures.ROLE + "\n"
        }) {
      healthyWithV1(false);
      wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(ok(list)));
      Run export = Run.against(Fixtures.endpoint(wm));
      Run r = doctor();
      assertEquals(5, export.exit(), export.err());
      assertEquals(export.exit(), r.exit(), r.out());
      String escaped =
          list.substring(0, list.indexOf('\n'))
              .replace("\r", "\\u000d")
              .replace("\u001b", "\\u001b")
              .replace("\u0007", "\\u0007");
      assertLine(
          r,
          "FAIL  role        "
              + Fixtures.ROLES
              + " lists '"
              + escaped
              + "', which is not a valid IAM role name");
      assertLine(r, "skip  rest");
      assertTrue(r.out().chars().noneMatch(c -> c == '\r' || c == 0x1b || c == 0x07), r.out());
      wm.verify(
          0,
          com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
              com.github.tomakehurst.wiremock.client.WireMock.urlMatching(
                  ".*/security-credentials(-extended)?/.+")));
      wm.resetAll();
    }
  }

  @Test
  void staleToken401_getsAFreshToken_asTheExportDoes() {
    healthyWithV1(false);
    wm.stubFor(
        get(urlEqualTo(Fixtures.ROLES))
            .inScenario("stale")
            .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
            .willReturn(Fixtures.status(401))
            .willSetStateTo("fresh"));
    wm.stubFor(
        get(urlEqualTo(Fixtures.ROLES))
            .inScenario("stale")
            .whenScenarioStateIs("fresh")
            .willReturn(ok(Fixtures.ROLE)));
    Run r = doctor();
    assertEquals(0, r.exit(), r.out());
    assertLine(r, "ok    role        app-role (instance profile attached)");
    wm.verify(
        2,
        com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor(
            urlEqualTo(Fixtures.TOKEN_PATH)));
  }
}
