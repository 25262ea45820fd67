package io.github.imdsenv.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.credentials.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each format's exact bytes, against golden files under src/test/resources/golden/. */
class FormatGoldenTest {

  static final Credentials PLAIN =
      new Credentials(
          "ASIAEXAMPLEKEY1A2B3C",
          "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          "IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/with=padding==",
          Instant.parse("2026-11-29T15:00:00.123456Z"),
          "123456789012",
          null);

  /**
   * A token an attacker controlling the endpoint might send: quotes, expansions, a newline,
   * non-ASCII.
   */
  static final Credentials HOSTILE =
      new Credentials(
          "ASIAEXAMPLEKEY1A2B3C",
          "it's a $(touch /tmp/pwned) `id` \\ \"quoted\"",
          "line1\nline2; rm -rf ~ * 'x' ‘curly’ ünïcødé %PATH% !bang!",
          Instant.parse("2026-11-29T15:00:00Z"),
          "123456789012",
          null);

  static final Variables.Extras ALL = new Variables.Extras(true, true, true);

  @ParameterizedTest
  @EnumSource(Format.class)
  void plainCredentials_matchTheGoldenFile(Format format) throws IOException {
    SecretText.assertSame(
        golden(format.label() + ".txt"),
        format.render(Variables.of(PLAIN, "eu-central-2", ALL)),
        format.label());
  }

  @ParameterizedTest
  @EnumSource(
      value = Format.class,
      names = {"ENV", "FISH", "POWERSHELL", "PROCESS", "JSON"})
  void hostileCredentials_matchTheGoldenFile(Format format) throws IOException {
    SecretText.assertSame(
        golden(format.label() + "-hostile.txt"),
        format.render(Variables.of(HOSTILE, null, Variables.Extras.NONE)),
        format.label());
  }

  @ParameterizedTest
  @EnumSource(
      value = Format.class,
      names = {"ENV_NO_EXPORT", "WINDOWS_CMD", "INI"})
  void hostileCredentials_areRefused_withoutShowingTheValue(Format format) {
    ImdsEnvException e =
        assertThrows(
            ImdsEnvException.class,
            () -> format.render(Variables.of(HOSTILE, null, Variables.Extras.NONE)));
    assertEquals(ImdsEnvException.Reason.UNREPRESENTABLE, e.reason());
    // first, so that a message showing the value is never printed
    assertTrue(
        !e.getMessage().contains("touch") && !e.getMessage().contains("line1"),
        "the refusal shows the value");
    assertTrue(
        e.getMessage()
            .matches(
                "the value of AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN) contains .*; refused \\(.*\\)"),
        e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void nulOrLoneSurrogate_isRefusedByEveryFormatThatPrintsValues_jsonAndProcessToo(Format format) {
    for (String bad : new String[] {"a\u0000b", "a\ud800b"}) {
      Credentials c = new Credentials("ASIAX", "secret", bad, PLAIN.expiration(), null, null);
      if (!format.needsValues()) {
        continue;
      }
      ImdsEnvException e =
          assertThrows(
              ImdsEnvException.class,
              () -> format.render(Variables.of(c, null, Variables.Extras.NONE)),
              format.label());
      assertTrue(e.getMessage().contains("AWS_SESSION_TOKEN"), e.getMessage());
    }
  }

  @Test
  void envNoExport_carriesTheCharactersOfRealCredentials() {
    String out = Format.ENV_NO_EXPORT.render(Variables.of(PLAIN, "us-gov-west-1", ALL));
    assertTrue(
        out.contains("AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/with=padding==\n"),
        "no AWS_SESSION_TOKEN line with the token as it is");
    assertTrue(
        out.contains("AWS_CREDENTIAL_EXPIRATION=2026-11-29T15:00:00Z\n"),
        "no AWS_CREDENTIAL_EXPIRATION line with the expiration as it is");
  }

  @Test
  void dockerArgs_namesOnly_neverValues() {
    String out = Format.DOCKER_ARGS.render(Variables.of(PLAIN, "eu-central-2", ALL));
    assertEquals(
        "-e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_CREDENTIAL_EXPIRATION"
            + " -e AWS_SECURITY_TOKEN -e AWS_REGION -e AWS_DEFAULT_REGION -e AWS_ACCOUNT_ID\n",
        out);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "env",
        "env-no-export",
        "docker-env",
        "fish",
        "powershell",
        "windows-cmd",
        "process",
        "json",
        "ini",
        "docker-args"
      })
  void everyContractName_parses(String name) {
    assertEquals(
        name.equals("docker-env") ? "env-no-export" : name, Format.fromValue(name).label());
  }

  @Test
  void unknownFormat_listsTheValidNames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Format.fromValue("yaml"));
    assertEquals(
        "'yaml' is not a format; choose one of: env, env-no-export (docker-env), fish, powershell, windows-cmd,"
            + " process, json, ini, docker-args",
        e.getMessage());
  }

  @Test
  void variablesToString_namesButNeverShowsValues() {
    String s = Variables.of(HOSTILE, null, ALL).toString() + Variables.of(PLAIN, "x", ALL);
    assertTrue(
        !s.contains("touch")
            && !s.contains(PLAIN.secretAccessKey())
            && !s.contains(PLAIN.sessionToken()),
        "a value is shown");
  }

  static String golden(String name) throws IOException {
    try (InputStream in = FormatGoldenTest.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new IOException("no golden file " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
