package io.github.imdsenv.serve;

import static io.github.imdsenv.serve.ScriptedSource.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.credentials.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The protocol as the SDKs meet it, against the real server on 127.0.0.1 (raw HTTP/1.1, so every
 * byte and header is the test's), with a scripted source refreshed by hand and a clock moved by
 * hand. No secret in any error body.
 */
class ServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;

  private final ScriptedSource source = new ScriptedSource();
  private final ScriptedSource.ManualClock clock = new ScriptedSource.ManualClock();
  private Refresher refresher;
  private Server server;
  private String token;
  private int port;

  @BeforeEach
  void start() throws Exception {
    Path outer = Files.createDirectory(root.resolve("state"));
    Files.setPosixFilePermissions(outer, PosixFilePermissions.fromString("rwx------"));
    TokenFile tokenFile = TokenFile.open(outer.resolve("token/token"), clock);
    token = Files.readString(outer.resolve("token/token"));
    refresher = new Refresher(source, clock, new SplittableRandom(1), new RecordedEvents());
    server =
        Server.start(
            List.of(Listen.parse("127.0.0.1:0")),
            new Endpoint(refresher, tokenFile, clock, Log.create(false)));
    port = server.addresses().get(0).getPort();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  record Answer(int status, String head, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** One request on a connection of its own; the answer read to its end. */
  private Answer send(String request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      int end = all.indexOf("\r\n\r\n");
      String head = all.substring(0, end);
      return new Answer(Integer.parseInt(head.substring(9, 12)), head, all.substring(end + 4));
    }
  }

  private Answer get(String path, String... headers) throws IOException {
    return request("GET", path, headers);
  }

  private Answer request(String method, String path, String... headers) throws IOException {
    StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    boolean host = false;
    for (String h : headers) {
      sb.append(h).append("\r\n");
      host |= h.startsWith("Host:");
    }
    if (!host) {
      sb.append("Host: 127.0.0.1:").append(port).append("\r\n");
    }
    sb.append("Connection: close\r\n\r\n");
    return send(sb.toString());
  }

  private Credentials serveFor(Duration life) {
    Credentials c = credentials("AAAA", clock.instant().plus(life));
    source.then(c);
    refresher.refresh();
    return c;
  }

  private void assertError(Answer a, int status, String code) throws IOException {
    assertEquals(status, a.status(), a.head());
    assertEquals("application/json", a.header("Content-Type"));
    JsonNode j = a.json();
    assertEquals(code, j.path("code").asText(), a.body());
    assertFalse(j.path("message").asText().isEmpty(), a.body());
    assertEquals(2, j.size(), "code and message only: " + a.body());
    assertFalse(a.body().contains(token), "the token in an error body");
    assertFalse(a.body().contains("wJalrXUtnFEMI"), "the secret in an error body");
  }

  @Test
  void get_withToken_answersTheCredentialsAsTheSdksReadThem() throws Exception {
    Credentials c = serveFor(Duration.ofHours(6));
    Answer a = get(Endpoint.PATH, "Authorization: " + token);
    assertEquals(200, a.status(), a.head());
    assertEquals("application/json", a.header("Content-Type"));
    JsonNode j = a.json();
    assertEquals(c.accessKeyId(), j.path("AccessKeyId").asText());
    assertEquals(c.secretAccessKey(), j.path("SecretAccessKey").asText());
    assertEquals(c.sessionToken(), j.path("Token").asText());
    assertEquals("2026-12-07T18:00:00Z", j.path("Expiration").asText());
    assertEquals("123456789012", j.path("AccountId").asText());
    assertNull(a.header("Access-Control-Allow-Origin"), "no CORS");
  }

  @Test
  void get_withoutAccountId_leavesItOut() throws Exception {
    source.then(
        new Credentials(
            "ASIAKEY0000000001234", "s", "t", clock.instant().plusSeconds(3600), null, null));
    refresher.refresh();
    JsonNode j = get(Endpoint.PATH, "Authorization: " + token).json();
    assertFalse(j.has("AccountId"), j.toString());
    assertEquals(4, j.size(), j.toString());
  }

  @Test
  void get_noAcceptRequired_andJavasAcceptIsFine() throws Exception {
    serveFor(Duration.ofHours(6));
    assertEquals(
        200,
        get(
                Endpoint.PATH,
                "Authorization: " + token,
                "Accept: text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2")
            .status());
  }

  @Test
  void get_noToken_401() throws Exception {
    serveFor(Duration.ofHours(6));
    assertError(get(Endpoint.PATH), 401, "NoAuthorization");
  }

  @ParameterizedTest
  @ValueSource(strings = {"wrong", "Bearer TOKEN", "TOKENx", "OKEN"})
  void get_wrongToken_403(String presented) throws Exception {
    serveFor(Duration.ofHours(6));
    String value = presented.replace("TOKEN", token).replace("OKEN", token.substring(1));
    assertError(get(Endpoint.PATH, "Authorization: " + value), 403, "InvalidAuthorization");
  }

  @Test
  void get_twoAuthorizationHeaders_403() throws Exception {
    serveFor(Duration.ofHours(6));
    assertError(
        get(Endpoint.PATH, "Authorization: " + token, "Authorization: other"),
        403,
        "InvalidAuthorization");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/",
        "/v1/credentials/",
        "/v2/credentials/abc",
        "/V1/CREDENTIALS",
        "/latest/meta-data/"
      })
  void get_otherPath_404(String path) throws Exception {
    serveFor(Duration.ofHours(6));
    assertError(get(path, "Authorization: " + token), 404, "NotFound");
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS"})
  void otherMethod_405_allowGet_noCors(String method) throws Exception {
    serveFor(Duration.ofHours(6));
    Answer a =
        request(
            method,
            Endpoint.PATH,
            "Authorization: " + token,
            "Origin: http://evil.example",
            "Access-Control-Request-Method: GET",
            "Access-Control-Request-Headers: authorization",
            "Content-Length: 0");
    assertError(a, 405, "MethodNotAllowed");
    assertEquals("GET", a.header("Allow"));
    assertNull(a.header("Access-Control-Allow-Origin"));
    assertNull(a.header("Access-Control-Allow-Headers"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"169.254.170.2", "127.0.0.1:PORT", "localhost:PORT", "LOCALHOST", "[::1]:PORT"})
  void get_hostIsAnAddressOrLocalhost_anyPort_answered(String host) throws Exception {
    serveFor(Duration.ofHours(6));
    Answer a =
        get(Endpoint.PATH, "Host: " + host.replace("PORT", "" + port), "Authorization: " + token);
    assertEquals(200, a.status(), a.body());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "evil.example",
        "evil.example:80",
        "169.254.170.2.nip.io",
        "localhost.evil",
        "1.2.3.4:x"
      })
  void get_hostIsAName_403_dnsRebinding(String host) throws Exception {
    serveFor(Duration.ofHours(6));
    assertError(get(Endpoint.PATH, "Host: " + host, "Authorization: " + token), 403, "InvalidHost");
  }

  @Test
  void get_absoluteFormNamingAHost_403() throws Exception {
    serveFor(Duration.ofHours(6));
    assertError(
        get("http://evil.example" + Endpoint.PATH, "Authorization: " + token), 403, "InvalidHost");
    assertEquals(
        200, get("http://169.254.170.2" + Endpoint.PATH, "Authorization: " + token).status());
  }

  @Test
  void get_beforeAnyCredentials_503Uninitialized() throws Exception {
    assertError(get(Endpoint.PATH, "Authorization: " + token), 503, "CredentialsUninitialized");
  }

  @Test
  void get_heldCredentialsExpired_503Expired_neverTheCredentials() throws Exception {
    serveFor(Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(10));
    assertError(get(Endpoint.PATH, "Authorization: " + token), 503, "CredentialsExpired");
  }

  @Test
  void get_answersFromMemory_neverAskingTheSource() throws Exception {
    serveFor(Duration.ofHours(6));
    int before = source.fetches;
    for (int i = 0; i < 20; i++) {
      assertEquals(200, get(Endpoint.PATH, "Authorization: " + token).status());
    }
    get(Endpoint.PATH);
    assertEquals(before, source.fetches);
  }

  @Test
  void get_afterARefreshTookNewerCredentials_answersThem() throws Exception {
    serveFor(Duration.ofHours(6));
    Credentials later = credentials("BBBB", clock.instant().plus(Duration.ofHours(7)));
    source.then(later);
    refresher.refresh();
    assertEquals(
        later.accessKeyId(),
        get(Endpoint.PATH, "Authorization: " + token).json().path("AccessKeyId").asText());
  }

  @Test
  void keepAlive_manyRequestsOnOneConnection() throws Exception {
    serveFor(Duration.ofHours(6));
    String one =
        "GET "
            + Endpoint.PATH
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + token
            + "\r\n\r\n";
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(one.repeat(5).getBytes(StandardCharsets.ISO_8859_1));
      byte[] buf = new byte[65536];
      StringBuilder got = new StringBuilder();
      while (got.toString().split("HTTP/1.1 200 OK", -1).length - 1 < 5) {
        int n = s.getInputStream().read(buf);
        assertTrue(n > 0, "the connection ended after: " + got.length() + " characters");
        got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    }
  }

  @Test
  void start_addressInUse_oneLineNamingItAndTheFix() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ImdsEnvException e =
          assertThrows(
              ImdsEnvException.class,
              () ->
                  Server.start(
                      List.of(Listen.parse("127.0.0.1:" + taken.getLocalPort())),
                      new Endpoint(refresher, null, clock, Log.create(false))));
      assertEquals(ImdsEnvException.Reason.LISTEN, e.reason());
      assertEquals(
          "cannot listen on 127.0.0.1:"
              + taken.getLocalPort()
              + ": another process listens there: stop it, or choose another --listen (`ss -ltnp`"
              + " names the process)",
          e.getMessage());
    }
  }

  @Test
  void start_addressNotOnThisHost_saysHowToAddIt_andBindsNothing() throws Exception {
    // TEST-NET-1 (RFC 5737): on no host; a bind only asks the kernel, nothing is sent
    ImdsEnvException e =
        assertThrows(
            ImdsEnvException.class,
            () ->
                Server.start(
                    List.of(Listen.parse("127.0.0.1:0"), Listen.parse("192.0.2.1:80")),
                    new Endpoint(refresher, null, clock, Log.create(false))));
    assertEquals(
        "cannot listen on 192.0.2.1:80: the address is not on this host: add it with `ip addr add"
            + " 192.0.2.1/32 dev lo` (as root; the systemd unit imds-env-serve.service does)",
        e.getMessage());
  }
}
