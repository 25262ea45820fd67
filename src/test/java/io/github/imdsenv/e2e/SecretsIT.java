package io.github.imdsenv.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.http.Fault;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret (secret key, session token, IMDS token) ever reaches stderr: every failure mode and a
 * success, all with -v, through the real launcher.
 */
class SecretsIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  private record Scenario(String name, Consumer<ImdsStub> stub, int exit, List<String> extraArgs) {}

  private static String credentials(String expiration) {
    return Fixtures.json(
        Fixtures.ACCESS_KEY_ID,
        Fixtures.SECRET,
        Fixtures.SESSION_TOKEN,
        expiration,
        "123456789012");
  }

  @Test
  void noSecretOnStderr_inAnyFailureMode_orOnSuccess_withVerbose() throws Exception {
    String past = Instant.now().minus(1, ChronoUnit.HOURS).toString();
    List<Scenario> scenarios =
        List.of(
            new Scenario(
                "success", w -> {}, 0, List.of("--region", "--account-id", "--security-token")),
            new Scenario("expired", w -> Fixtures.healthy(w, credentials(past)), 5, List.of()),
            new Scenario(
                "expired allowed",
                w -> Fixtures.healthy(w, credentials(past)),
                0,
                List.of("--allow-expired")),
            new Scenario(
                "bad json",
                w -> Fixtures.healthy(w, credentials(Fixtures.EXPIRES.toString()).replace("}", "")),
                5,
                List.of()),
            new Scenario(
                "trailing garbage",
                w ->
                    Fixtures.healthy(w, credentials(Fixtures.EXPIRES.toString()) + Fixtures.SECRET),
                5,
                List.of()),
            new Scenario(
                "code failure",
                w ->
                    Fixtures.healthy(
                        w, credentials(Fixtures.EXPIRES.toString()).replace("Success", "Failure")),
                5,
                List.of()),
            new Scenario(
                "missing token",
                w ->
                    Fixtures.healthy(
                        w, credentials(Fixtures.EXPIRES.toString()).replace("\"Token\"", "\"T\"")),
                5,
                List.of()),
            new Scenario(
                "bad expiration",
                w -> Fixtures.healthy(w, credentials("soon " + Fixtures.SECRET)),
                5,
                List.of()),
            new Scenario(
                "format refuses",
                w ->
                    Fixtures.healthy(
                        w,
                        Fixtures.json(
                            Fixtures.ACCESS_KEY_ID,
                            Fixtures.SECRET,
                            Fixtures.SESSION_TOKEN + " x",
                            Fixtures.EXPIRES.toString(),
                            null)),
                5,
                List.of("-f", "env-no-export")),
            new Scenario(
                "oversized",
                w ->
                    Fixtures.healthy(
                        w, credentials(Fixtures.EXPIRES.toString()) + " ".repeat(70_000)),
                5,
                List.of()),
            new Scenario(
                "no role",
                w -> w.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(404))),
                4,
                List.of()),
            new Scenario(
                "throttled",
                w -> w.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(429))),
                3,
                List.of()),
            new Scenario(
                "extended path fails",
                w ->
                    w.stubFor(
                        get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE))
                            .willReturn(Fixtures.status(500))),
                0,
                List.of("--account-id")),
            new Scenario(
                "reset",
                w ->
                    w.stubFor(
                        get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE))
                            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))),
                3,
                List.of()),
            new Scenario(
                "region fails",
                w -> w.stubFor(get(urlEqualTo(Fixtures.REGION)).willReturn(ok(Fixtures.SECRET))),
                5,
                List.of("--region")),
            new Scenario(
                "token refused",
                w -> w.stubFor(get(urlEqualTo(Fixtures.ROLES)).willReturn(Fixtures.status(401))),
                3,
                List.of()));
    List<String> failures = new ArrayList<>();
    for (Scenario s : scenarios) {
      wm.resetAll();
      Fixtures.healthy(wm);
      s.stub().accept(wm);
      List<String> cmd =
          Proc.launcher("-v", "--endpoint", Fixtures.endpoint(wm), "--timeout", "300ms");
      cmd.addAll(s.extraArgs());
      Proc p = Proc.run(cmd, Proc.cronEnv(), dir);
      assertEquals(s.exit(), p.exit(), s.name() + ": " + p.err());
      assertTrue(
          p.err().contains("DEBUG imds-env"), s.name() + ": -v shows diagnostics: " + p.err());
      if (s.exit() != 0) {
        assertEquals("", p.out(), s.name());
      }
      for (String secret : List.of(Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.IMDS_TOKEN)) {
        if (p.err().contains(secret)) {
          failures.add(s.name() + " leaked " + secret.substring(0, 6) + "… to stderr");
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void theCheckItselfWorks_aSecretOnStderrWouldBeFound() throws Exception {
    // the same grep, on a run that puts the token into an error message on purpose: the role name
    Fixtures.healthy(wm);
    Proc p =
        Proc.run(
            Proc.launcher("--endpoint", Fixtures.endpoint(wm), "--role", Fixtures.IMDS_TOKEN + "!"),
            Proc.cronEnv(),
            dir);
    assertEquals(2, p.exit());
    assertTrue(p.err().contains(Fixtures.IMDS_TOKEN), p.err());
    assertFalse(p.out().contains(Fixtures.IMDS_TOKEN));
  }
}
