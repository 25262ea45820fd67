package io.github.imdsenv.imds;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.settings.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The steps ImdsClient reports to a listener (what doctor prints from), against WireMock on
 * 127.0.0.1.
 */
class ImdsClientStepsTest {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  @BeforeAll
  static void warmUp() {
    Fixtures.warmUp(wm);
  }

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
        public void credentialsParsed(String path, Instant expiration) {
          steps.add("credentials " + path + " " + expiration);
        }

        @Override
        public void regionRefused(String path, int status) {
          steps.add("region refused " + path + " " + status);
        }
      };

  private static ImdsClient client(ImdsListener listener) {
    Settings.Flags flags =
        new Settings.Flags(
            Fixtures.endpoint(wm),
            null,
            null,
            Duration.ofMillis(500),
            1,
            false,
            null,
            false,
            false);
    Settings settings = Settings.resolve(flags, Map.of());
    return ImdsClient.create(settings.imds(), settings.budget(), Log.create(false), listener);
  }

  @Test
  void healthy_reportsTokenRoleAndTheExtendedPath() {
    Fixtures.healthy(wm);
    ImdsClient c = client(recorder);
    c.credentials();
    assertEquals("eu-central-2", c.region());
    assertEquals(
        List.of(
            "token 21600",
            "role " + Fixtures.ROLES + " app-role",
            "credentials " + Fixtures.EXTENDED + "app-role " + Fixtures.EXPIRES),
        steps);
  }

  @Test
  void tokenApi404_reportsTheRefusalAndTheFallback() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(404)));
    client(recorder).credentials();
    assertEquals(
        List.of(
            "token refused: PUT " + Fixtures.TOKEN_PATH + " 404",
            "IMDSv1",
            "without token " + Fixtures.ROLES + " 200",
            "role " + Fixtures.ROLES + " app-role",
            "without token " + Fixtures.EXTENDED + "app-role 200",
            "credentials " + Fixtures.EXTENDED + "app-role " + Fixtures.EXPIRES),
        steps);
  }

  @Test
  void extended500_reportsTheLegacyFallback() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE)).willReturn(Fixtures.status(500)));
    client(recorder).credentials();
    assertEquals(
        List.of(
            "token 21600",
            "role " + Fixtures.ROLES + " app-role",
            "legacy after " + Fixtures.EXTENDED + "app-role 500",
            "credentials " + Fixtures.ROLES + "app-role " + Fixtures.EXPIRES),
        steps);
  }

  @Test
  void roleListWithControls_reportedEscapedAndInvalid_beforeTheFailure() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(ok("app\r\u001b]0;x\u0007role\n")));
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> client(recorder).credentials());
    assertEquals(ImdsEnvException.Reason.BAD_ANSWER, e.reason());
    assertEquals(
        List.of(
            "token 21600",
            "role " + Fixtures.ROLES + " app\\u000d\\u001b]0;x\\u0007role (invalid)"),
        steps);
  }

  @Test
  void noRoleAndNoRegion_reportedBeforeTheFailure() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(404)));
    wm.stubFor(get(urlEqualTo(Fixtures.REGION)).willReturn(Fixtures.status(404)));
    ImdsClient c = client(recorder);
    assertThrows(ImdsEnvException.class, c::credentials);
    assertThrows(ImdsEnvException.class, c::region);
    assertEquals(
        List.of(
            "token 21600",
            "no role " + Fixtures.ROLES + " 404",
            "region refused " + Fixtures.REGION + " 404"),
        steps);
  }

  @Test
  void emptyRoleListAndNoRegionName_reportedAsAnswered200_beforeTheFailure() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(ok("\n  \n")));
    wm.stubFor(get(urlEqualTo(Fixtures.REGION)).willReturn(ok("<html>captive portal</html>")));
    ImdsClient c = client(recorder);
    assertEquals(
        ImdsEnvException.Reason.NO_ROLE,
        assertThrows(ImdsEnvException.class, c::credentials).reason());
    assertEquals(
        ImdsEnvException.Reason.BAD_ANSWER,
        assertThrows(ImdsEnvException.class, c::region).reason());
    assertEquals(
        List.of(
            "token 21600",
            "no role " + Fixtures.ROLES + " 200",
            "region refused " + Fixtures.REGION + " 200"),
        steps);
  }

  /**
   * Doctor's GET without a token asks the role list, a path the export asks (an emulator may serve
   * nothing else): 401 when IMDSv2 is required, -1 when nothing answers.
   */
  @Test
  void doctorsProbe_asksTheRoleListWithoutAToken_401_orMinusOneWithoutAnAnswer() {
    Fixtures.healthy(wm);
    ImdsClient c = client(recorder);
    wm.stubFor(
        get(urlEqualTo(Fixtures.ROLES))
            .withHeader("X-aws-ec2-metadata-token", absent())
            .willReturn(Fixtures.status(401)));
    assertEquals(401, c.statusWithoutToken());
    wm.stubFor(
        get(urlEqualTo(Fixtures.ROLES))
            .withHeader("X-aws-ec2-metadata-token", absent())
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    assertEquals(-1, c.statusWithoutToken());
    assertEquals(Fixtures.ROLES, ImdsClient.pathWithoutToken());
    assertEquals(List.of(), steps, "no step of a fetch");
  }

  @Test
  void startSession_tokenTimesOut_reportsIt_thenEachGetWithoutATokenIsReported() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(ok("late").withFixedDelay(2000)));
    ImdsClient c = client(recorder);
    c.startSession();
    assertEquals(List.of("token timed out: PUT " + Fixtures.TOKEN_PATH, "IMDSv1"), steps);
    steps.clear();
    c.credentials();
    assertEquals(
        List.of(
            "without token " + Fixtures.ROLES + " 200",
            "role " + Fixtures.ROLES + " " + Fixtures.ROLE,
            "without token " + Fixtures.EXTENDED + Fixtures.ROLE + " 200",
            "credentials " + Fixtures.EXTENDED + Fixtures.ROLE + " " + Fixtures.EXPIRES),
        steps);
  }

  @Test
  void fallback_getAnswers401_isReportedBeforeTheClientFails() {
    Fixtures.healthy(wm);
    wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(403)));
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(401)));
    ImdsClient c = client(recorder);
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::credentials);
    assertEquals(ImdsEnvException.Reason.NO_TOKEN, e.reason());
    assertEquals(
        List.of(
            "token refused: PUT " + Fixtures.TOKEN_PATH + " 403",
            "IMDSv1",
            "without token " + Fixtures.ROLES + " 401"),
        steps);
  }

  @Test
  void withAToken_noGetIsReportedAsWithoutOne() {
    Fixtures.healthy(wm);
    client(recorder).credentials();
    assertTrue(steps.stream().noneMatch(s -> s.startsWith("without token")), steps.toString());
  }

  @Test
  void withoutListener_theSameFetch() {
    Fixtures.healthy(wm);
    assertEquals(Fixtures.ACCESS_KEY_ID, client(null).credentials().accessKeyId());
  }
}
