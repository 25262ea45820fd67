package io.github.imdsenv.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.imdsenv.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The local IMDS of the demo, the benchmark and the soak run speaks the protocol imds-env expects.
 */
class ImdsSimulatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LIST = "/latest/meta-data/iam/security-credentials/";
  private static final String EXTENDED = "/latest/meta-data/iam/security-credentials-extended/";

  private final HttpClient http =
      HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
  private HttpServer server;
  private String base;

  private void start(String... args) throws Exception {
    server = ImdsSimulator.start(args);
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(5))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String token() throws Exception {
    HttpResponse<String> r =
        send("PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "21600");
    assertEquals(200, r.statusCode());
    return r.body();
  }

  @Test
  void tokenRoleAndCredentials_asImdsServesThem() throws Exception {
    start("--quiet", "--role", "app-role", "--account-id", "210987654321", "--ttl", "2h");
    String token = token();
    HttpResponse<String> list = send("GET", LIST, "X-aws-ec2-metadata-token", token);
    assertEquals(200, list.statusCode());
    assertEquals("app-role", list.body());

    JsonNode extended =
        JSON.readTree(send("GET", EXTENDED + "app-role", "X-aws-ec2-metadata-token", token).body());
    assertEquals("Success", extended.get("Code").asText());
    assertEquals("210987654321", extended.get("AccountId").asText());
    assertTrue(extended.get("AccessKeyId").asText().startsWith("ASIA"));
    Instant expires = Instant.parse(extended.get("Expiration").asText());
    Instant issued = Instant.parse(extended.get("LastUpdated").asText());
    assertEquals(Duration.ofHours(2), Duration.between(issued, expires));

    JsonNode legacy =
        JSON.readTree(send("GET", LIST + "app-role", "X-aws-ec2-metadata-token", token).body());
    assertFalse(legacy.has("AccountId"));
    assertEquals(extended.get("Token"), legacy.get("Token"));
  }

  @Test
  void protocolErrors_asImdsAnswersThem() throws Exception {
    start("--quiet", "--require-token");
    assertEquals(401, send("GET", LIST).statusCode());
    assertEquals(401, send("GET", LIST, "X-aws-ec2-metadata-token", "not-issued").statusCode());
    assertEquals(
        400,
        send("PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "21601")
            .statusCode());
    assertEquals(400, send("PUT", "/latest/api/token").statusCode());
    assertEquals(405, send("GET", "/latest/api/token").statusCode());
    assertEquals(
        403,
        send(
                "PUT",
                "/latest/api/token",
                "X-aws-ec2-metadata-token-ttl-seconds",
                "60",
                "X-Forwarded-For",
                "10.0.0.1")
            .statusCode());
    assertEquals(
        404,
        send("GET", EXTENDED + "another-role", "X-aws-ec2-metadata-token", token()).statusCode());
  }

  @Test
  void withoutARole_theListIs404() throws Exception {
    start("--quiet", "--no-role");
    assertEquals(404, send("GET", LIST, "X-aws-ec2-metadata-token", token()).statusCode());
  }

  @Test
  void credentials_rotateEveryPeriod() throws Exception {
    start("--quiet", "--rotate", "1s");
    String first =
        JSON.readTree(send("GET", EXTENDED + "imds-env-demo").body()).get("AccessKeyId").asText();
    Thread.sleep(1_100);
    String second =
        JSON.readTree(send("GET", EXTENDED + "imds-env-demo").body()).get("AccessKeyId").asText();
    assertNotEquals(first, second);
  }

  @Test
  void imdsEnv_exportsWhatItServes() throws Exception {
    start("--quiet", "--region", "ap-southeast-7");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Cli.execute(
            new String[] {"--endpoint", base, "-f", "json", "--region", "--account-id"},
            Map.of(),
            new PrintWriter(out),
            new PrintWriter(err));
    assertEquals(0, code, err.toString());
    JsonNode vars = JSON.readTree(out.toString());
    assertEquals("ap-southeast-7", vars.get("AWS_REGION").asText());
    assertEquals("123456789012", vars.get("AWS_ACCOUNT_ID").asText());
    JsonNode served = JSON.readTree(send("GET", EXTENDED + "imds-env-demo").body());
    assertEquals(
        served.get("SecretAccessKey").asText(), vars.get("AWS_SECRET_ACCESS_KEY").asText());
  }

  @Test
  void durationsAndArguments() {
    assertEquals(
        List.of(
            Duration.ofSeconds(90),
            Duration.ofMillis(500),
            Duration.ofMinutes(20),
            Duration.ofHours(6),
            Duration.ofMinutes(15)),
        List.of(
            ImdsSimulator.duration("90"),
            ImdsSimulator.duration("500ms"),
            ImdsSimulator.duration("20m"),
            ImdsSimulator.duration("6h"),
            ImdsSimulator.duration("PT15M")));
    assertThrows(IllegalArgumentException.class, () -> ImdsSimulator.start("--frobnicate"));
    assertThrows(IllegalArgumentException.class, () -> ImdsSimulator.start("--port"));
  }

  @org.junit.jupiter.api.Test
  void outageFile_whileItExistsEveryRequestIs503(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path switchFile = dir.resolve("outage");
    start("--quiet", "--outage-file", switchFile.toString());
    org.junit.jupiter.api.Assertions.assertEquals(200, send("GET", LIST).statusCode());
    java.nio.file.Files.createFile(switchFile);
    org.junit.jupiter.api.Assertions.assertEquals(503, send("GET", LIST).statusCode());
    org.junit.jupiter.api.Assertions.assertEquals(
        503,
        send("PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "60")
            .statusCode());
    java.nio.file.Files.delete(switchFile);
    org.junit.jupiter.api.Assertions.assertEquals(200, send("GET", LIST).statusCode());
  }
}
