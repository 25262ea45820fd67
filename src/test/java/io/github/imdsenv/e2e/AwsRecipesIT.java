package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.cli.Recipes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's AWS recipes read by the real consumers: `credential_process` by botocore and by the
 * AWS CLI v2, and the shared credentials file written by `-f ini -o` by botocore. The recipes come
 * from README.md as written; only the install path is substituted, and the endpoint comes through
 * AWS_EC2_METADATA_SERVICE_ENDPOINT, which botocore passes on to the process it starts. Values are
 * compared in the test; a failure shows names and SHA-256 only.
 */
class AwsRecipesIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  /**
   * Prints, for botocore's credentials of the profile argv[1], each field's SHA-256 (and the
   * expiry), or the class and text of the error botocore raised. Runs under Debian's python3, whose
   * botocore is python3-botocore.
   */
  static final String BOTOCORE =
      String.join(
          "\n",
          "import botocore.session, botocore.exceptions, hashlib, json, sys",
          "h = lambda v: None if v is None else hashlib.sha256(v.encode('utf-8')).hexdigest()",
          "try:",
          "    c = botocore.session.Session(profile=sys.argv[1]).get_credentials()",
          "    f = c.get_frozen_credentials()",
          "    expiry = getattr(c, '_expiry_time', None)",
          "    print(json.dumps({'method': c.method, 'access_key': h(f.access_key), 'secret_key': h(f.secret_key),",
          "                      'token': h(f.token), 'expiry': expiry.isoformat() if expiry else None}))",
          "except botocore.exceptions.BotoCoreError as e:",
          "    print(json.dumps({'error': type(e).__name__, 'message': str(e)}))",
          "");

  private Path python3;

  private Path aws;

  private Map<String, String> env(Path home, String endpoint) throws Exception {
    python3 = Consumers.require("python3", "python3-botocore");
    aws = Consumers.require("aws", "awscli");
    Path bin =
        Files.isDirectory(home.resolve("bin"))
            ? home.resolve("bin")
            : Consumers.binDir(home, python3, aws);
    Map<String, String> env = Consumers.env(bin, home, endpoint);
    // the consumers' own state stays in the test's directory
    env.put("AWS_CONFIG_FILE", home.resolve(".aws/config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve(".aws/credentials").toString());
    env.put("AWS_PAGER", "");
    return env;
  }

  private JsonNode botocore(String profile, Map<String, String> env) throws Exception {
    Proc p = Proc.run(List.of(python3.toString(), "-c", BOTOCORE, profile), env, dir);
    assertEquals(0, p.exit(), "python3 with botocore (python3-botocore): " + p.err());
    return new ObjectMapper().readTree(p.out());
  }

  private static void assertHashes(
      String what, JsonNode got, String accessKeyId, String secret, String token) {
    assertFalse(
        got.has("error"),
        what
            + ": botocore raised "
            + got.path("error").asText()
            + ": "
            + got.path("message").asText());
    assertEquals(
        Consumers.sha256(accessKeyId),
        got.path("access_key").asText(),
        what + ": access key (SHA-256)");
    assertEquals(
        Consumers.sha256(secret), got.path("secret_key").asText(), what + ": secret key (SHA-256)");
    assertEquals(
        Consumers.sha256(token), got.path("token").asText(), what + ": session token (SHA-256)");
  }

  /**
   * ~/.aws/config holding the README's credential_process profile, the install path made the
   * launcher's.
   */
  private String writeConfig() throws Exception {
    List<String> block = Readme.lines(Recipes.CREDENTIAL_PROCESS);
    String profile = block.get(0).substring("[profile ".length(), block.get(0).length() - 1);
    String config =
        Readme.substitute(String.join("\n", block), "/usr/local/bin/imds-env", Proc.LAUNCHER)
            + "\n";
    assertTrue(config.contains("credential_process = " + Proc.LAUNCHER + " "), config);
    Files.createDirectories(dir.resolve(".aws"));
    Files.writeString(dir.resolve(".aws/config"), "[default]\nregion = eu-central-2\n\n" + config);
    return profile;
  }

  @Test
  void credentialProcess_readByBotocore_givesExactlyTheServedCredentials() throws Exception {
    Fixtures.healthy(wm);
    String profile = writeConfig();
    JsonNode got = botocore(profile, env(dir, Fixtures.endpoint(wm)));
    assertHashes(
        "botocore, profile " + profile,
        got,
        Fixtures.ACCESS_KEY_ID,
        Fixtures.SECRET,
        Fixtures.SESSION_TOKEN);
    assertEquals("custom-process", got.path("method").asText());
    assertEquals(
        Fixtures.EXPIRES,
        OffsetDateTime.parse(got.path("expiry").asText()).toInstant(),
        "the expiry botocore refreshes at");
  }

  @Test
  void credentialProcess_readByAwsCliExportCredentials_givesExactlyTheServedCredentials()
      throws Exception {
    Fixtures.healthy(wm);
    String profile = writeConfig();
    Map<String, String> env = env(dir, Fixtures.endpoint(wm));
    Proc p =
        Proc.run(
            List.of(
                aws.toString(),
                "configure",
                "export-credentials",
                "--profile",
                profile,
                "--format",
                "process"),
            env,
            dir);
    assertEquals(0, p.exit(), "aws configure export-credentials: " + p.err());
    JsonNode got = new ObjectMapper().readTree(p.out());
    assertEquals(1, got.path("Version").asInt(), "Version");
    // compared here, reported by name only
    assertTrue(
        Fixtures.ACCESS_KEY_ID.equals(got.path("AccessKeyId").asText()), "AccessKeyId differs");
    assertTrue(
        Fixtures.SECRET.equals(got.path("SecretAccessKey").asText()), "SecretAccessKey differs");
    assertTrue(
        Fixtures.SESSION_TOKEN.equals(got.path("SessionToken").asText()), "SessionToken differs");
    assertEquals(
        Fixtures.EXPIRES,
        OffsetDateTime.parse(got.path("Expiration").asText()).toInstant(),
        "Expiration");
  }

  @Test
  void credentialProcess_failingExport_isACredentialRetrievalError_withImdsEnvsOneLine_andNoSecret()
      throws Exception {
    String profile = writeConfig();
    String expired =
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID,
            Fixtures.SECRET,
            Fixtures.SESSION_TOKEN,
            Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString(),
            null);
    Fixtures.healthy(wm, expired);
    for (String endpoint : List.of(Fixtures.downEndpoint(), Fixtures.endpoint(wm))) {
      Map<String, String> env = env(dir, endpoint);
      // what imds-env itself says, run directly the way credential_process runs it
      List<String> direct = Proc.launcher("-f", "process");
      Proc alone = Proc.run(direct, env, dir);
      assertTrue(alone.exit() == 3 || alone.exit() == 5, endpoint + ": " + alone.err());
      assertTrue(
          alone.err().startsWith("imds-env: ")
              && alone.err().indexOf('\n') == alone.err().length() - 1,
          "one line: " + alone.err());
      JsonNode got = botocore(profile, env);
      assertEquals("CredentialRetrievalError", got.path("error").asText(), endpoint + ": " + got);
      String message = got.path("message").asText();
      assertTrue(
          message.contains(alone.err().strip()),
          "botocore's error carries imds-env's message: " + message);
      for (String secret : List.of(Fixtures.SECRET, Fixtures.SESSION_TOKEN, Fixtures.IMDS_TOKEN)) {
        assertFalse(message.contains(secret), "a secret in botocore's error");
      }
    }
  }

  @Test
  void iniProfile_writtenIntoACredentialsFileWithOthers_isReadByBotocore_forItAndTheOthers()
      throws Exception {
    Fixtures.healthy(wm);
    String recipe = Readme.command(Recipes.INI);
    String profile = recipe.split(" ")[4];
    Path credentials = Files.createDirectories(dir.resolve(".aws")).resolve("credentials");
    String before =
        "# kept as it is\n[default]\naws_access_key_id = AKIADEFAULTDEFAULT01\naws_secret_access_key = default-secret\n\n"
            + "["
            + profile
            + "]\naws_access_key_id = AKIASTALESTALESTALE1\naws_secret_access_key = stale\n\n"
            + "[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = other-secret\n"
            + "aws_session_token = other-token\n";
    Files.writeString(credentials, before);
    // owner-only, as the AWS CLI creates it (a file others can read would draw a warning, as it
    // should)
    Files.setPosixFilePermissions(
        credentials, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Map<String, String> env = env(dir, Fixtures.endpoint(wm));
    env.remove(
        "AWS_SHARED_CREDENTIALS_FILE"); // the recipe writes ~/.aws/credentials, botocore's default
    Proc p = Proc.run(List.of("sh", "-c", recipe), env, dir);
    assertEquals(0, p.exit(), recipe + ": " + p.err());
    assertEquals("", p.out() + p.err());
    JsonNode mine = botocore(profile, env);
    assertHashes(
        "botocore, profile " + profile,
        mine,
        Fixtures.ACCESS_KEY_ID,
        Fixtures.SECRET,
        Fixtures.SESSION_TOKEN);
    assertEquals("shared-credentials-file", mine.path("method").asText());
    assertHashes(
        "botocore, profile other",
        botocore("other", env),
        "AKIAOTHEROTHEROTHER1",
        "other-secret",
        "other-token");
    String after = Files.readString(credentials);
    assertTrue(
        after.startsWith(before.substring(0, before.indexOf("[" + profile + "]"))),
        "the text before the profile is kept");
    assertTrue(
        after.endsWith(before.substring(before.indexOf("[other]"))),
        "the text after the profile is kept");
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(credentials)));
  }
}
