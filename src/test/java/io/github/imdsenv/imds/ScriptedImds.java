package io.github.imdsenv.imds;

import static io.github.imdsenv.Fixtures.EXTENDED;
import static io.github.imdsenv.Fixtures.IMDS_TOKEN;
import static io.github.imdsenv.Fixtures.REGION;
import static io.github.imdsenv.Fixtures.ROLE;
import static io.github.imdsenv.Fixtures.ROLES;
import static io.github.imdsenv.Fixtures.TOKEN_PATH;

import io.github.imdsenv.FakeClock;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.Log;
import io.github.imdsenv.http.ScriptedTransport;
import io.github.imdsenv.settings.Budget;
import io.github.imdsenv.settings.ImdsSource;
import io.github.imdsenv.settings.Settings;
import java.net.URI;
import java.time.Duration;

/**
 * An IMDS for the protocol tests: a {@link ScriptedTransport} on a {@link FakeClock}, the run's
 * settings (the defaults unless a test changes them), and the usual answers in the order a fetch
 * asks for them.
 */
final class ScriptedImds {

  static final String ENDPOINT = "http://169.254.169.254";

  final FakeClock clock = new FakeClock();
  final ScriptedTransport transport = new ScriptedTransport(clock);

  String role;
  boolean v1Disabled;
  boolean disabled;
  Duration timeout = Settings.DEFAULT_TIMEOUT;
  int attempts = Settings.DEFAULT_ATTEMPTS;
  Duration deadline = Settings.DEFAULT_DEADLINE;

  ImdsClient client() {
    return client(ImdsListener.NONE);
  }

  ImdsClient client(ImdsListener listener) {
    return ImdsClient.create(
        new ImdsSource(URI.create(ENDPOINT), "--endpoint", role, v1Disabled, disabled),
        new Budget(timeout, attempts, deadline),
        Log.create(false),
        listener,
        transport,
        clock);
  }

  ScriptedTransport.Step on(String method, String path) {
    return transport.on(method, path);
  }

  /** The token PUT, answered. */
  ScriptedImds token() {
    transport.on("PUT", TOKEN_PATH).answer(200, IMDS_TOKEN);
    return this;
  }

  /** The role list, answered with the one role. */
  ScriptedImds roles() {
    transport.on("GET", ROLES).answer(200, ROLE + "\n");
    return this;
  }

  /** The role's credentials on the extended path. */
  ScriptedImds extended() {
    transport.on("GET", EXTENDED + ROLE).answer(200, Fixtures.credentialsJson());
    return this;
  }

  /** A healthy IMDSv2's answers to a fetch of the credentials: token, role list, extended path. */
  ScriptedImds healthy() {
    return token().roles().extended();
  }

  ScriptedImds region() {
    transport.on("GET", REGION).answer(200, "eu-central-2");
    return this;
  }

  /** The credentials without AccountId, as the legacy path gives them. */
  static String legacyJson() {
    return Fixtures.json(
        Fixtures.ACCESS_KEY_ID,
        Fixtures.SECRET,
        Fixtures.SESSION_TOKEN,
        Fixtures.EXPIRES.toString(),
        null);
  }
}
