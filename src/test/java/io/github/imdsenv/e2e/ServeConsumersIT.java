package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.imdsenv.sim.ImdsSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real SDKs read {@code imds-env serve} on 127.0.0.1, configured by their environment as in a
 * container: botocore (Debian's python3-botocore 1.29: the token as a value only; loopback must be
 * exactly 127.0.0.1 in _FULL_URI), the AWS CLI v2 (Debian's awscli 2.9), the AWS SDK for Java v2
 * 2.59.1 (in a JVM of its own) and the AWS SDK for JavaScript v3's credential-provider-http
 * 3.972.86 (the machine's Node.js; scripts/test installs the package under target/node-consumers).
 * Each compares what it read with serve's own answer, by SHA-256; a missing consumer fails.
 */
class ServeConsumersIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  static final Path NODE_MODULES = Path.of("target/node-consumers/node_modules").toAbsolutePath();

  static final String BOTOCORE =
      String.join(
          "\n",
          "import botocore.session, hashlib, json",
          "h = lambda v: None if v is None else hashlib.sha256(v.encode('utf-8')).hexdigest()",
          "try:",
          "    c = botocore.session.get_session().get_credentials()",
          "    if c is None:",
          "        print(json.dumps({'error': 'none'}))",
          "    else:",
          "        f = c.get_frozen_credentials()",
          "        print(json.dumps({'method': c.method, 'access_key': h(f.access_key),",
          "                          'secret_key': h(f.secret_key), 'token': h(f.token)}))",
          "except Exception as e:",
          "    print(json.dumps({'error': type(e).__name__}))",
          "");

  static final String NODE =
      String.join(
          "\n",
          "const { fromHttp } = require('@aws-sdk/credential-provider-http');",
          "const crypto = require('crypto');",
          "const h = v => v == null ? null : crypto.createHash('sha256').update(v, 'utf8').digest('hex');",
          "fromHttp({ maxRetries: 0 })()",
          "  .then(c => console.log(JSON.stringify({ access_key: h(c.accessKeyId),",
          "    secret_key: h(c.secretAccessKey), token: h(c.sessionToken) })))",
          "  .catch(e => console.log(JSON.stringify({ error: e.name })));",
          "");

  @TempDir static Path dir;

  private static HttpServer imds;
  private static ServeProcess serve;
  private static String token;
  private static JsonNode expected;

  @BeforeAll
  static void start() throws Exception {
    imds = ImdsSimulator.start("--quiet");
    serve = ServeProcess.start(dir, "http://127.0.0.1:" + imds.getAddress().getPort());
    token = serve.token();
    ServeIT.Answer a = ServeIT.get(serve.port, token);
    assertEquals(200, a.status());
    JsonNode j = JSON.readTree(a.body());
    expected =
        JSON.createObjectNode()
            .put("access_key", Consumers.sha256(j.path("AccessKeyId").asText()))
            .put("secret_key", Consumers.sha256(j.path("SecretAccessKey").asText()))
            .put("token", Consumers.sha256(j.path("Token").asText()));
  }

  @AfterAll
  static void stop() throws Exception {
    serve.close();
    imds.stop(0);
  }

  /** A container's environment: no profile, no IMDS, the endpoint and, if given, the token. */
  private static Map<String, String> env(String tokenVariable, String tokenValue) throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Map<String, String> env = Proc.env();
    env.put("HOME", home.toString());
    env.put("AWS_CONFIG_FILE", home.resolve("absent-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("absent-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_REGION", "eu-west-1");
    env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", serve.url());
    if (tokenVariable != null) {
      env.put(tokenVariable, tokenValue);
    }
    return env;
  }

  private static Map<String, String> withTokenValue() throws Exception {
    return env("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
  }

  private static Map<String, String> withTokenFile() throws Exception {
    return env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", serve.tokenFile.toString());
  }

  private static JsonNode run(List<String> command, Map<String, String> env) throws Exception {
    Proc p = Proc.run(command, env, dir);
    assertEquals(0, p.exit(), command.get(0) + " failed: " + p.err());
    String last = p.out().strip();
    last = last.substring(last.lastIndexOf('\n') + 1);
    return JSON.readTree(last);
  }

  private static void assertRead(JsonNode got) {
    for (String f : List.of("access_key", "secret_key", "token")) {
      assertEquals(expected.path(f), got.path(f), f + " (SHA-256) in " + got);
    }
  }

  private static JsonNode botocore(Map<String, String> env) throws Exception {
    Path python = Consumers.require("python3", "python3-botocore");
    return run(List.of(python.toString(), "-c", BOTOCORE), env);
  }

  @Test
  void botocore_tokenAsValue_readsTheCredentials() throws Exception {
    JsonNode got = botocore(withTokenValue());
    assertEquals("container-role", got.path("method").asText(), got.toString());
    assertRead(got);
  }

  @Test
  void botocore_noToken_getsNone() throws Exception {
    JsonNode got = botocore(env(null, null));
    assertTrue(got.has("error"), got.toString());
  }

  @Test
  void awsCli_exportCredentials_tokenAsValue() throws Exception {
    Path aws = Consumers.require("aws", "awscli");
    Proc p =
        Proc.run(
            List.of(aws.toString(), "configure", "export-credentials", "--format", "process"),
            withTokenValue(),
            dir);
    assertEquals(0, p.exit(), "aws failed: " + p.err());
    JsonNode j = JSON.readTree(p.out());
    assertRead(
        JSON.createObjectNode()
            .put("access_key", Consumers.sha256(j.path("AccessKeyId").asText()))
            .put("secret_key", Consumers.sha256(j.path("SecretAccessKey").asText()))
            .put("token", Consumers.sha256(j.path("SessionToken").asText())));
  }

  private static JsonNode javaSdk(Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(JavaSdkProbe.class.getName());
    return run(cmd, env);
  }

  @Test
  void javaSdkV2_tokenAsValue() throws Exception {
    assertRead(javaSdk(withTokenValue()));
  }

  @Test
  void javaSdkV2_tokenAsFile() throws Exception {
    assertRead(javaSdk(withTokenFile()));
  }

  @Test
  void javaSdkV2_wrongToken_getsNone() throws Exception {
    JsonNode got = javaSdk(env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "not-the-token"));
    assertTrue(got.has("error"), got.toString());
  }

  private static JsonNode node(Map<String, String> env) throws Exception {
    Path node = Consumers.require("node", "nodejs (the machine's Node.js 20)");
    assertTrue(
        Files.isDirectory(NODE_MODULES.resolve("@aws-sdk/credential-provider-http")),
        "the JS SDK's credential-provider-http is not installed under "
            + NODE_MODULES
            + ": scripts/test installs it (npm install --prefix target/node-consumers"
            + " @aws-sdk/credential-provider-http@3.972.86)");
    Map<String, String> e = new HashMap<>(env);
    e.put("NODE_PATH", NODE_MODULES.toString());
    return run(List.of(node.toString(), "-e", NODE), e);
  }

  @Test
  void jsSdkV3_tokenAsValue() throws Exception {
    assertRead(node(withTokenValue()));
  }

  @Test
  void jsSdkV3_tokenAsFile() throws Exception {
    assertRead(node(withTokenFile()));
  }

  @Test
  void jsSdkV3_noToken_getsNone() throws Exception {
    JsonNode got = node(env(null, null));
    assertTrue(got.has("error"), got.toString());
  }
}
