package io.github.imdsenv.container;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Run;
import io.github.imdsenv.settings.Settings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an Authorization header may carry: printable ASCII and the space inside (0x20..0x7e; HTTP
 * trims it at the ends); the controls below and DEL above are refused before any request, the edges
 * themselves are sent as they are.
 */
class AuthorizationTokenTest {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  static final String PATH = "/v2/credentials/task-1234";

  private static Map<String, String> env(String token) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", Fixtures.endpoint(wm) + PATH);
    env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
    return env;
  }

  private static String token(Map<String, String> env) {
    Settings.Flags none =
        new Settings.Flags(null, null, null, null, null, false, null, false, false);
    return AuthorizationToken.of(Settings.resolve(none, env));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mid\u0020dle", "a b c", "tilde~", "~", "!", "Bearer abc.DEF-123_=+/"})
  void printableAsciiAndSpace_areSentAsTheyAre(String value) {
    wm.stubFor(get(urlEqualTo(PATH)).willReturn(ok(Fixtures.credentialsJson())));
    assertEquals(value, token(env(value)));
    // a generous timeout: a retry after a cold start would send the header twice
    Run.cli(env(value), "--timeout", "5s").assertSuccess();
    wm.verify(
        exactly(1), getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo(value)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "unit\u001fsep",
        "del\u007f",
        "\u0000nul",
        "tab\tbed",
        "esc\u001b[0m",
        "c1\u0085",
        "nbsp\u00a0",
        "caf\u00e9",
        "bidi\u202e"
      })
  void controlsDelAndNonAscii_areRefused_beforeAnyRequest(String value) {
    wm.stubFor(get(urlEqualTo(PATH)).willReturn(ok(Fixtures.credentialsJson())));
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> token(env(value)));
    assertTrue(
        e.getMessage().contains("contains a character no HTTP header can carry"), e.getMessage());
    Run r =
        Run.cli(env(value), "--timeout", "500ms")
            .assertFailure(2, "AWS_CONTAINER_AUTHORIZATION_TOKEN contains a character");
    assertTrue(!r.err().contains(value), "the token is never shown: " + r.err());
    assertEquals(0, wm.getAllServeEvents().size());
  }

  @Test
  void noToken_sendsNoAuthorizationHeader() {
    Map<String, String> env = new HashMap<>(env("x"));
    env.remove("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    assertNull(token(env));
  }
}
