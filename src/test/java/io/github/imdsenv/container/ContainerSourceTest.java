package io.github.imdsenv.container;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.FakeClock;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Log;
import io.github.imdsenv.Run;
import io.github.imdsenv.http.ScriptedTransport;
import io.github.imdsenv.settings.Budget;
import io.github.imdsenv.settings.ContainerSource;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ECS / EKS Pod Identity credentials endpoint, over real HTTP against WireMock on 127.0.0.1.
 */
class ContainerSourceTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  static final String PATH = "/v2/credentials/task-1234";

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", Fixtures.endpoint(wm) + PATH);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static Run run(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--timeout";
    all[1] = "500ms";
    System.arraycopy(args, 0, all, 2, args.length);
    return Run.cli(env, all);
  }

  private void serve() {
    wm.stubFor(get(urlEqualTo(PATH)).willReturn(ok(Fixtures.credentialsJson())));
  }

  @Test
  void fullUri_onLoopback_servesCredentials_inEveryFormat() {
    serve();
    Run r = run(env(), "-f", "json", "--account-id").assertSuccess();
    assertTrue(
        r.out().contains("\"AWS_SESSION_TOKEN\" : \"" + Fixtures.SESSION_TOKEN + "\""),
        "no AWS_SESSION_TOKEN with the token");
    assertTrue(
        r.out().contains("\"AWS_ACCOUNT_ID\" : \"123456789012\""),
        "no AWS_ACCOUNT_ID 123456789012");
    for (String format :
        new String[] {
          "env", "env-no-export", "fish", "powershell", "windows-cmd", "process", "ini"
        }) {
      assertTrue(
          run(env(), "-f", format).assertSuccess().out().contains(Fixtures.SESSION_TOKEN), format);
    }
    wm.verify(getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", absent()));
  }

  @Test
  void fullUri_withoutAPath_asksForSlash() {
    wm.stubFor(get(urlEqualTo("/")).willReturn(ok(Fixtures.credentialsJson())));
    run(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", Fixtures.endpoint(wm))).assertSuccess();
  }

  @Test
  void relativeUri_goesToTheEcsAgent_andWinsOverTheFullUri() {
    Settings s =
        Settings.resolve(
            Settings.Flags.none(),
            Map.of(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/abc?x=1",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:9/other"));
    assertEquals(SourceKind.CONTAINER, s.source());
    assertEquals("http://169.254.170.2/v2/credentials/abc?x=1", s.container().uri().toString());
    assertEquals("auto: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set", s.sourceReason());
  }

  @Test
  void tokenFromEnvironment_isSentAsAuthorization() {
    serve();
    run(env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer env-token")).assertSuccess();
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer env-token")));
  }

  @Test
  void tokenFile_isReadOnEveryRun_andBeatsTheVariable() throws Exception {
    serve();
    Path file = dir.resolve("token");
    Files.writeString(file, "first-token");
    Map<String, String> env =
        env(
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            file.toString(),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "from-env");
    run(env).assertSuccess();
    Files.writeString(file, "rotated-token");
    run(env).assertSuccess();
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo("first-token")));
    wm.verify(
        exactly(1),
        getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo("rotated-token")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tok\nen", "token\r\n", "tok\ren"})
  void tokenWithALineBreak_isRefused_beforeAnyRequest(String token) throws Exception {
    serve();
    Path file = dir.resolve("token");
    Files.writeString(file, token);
    run(env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file.toString()))
        .assertFailure(2, "contains a line break");
    run(env("AWS_CONTAINER_AUTHORIZATION_TOKEN", token)).assertFailure(2, "contains a line break");
    assertEquals(0, wm.getAllServeEvents().size());
  }

  @Test
  void missingTokenFile_exit2_namesIt() {
    run(env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.resolve("nope").toString()))
        .assertFailure(2, "no such file");
  }

  /** Refused before any connection: the scripted network fails a test on any request. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://192.0.2.10/creds",
        "http://169.254.169.254/creds",
        "http://example.invalid/creds"
      })
  void disallowedHost_isRefused_withoutAnyConnection(String uri) {
    FakeClock clock = new FakeClock();
    ScriptedTransport network = new ScriptedTransport(clock);
    ContainerClient c =
        ContainerClient.create(
            new ContainerSource(URI.create(uri), "secret-token", null, null),
            new Budget(Duration.ofMillis(500), 3, Duration.ofSeconds(10)),
            Log.create(false),
            ContainerClient.Listener.NONE,
            network,
            clock);
    ImdsEnvException e = assertThrows(ImdsEnvException.class, c::credentials);
    assertEquals(ImdsEnvException.Reason.HOST_NOT_ALLOWED, e.reason());
    assertTrue(e.getMessage().contains("is refused: plain http goes only to"), e.getMessage());
    assertFalse(e.getMessage().contains("secret-token"));
    assertEquals(List.of(), network.sent());
  }

  /** And through the CLI: exit 3, one line, no token. */
  @Test
  void disallowedHost_exit3_withoutTheToken() {
    Run r =
        run(
            Map.of(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://192.0.2.10/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "secret-token"));
    r.assertFailure(3, "is refused: plain http goes only to");
    assertFalse(r.err().contains("secret-token"));
  }

  @Test
  void errorBody_withCodeAndMessage_isShown() {
    wm.stubFor(
        get(urlEqualTo(PATH))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withBody(
                        "{\"Code\":\"AccessDeniedException\",\"Message\":\"Unauthorized token\"}")));
    run(env())
        .assertFailure(3, "answered 403 (forbidden): AccessDeniedException: Unauthorized token");
  }

  /** The ECS agent's spelling, and imds-env serve's: lowercase. */
  @Test
  void errorBody_inTheEcsAgentsLowercase_isShown() {
    wm.stubFor(
        get(urlEqualTo(PATH))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withBody(
                        "{\"code\":\"InvalidTokenError\",\"message\":\"the token does not match\"}")));
    run(env()).assertFailure(3, "InvalidTokenError: the token does not match");
  }

  @Test
  void serverErrors_areRetried_likeImds() {
    wm.stubFor(
        get(urlEqualTo(PATH))
            .inScenario("s")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(500))
            .willSetStateTo("ok"));
    wm.stubFor(
        get(urlEqualTo(PATH))
            .inScenario("s")
            .whenScenarioStateIs("ok")
            .willReturn(ok(Fixtures.credentialsJson())));
    run(env()).assertSuccess();
    wm.verify(exactly(2), getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  void sameFaultsAsImds_badJson_oversized_expired_redirect() {
    wm.stubFor(get(urlEqualTo(PATH)).willReturn(ok("{nope")));
    run(env()).assertFailure(5, "is not valid JSON");
    wm.stubFor(get(urlEqualTo(PATH)).willReturn(ok("x".repeat(70_000))));
    run(env()).assertFailure(5, "larger than 64 KiB");
    wm.stubFor(
        get(urlEqualTo(PATH))
            .willReturn(ok(Fixtures.json("A", "B", "C", "2020-01-01T00:00:00Z", null))));
    run(env())
        .assertFailure(
            5,
            "the credentials from the container credentials endpoint at "
                + Fixtures.endpoint(wm)
                + PATH
                + " expired at 2020-01-01T00:00:00Z");
    wm.stubFor(
        get(urlEqualTo(PATH))
            .willReturn(aResponse().withStatus(302).withHeader("Location", "http://127.0.0.1:1/")));
    run(env()).assertFailure(3, "never follows");
  }

  @Test
  void region_comesFromTheContainersEnvironment() {
    serve();
    Run r = run(env("AWS_REGION", "ap-southeast-2"), "--region").assertSuccess();
    assertTrue(
        r.out().contains("export AWS_REGION='ap-southeast-2'\n"), "no AWS_REGION ap-southeast-2");
    run(env(), "--region").assertFailure(3, "neither AWS_REGION nor AWS_DEFAULT_REGION is set");
  }

  @Test
  void sourceImds_ignoresTheContainerVariables() {
    Fixtures.healthy(wm);
    Run r = run(env(), "--source", "imds", "--endpoint", Fixtures.endpoint(wm)).assertSuccess();
    assertTrue(r.out().contains(Fixtures.SESSION_TOKEN));
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  void sourceContainer_withoutTheVariables_isAUsageError() {
    run(new HashMap<>(), "--source", "container").assertFailure(2, "--source container needs");
  }

  @Test
  void imdsDisabled_doesNotStopTheContainerSource() {
    serve();
    run(env("AWS_EC2_METADATA_DISABLED", "true")).assertSuccess();
  }
}
