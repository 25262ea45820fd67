package io.github.imdsenv.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Run;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Text from the endpoint (Code, Message, role names, header values) reaches stderr and doctor's
 * output with terminal controls escaped: CSI as U+009B, ESC, BEL, and a bidi override (U+202E).
 */
class EscapingTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  /** ESC ] title BEL, a C1 CSI, and an RLO that would reverse the rest of the line. */
  static final String HOSTILE = "X\u001b]0;owned\u0007\u009b2J\u202etxt.exe";

  static final String ESCAPED = "X\\u001b]0;owned\\u0007\\u009b2J\\u202etxt.exe";

  private static void assertEscaped(String shown) {
    assertTrue(shown.contains(ESCAPED), shown);
    for (char c : new char[] {'\u001b', '\u0007', '\u009b', '\u202e'}) {
      assertFalse(shown.indexOf(c) >= 0, String.format("raw U+%04X in: %s", (int) c, shown));
    }
    for (String secret :
        new String[] {Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.IMDS_TOKEN}) {
      assertFalse(shown.contains(secret), shown);
    }
  }

  private static String errorJson() {
    return "{\"Code\" : "
        + Fixtures.quote(HOSTILE)
        + ", \"Message\" : "
        + Fixtures.quote("msg " + HOSTILE)
        + ", \"AccessKeyId\" : \""
        + Fixtures.ACCESS_KEY_ID
        + "\", \"SecretAccessKey\" : \""
        + Fixtures.SECRET
        + "\", \"Token\" : \""
        + Fixtures.SESSION_TOKEN
        + "\", \"Expiration\" : \""
        + Fixtures.EXPIRES
        + "\"}";
  }

  private static Map<String, String> containerEnv() {
    return new HashMap<>(
        Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", Fixtures.endpoint(wm) + "/creds"));
  }

  @Test
  void imdsCodeAndMessage_areEscapedOnStderr() {
    Fixtures.healthy(wm, errorJson());
    Run r =
        Run.against(Fixtures.endpoint(wm))
            .assertFailure(5, "are not usable: Code " + ESCAPED + " (msg " + ESCAPED + ")");
    assertEscaped(r.err());
  }

  @Test
  void imdsCodeAndMessage_areEscapedOnStderr_withVerboseToo() {
    Fixtures.healthy(wm, errorJson());
    Run r = Run.against(Fixtures.endpoint(wm), "-v");
    assertEquals(5, r.exit());
    assertEscaped(r.err());
  }

  @Test
  void containerErrorBody_codeAndMessage_areEscapedOnStderr() {
    wm.stubFor(
        get(urlEqualTo("/creds")).willReturn(aResponse().withStatus(403).withBody(errorJson())));
    Run r = Run.cli(containerEnv(), "--timeout", "500ms").assertFailure(3, "answered 403");
    assertEscaped(r.err());
  }

  @Test
  void containerSuccessWithErrorCode_isEscapedOnStderr() {
    wm.stubFor(get(urlEqualTo("/creds")).willReturn(ok(errorJson())));
    Run r = Run.cli(containerEnv(), "--timeout", "500ms").assertFailure(5, "are not usable");
    assertEscaped(r.err());
  }

  @Test
  void hostileRoleName_neverReachesStderrRaw() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(ok(HOSTILE + "\n")));
    Run r = Run.against(Fixtures.endpoint(wm), "-v");
    assertEquals(5, r.exit(), r.err());
    for (char c : new char[] {'\u001b', '\u0007', '\u009b', '\u202e'}) {
      assertFalse(r.err().indexOf(c) >= 0, r.err());
    }
  }

  @Test
  void doctor_hostileRoleName_isEscaped_andNotUsedInAPath() {
    Fixtures.healthy(wm);
    wm.stubFor(get(urlEqualTo("/latest/meta-data/")).willReturn(Fixtures.status(401)));
    wm.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(ok(HOSTILE + "\n")));
    Run r =
        Run.cli(
            new HashMap<>(), "doctor", "--endpoint", Fixtures.endpoint(wm), "--timeout", "500ms");
    assertEquals(5, r.exit(), r.out());
    assertTrue(
        r.out()
            .contains(
                "FAIL  role        "
                    + Fixtures.ROLES
                    + " lists '"
                    + ESCAPED
                    + "', which is not a valid IAM role name"),
        r.out());
    assertEscaped(r.out());
    assertEquals(
        3,
        wm.getAllServeEvents().size(),
        "the token PUT, the IMDSv1 probe and the role list; nothing for the hostile role");
  }

  @Test
  void doctor_imdsCodeAndMessage_areEscaped() {
    Fixtures.healthy(wm, errorJson());
    wm.stubFor(get(urlEqualTo("/latest/meta-data/")).willReturn(Fixtures.status(401)));
    Run r =
        Run.cli(
            new HashMap<>(), "doctor", "--endpoint", Fixtures.endpoint(wm), "--timeout", "500ms");
    assertEquals(5, r.exit(), r.out());
    assertTrue(r.out().contains("FAIL  credentials"), r.out());
    assertEscaped(r.out());
  }

  @Test
  void doctor_containerErrorBody_isEscaped() {
    wm.stubFor(
        get(urlEqualTo("/creds")).willReturn(aResponse().withStatus(403).withBody(errorJson())));
    Run r = Run.cli(containerEnv(), "doctor", "--timeout", "500ms");
    assertEquals(3, r.exit(), r.out());
    assertTrue(
        r.out().contains("FAIL  credentials the endpoint answered 403: " + ESCAPED), r.out());
    assertEscaped(r.out());
  }
}
