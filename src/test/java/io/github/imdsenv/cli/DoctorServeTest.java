package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.serve.Endpoint;
import io.github.imdsenv.serve.Listen;
import io.github.imdsenv.serve.Refresher;
import io.github.imdsenv.serve.Report;
import io.github.imdsenv.serve.Server;
import io.github.imdsenv.serve.TokenFile;
import io.github.imdsenv.settings.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Doctor and imds-env serve: on the host, whether a serve answers containers (a server on 127.0.0.1
 * stands in for 169.254.170.2:80); in a container, the fix that names serve when nothing answers
 * where serve would.
 */
class DoctorServeTest {

  // long enough for a first request to a cold server on a loaded machine
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  @TempDir Path root;

  private final StringWriter out = new StringWriter();
  private final DoctorReport report = new DoctorReport(new PrintWriter(out, true));
  private Server serve;
  private ServerSocket standIn;

  @AfterEach
  void stop() throws IOException {
    if (serve != null) {
      serve.close();
    }
    if (standIn != null) {
      standIn.close();
    }
  }

  /** The one line ServeChecks printed, after the summary shows it did not fail. */
  private String serveLine(InetSocketAddress address, String ecsAgent) {
    return serveLine(address, ecsAgent, TIMEOUT);
  }

  private String serveLine(InetSocketAddress address, String ecsAgent, Duration timeout) {
    new ServeChecks(report, address, () -> ecsAgent).run(timeout);
    assertEquals(0, report.finish(), "a serve line never fails doctor:\n" + out);
    List<String> lines = out.toString().lines().filter(l -> !l.isEmpty()).toList();
    assertEquals(2, lines.size(), out.toString());
    return lines.get(0);
  }

  /** The real server, on 127.0.0.1, with a token doctor never sees. */
  private InetSocketAddress startServe() throws IOException {
    Path state = Files.createDirectory(root.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    TokenFile token = TokenFile.open(state.resolve("token/token"), InstantSource.system());
    Report events = new Report(new PrintWriter(new StringWriter()), Log.create(false), true);
    Refresher refresher =
        new Refresher(
            () -> {
              throw new AssertionError("doctor made serve ask its source");
            },
            InstantSource.system(),
            new SplittableRandom(1),
            events);
    serve =
        Server.start(
            List.of(Listen.parse("127.0.0.1:0")),
            new Endpoint(refresher, token, InstantSource.system(), Log.create(false)));
    return serve.addresses().get(0);
  }

  /**
   * A stand-in that answers each connection with {@code response} (null: reads the request and
   * never answers); returns the requests it read.
   */
  private CompletableFuture<String> standIn(String response) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    standIn = server;
    CompletableFuture<String> request = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  Socket s = server.accept();
                  s.setSoTimeout(5_000);
                  String head = head(s.getInputStream());
                  if (!head.isEmpty()) {
                    request.complete(head); // not doctor's TCP probe, which sends nothing
                  }
                  if (response == null) {
                    continue; // held open, never answered, closed with the server socket
                  }
                  try (s) {
                    s.getOutputStream().write(response.getBytes(StandardCharsets.UTF_8));
                  }
                }
              } catch (IOException e) {
                request.complete(null);
              }
            });
    t.setDaemon(true);
    t.start();
    return request;
  }

  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String answer(int status, String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return "HTTP/1.1 "
        + status
        + " X\r\nContent-Type: "
        + contentType
        + "\r\nContent-Length: "
        + bytes.length
        + "\r\nConnection: close\r\n\r\n"
        + body;
  }

  private InetSocketAddress standInAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), standIn.getLocalPort());
  }

  /** A port of 127.0.0.1 nothing listens on. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void serveAnswering_isOk_fromA401WithTheErrorBody() throws IOException {
    InetSocketAddress a = startServe();
    String where = "127.0.0.1:" + a.getPort();
    assertEquals(
        "ok    serve       imds-env serve answers at http://"
            + where
            + "/v1/credentials (a GET of /v1/credentials without the token: 401 NoAuthorization)",
        serveLine(a, null));
    assertTrue(
        out.toString()
            .endsWith("doctor: 1 ok, 0 warn, 0 FAIL: imds-env can export credentials here\n"));
  }

  @Test
  void sendsNoToken_andAsksWhatAContainerAsks() throws Exception {
    CompletableFuture<String> request =
        standIn(
            answer(
                401,
                "application/json",
                "{\"code\":\"NoAuthorization\",\"message\":\"no Authorization header\"}"));
    String line = serveLine(standInAddress(), null);
    assertTrue(line.startsWith("ok    serve       imds-env serve answers"), line);
    String head = request.get(5, TimeUnit.SECONDS);
    assertTrue(head.startsWith("GET /v1/credentials HTTP/1.1\r\n"), head);
    assertFalse(head.toLowerCase(java.util.Locale.ROOT).contains("authorization"), head);
  }

  @Test
  void addressOnTheHost_nothingListening_warns_namingTheService() throws IOException {
    int port = closedPort();
    assertEquals(
        "warn  serve       127.0.0.1 is on this host, but nothing listens on 127.0.0.1:"
            + port
            + ": start imds-env serve (`systemctl start imds-env-serve`), or remove the address if"
            + " this host serves no containers",
        serveLine(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null));
    assertTrue(
        out.toString()
            .endsWith("doctor: 0 ok, 1 warn, 0 FAIL: imds-env can export credentials here\n"));
  }

  @Test
  void addressNotOnTheHost_isInfo_andNothingIsSent() throws Exception {
    // TEST-NET-1: on no interface; were it probed, the line would be a timeout's
    String line = serveLine(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 80), null);
    assertEquals(
        "info  serve       192.0.2.1 is not an address of this host: no imds-env serve for its"
            + " containers (to give them credentials that stay fresh: serve in `man imds-env`)",
        line);
    assertTrue(
        out.toString()
            .endsWith("doctor: 0 ok, 0 warn, 0 FAIL: imds-env can export credentials here\n"));
  }

  @Test
  void ecsContainerInstance_saysTheAgentOwnsTheAddress_andNothingIsSent() throws Exception {
    CompletableFuture<String> request = standIn(answer(200, "application/json", "{}"));
    String line = serveLine(standInAddress(), "/etc/ecs/ecs.config exists");
    assertEquals(
        "info  serve       this looks like an ECS container instance (/etc/ecs/ecs.config exists):"
            + " the ECS agent answers 127.0.0.1:"
            + standIn.getLocalPort()
            + " for its tasks; imds-env serve is not for this host",
        line);
    standIn.close();
    assertEquals(null, request.get(5, TimeUnit.SECONDS), "doctor connected");
  }

  @Test
  void somethingElse_answeringCredentialsWithoutAToken_warns_withoutShowingThem()
      throws IOException {
    standIn(
        answer(
            200,
            "application/json",
            "{\"AccessKeyId\":\"ASIAEXAMPLEKEY12345\",\"SecretAccessKey\":\"s3cr3t-never-shown\","
                + "\"Token\":\"tok-never-shown\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"));
    String line = serveLine(standInAddress(), null);
    assertEquals(
        "warn  serve       something at 127.0.0.1:"
            + standIn.getLocalPort()
            + " answered a GET of /v1/credentials without the token with 200: not imds-env serve,"
            + " and whatever reaches it gets that answer",
        line);
    assertFalse(
        out.toString().contains("s3cr3t") || out.toString().contains("tok-never"), out.toString());
  }

  @Test
  void somethingElse_a404OrA401WithoutTheErrorBody_warns() throws IOException {
    for (String response :
        List.of(
            answer(404, "text/html", "<html>nginx</html>"),
            answer(401, "text/plain", "Unauthorized"),
            answer(403, "application/json", "{\"code\":\"Forbidden\"}"))) {
      StringWriter sw = new StringWriter();
      DoctorReport r = new DoctorReport(new PrintWriter(sw, true));
      standIn(response);
      new ServeChecks(r, standInAddress(), () -> null).run(TIMEOUT);
      assertEquals(0, r.finish(), sw.toString());
      int status = Integer.parseInt(response.substring(9, 12));
      assertEquals(
          "warn  serve       something other than imds-env serve answers at 127.0.0.1:"
              + standIn.getLocalPort()
              + " (a GET of /v1/credentials without the token: "
              + status
              + "; serve answers 401 with a JSON code and message)",
          sw.toString().lines().findFirst().orElseThrow());
      standIn.close();
    }
  }

  // a guard against a hang, not a timing assertion (the deadline is the transport's, asserted on a
  // fake clock)
  @Timeout(60)
  @Test
  void acceptsButNeverAnswers_warnsWithinTheTimeout() throws IOException {
    standIn(null);
    // nothing ever answers, so a short timeout cannot be a slow answer on a loaded machine
    String line = serveLine(standInAddress(), null, Duration.ofMillis(300));
    assertEquals(
        "warn  serve       something accepts on 127.0.0.1:"
            + standIn.getLocalPort()
            + " but a GET of /v1/credentials without the token got no answer within 300ms"
            + " (SocketTimeoutException)",
        line);
  }

  @Test
  void errorCode_wantsBothLowercaseFields() {
    assertEquals(
        "X",
        ServeChecks.errorCode(
            "{\"code\":\"X\",\"message\":\"m\"}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(
        null,
        ServeChecks.errorCode(
            "{\"Code\":\"X\",\"Message\":\"m\"}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(null, ServeChecks.errorCode("{\"code\":\"X\"}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(null, ServeChecks.errorCode("[1]".getBytes(StandardCharsets.UTF_8)));
    assertEquals(null, ServeChecks.errorCode("not json".getBytes(StandardCharsets.UTF_8)));
  }

  // ---- in a container: the fix names serve when nothing answers where serve would

  private static Settings containerSettings(String uri) {
    return Settings.resolve(
        Settings.Flags.none().timeout(TIMEOUT).attempts(1),
        Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri));
  }

  @Test
  void container_nothingAnsweringWhereServeWould_failNamesServe_exit3() throws IOException {
    int port = closedPort();
    InetSocketAddress serveAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    String uri = "http://127.0.0.1:" + port + "/v1/credentials";
    try {
      new ContainerChecks(report, Map.of(), serveAddress)
          .run(containerSettings(uri), Log.create(false));
    } catch (DoctorReport.Stop expected) {
      // the walk ends at the FAIL
    }
    assertEquals(3, report.finish(), out.toString());
    assertTrue(
        out.toString()
            .contains(
                "\nFAIL  reachable   connection refused: on a plain EC2 host running Docker, run"
                    + " `imds-env serve` on the host (serve in `man imds-env`) and start the"
                    + " container with the options `imds-env serve --docker-args` prints; on ECS"
                    + " the agent answers here: check it is running\n"),
        out.toString());
    assertEquals(3, ExitCodes.of(Reason.UNREACHABLE));
  }

  @Test
  void container_unreachableFix_namesServe_onlyFor169_254_170_2Port80() {
    ContainerChecks c = new ContainerChecks(report, Map.of(), Listen.DEFAULT.socketAddress());
    String serveFix = "on a plain EC2 host running Docker, run `imds-env serve` on the host";
    // the relative URI's endpoint, and a full URI naming the same address and port
    for (String uri :
        List.of(
            Settings.ECS_ENDPOINT + "/v1/credentials",
            "http://169.254.170.2:80/v1/credentials",
            "http://169.254.170.2/get-credentials?x=1")) {
      assertTrue(c.unreachableFix(URI.create(uri)).startsWith(serveFix), uri);
    }
    // EKS Pod Identity's address, another port, another host: the agent's fix
    for (String uri :
        List.of(
            "http://169.254.170.23/v1/credentials",
            "http://169.254.170.2:8080/v1/credentials",
            "https://169.254.170.2/v1/credentials",
            "http://127.0.0.1/v1/credentials")) {
      assertEquals(
          "run this inside the ECS task or EKS pod, and check the agent is running",
          c.unreachableFix(URI.create(uri)),
          uri);
    }
  }

  /** The relative URI, as the settings resolve it, is where serve answers by default. */
  @Test
  void container_relativeUri_resolvesToServesDefaultAddress() {
    Settings s =
        Settings.resolve(
            Settings.Flags.none(),
            Map.of("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v1/credentials"));
    URI uri = s.container().uri();
    assertEquals(Listen.DEFAULT.address().getHostAddress(), uri.getHost());
    assertTrue(
        new ContainerChecks(report, Map.of(), Listen.DEFAULT.socketAddress())
            .unreachableFix(uri)
            .contains("imds-env serve"));
  }
}
