package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.sim.ImdsSimulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imds-env serve} as it runs: the real launcher and JVM options, the JDK server's limits as
 * serve sets them, against the IMDS simulator on 127.0.0.1. Bad clients, signals, refusals, the
 * token's rotation, an IMDS outage, memory under load. Time bounds here are generous: they tell
 * "answered at once" from "waited on a bad client".
 */
class ServeIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private HttpServer imds;
  private String endpoint;

  @BeforeEach
  void simulator() throws Exception {
    imds = ImdsSimulator.start("--quiet");
    endpoint = "http://127.0.0.1:" + imds.getAddress().getPort();
  }

  @AfterEach
  void stopSimulator() {
    imds.stop(0);
  }

  record Answer(int status, String body) {}

  /** GET with a fresh connection; -1 when the server closed it without an answer. */
  static Answer get(int port, String token) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(20_000);
      String req =
          "GET /v1/credentials HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + (token == null ? "" : "Authorization: " + token + "\r\n")
              + "Connection: close\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (all.length() < 12) {
        return new Answer(-1, all);
      }
      int body = all.indexOf("\r\n\r\n");
      return new Answer(Integer.parseInt(all.substring(9, 12)), all.substring(body + 4));
    }
  }

  private static void assertNoSecret(String where, String text, String... secrets) {
    for (String s : secrets) {
      assertFalse(text.contains(s), where + " holds a secret (" + s.length() + " characters)");
    }
  }

  @Test
  void serve_answersTheSimulatorsCredentials_logsEachRequestWithoutASecret() throws Exception {
    try (ServeProcess serve = ServeProcess.start(dir, endpoint, "-v")) {
      String token = serve.token();
      Answer ok = get(serve.port, token);
      assertEquals(200, ok.status(), ok.body());
      JsonNode j = JSON.readTree(ok.body());
      assertTrue(j.path("AccessKeyId").asText().startsWith("ASIA"), "AccessKeyId");
      assertTrue(
          j.path("Expiration").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
      assertEquals("123456789012", j.path("AccountId").asText());
      assertEquals(403, get(serve.port, "not-the-token").status());
      assertEquals(401, get(serve.port, null).status());
      assertTrue(serve.awaitErr(": 401", 10), "no request line for the 401");
      String err = serve.err();
      assertTrue(err.contains("GET /v1/credentials from 127.0.0.1:"), err);
      assertTrue(err.contains(": 200") && err.contains(": 403"), err);
      assertNoSecret(
          "stderr",
          err,
          token,
          j.path("SecretAccessKey").asText(),
          j.path("Token").asText(),
          j.path("AccessKeyId").asText());
      // nothing secret in serve's own argv or environment either
      long pid = serve.process.pid();
      for (String f : List.of("cmdline", "environ")) {
        String text =
            new String(
                Files.readAllBytes(Path.of("/proc/" + pid + "/" + f)), StandardCharsets.UTF_8);
        assertNoSecret("/proc/PID/" + f, text, token, j.path("SecretAccessKey").asText());
      }
    }
  }

  @Test
  void sigterm_endsServeAtOnce_withStatusZero() throws Exception {
    ServeProcess serve = ServeProcess.start(dir, endpoint);
    assertEquals(200, get(serve.port, serve.token()).status());
    long start = System.nanoTime();
    serve.process.destroy(); // SIGTERM
    assertTrue(serve.process.waitFor(10, TimeUnit.SECONDS), "still running 10 s after SIGTERM");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(0, serve.process.exitValue(), serve.err());
    assertTrue(ms < 5_000, "SIGTERM took " + ms + " ms");
  }

  private Proc serveOnce(String listen) throws Exception {
    Path state = Files.createDirectories(dir.resolve("once"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> env = Proc.env("JAVA_HOME", System.getProperty("java.home"));
    return Proc.run(
        Proc.launcher(
            "serve",
            "--listen",
            listen,
            "--token-file",
            state.resolve("t/token").toString(),
            "--endpoint",
            endpoint),
        env,
        dir);
  }

  @Test
  void addressInUse_exit2_oneLineNamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Proc p = serveOnce("127.0.0.1:" + taken.getLocalPort());
      assertEquals(2, p.exit(), p.err());
      assertEquals("", p.out());
      assertEquals(
          "imds-env: cannot listen on 127.0.0.1:"
              + taken.getLocalPort()
              + ": another process listens there: stop it, or choose another --listen (`ss -ltnp`"
              + " names the process) (see 'imds-env --help')\n",
          p.err());
    }
  }

  @Test
  void addressNotOnThisHost_exit2_sayingHowToAddIt() throws Exception {
    Proc p = serveOnce("192.0.2.1:80");
    assertEquals(2, p.exit(), p.err());
    assertTrue(
        p.err()
            .startsWith(
                "imds-env: cannot listen on 192.0.2.1:80: the address is not on this host: add it with `ip addr add 192.0.2.1/32 dev lo`"),
        p.err());
    assertEquals(1, p.err().split("\n").length, p.err());
  }

  @Test
  void imdsOutage_serveKeepsAnsweringWhatItHolds() throws Exception {
    try (ServeProcess serve = ServeProcess.start(dir, endpoint)) {
      String before = get(serve.port, serve.token()).body();
      imds.stop(0);
      Answer during = get(serve.port, serve.token());
      assertEquals(200, during.status());
      assertEquals(
          JSON.readTree(before).path("AccessKeyId"),
          JSON.readTree(during.body()).path("AccessKeyId"));
    }
  }

  @Test
  void imdsDownAtStart_503Uninitialized_thenCredentialsOnceItAnswers() throws Exception {
    // held until IMDS comes up on it, so that nothing else takes it meanwhile
    java.net.Socket down = Fixtures.unlistenedPort();
    int port = down.getLocalPort();
    try (down;
        ServeProcess serve = ServeProcess.listening(dir, "http://127.0.0.1:" + port)) {
      Answer a = get(serve.port, serve.token());
      assertEquals(503, a.status(), a.body());
      assertTrue(a.body().contains("\"code\":\"CredentialsUninitialized\""), a.body());
      assertTrue(serve.awaitErr("cannot refresh the credentials", 20), serve.err());
      down.close();
      HttpServer late = ImdsSimulator.start("--quiet", "--port", String.valueOf(port));
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (get(serve.port, serve.token()).status() != 200) {
          assertTrue(System.nanoTime() < deadline, "no credentials 60 s after IMDS came back");
          Thread.sleep(200);
        }
      } finally {
        late.stop(0);
      }
      assertTrue(serve.err().contains("imds-env: serving credentials …"), serve.err());
    }
  }

  @Test
  void tokenReplaced_newOneAcceptedWithinSeconds_oldOneStillForTheGracePeriod() throws Exception {
    try (ServeProcess serve = ServeProcess.start(dir, endpoint)) {
      String old = serve.token();
      String fresh = "rotated-" + "x".repeat(40);
      Path tmp = serve.tokenFile.resolveSibling(".rotate");
      Files.writeString(tmp, fresh);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(tmp, serve.tokenFile, StandardCopyOption.ATOMIC_MOVE);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (get(serve.port, fresh).status() != 200) {
        assertTrue(System.nanoTime() < deadline, "the new token is not accepted after 20 s");
        Thread.sleep(200);
      }
      assertEquals(200, get(serve.port, old).status());
      assertTrue(serve.err().contains("changed; the one before is accepted until"), serve.err());
      assertNoSecret("stderr", serve.err(), old, fresh);
    }
  }

  /** A connection that sends {@code bytes} and then nothing; kept open. */
  private static Socket stalled(int port, byte[] bytes) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    if (bytes.length > 0) {
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
    }
    return s;
  }

  private static long goodRequestMillis(int port, String token) throws IOException {
    long start = System.nanoTime();
    Answer a = get(port, token);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, a.status(), a.body());
    return ms;
  }

  @Test
  void badClients_doNotDelayAGoodOne() throws Exception {
    try (ServeProcess serve = ServeProcess.start(dir, endpoint)) {
      String token = serve.token();
      goodRequestMillis(serve.port, token);
      List<Socket> bad = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        for (int i = 0; i < 30; i++) {
          bad.add(stalled(serve.port, new byte[0])); // idle: connected, silent
        }
        for (int i = 0; i < 20; i++) {
          // half a request head
          bad.add(
              stalled(
                  serve.port,
                  "GET /v1/credentials HTTP/1.1\r\nHost: 127.0"
                      .getBytes(StandardCharsets.US_ASCII)));
        }
        for (int i = 0; i < 5; i++) {
          bad.add(
              stalled(
                  serve.port,
                  "\u0000\u00ff garbage \r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        }
        // a 1 MiB header, sent as fast as the server reads it
        Future<String> big =
            pool.submit(
                () -> {
                  try (Socket s = new Socket(InetAddress.getLoopbackAddress(), serve.port)) {
                    s.setSoTimeout(20_000);
                    OutputStream out = s.getOutputStream();
                    out.write(
                        "GET /v1/credentials HTTP/1.1\r\nX-Big: "
                            .getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
                    try {
                      for (int i = 0; i < 16; i++) {
                        out.write(chunk);
                      }
                      out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (SocketException e) {
                      return "cut";
                    }
                    try {
                      String head =
                          new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                      return head.isEmpty() ? "cut" : head;
                    } catch (SocketException e) {
                      return "cut";
                    }
                  }
                });
        long ms = goodRequestMillis(serve.port, token);
        assertTrue(ms < 2_000, "a good client waited " + ms + " ms beside 56 bad ones");
        String bigAnswer = big.get(30, TimeUnit.SECONDS);
        assertTrue(
            bigAnswer.equals("cut") || !bigAnswer.startsWith("HTTP/1.1 200"),
            "a 1 MiB header was answered: " + bigAnswer);
      } finally {
        pool.shutdownNow();
        for (Socket s : bad) {
          s.close();
        }
      }
    }
  }

  @Test
  void halfSentRequests_moreThanItsThreads_areCutAtTheRequestTimeLimit() throws Exception {
    try (ServeProcess serve = ServeProcess.start(dir, endpoint)) {
      String token = serve.token();
      List<Socket> bad = new ArrayList<>();
      try {
        // every request thread held (32), and more
        for (int i = 0; i < 80; i++) {
          bad.add(
              stalled(
                  serve.port,
                  "GET /v1/credentials HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)));
        }
        // queued behind them, a good request may be cut with them at the limit (its time counts
        // from its connection too): a second try, as every SDK makes, is answered. Without
        // maxReqTime (the JDK's default is no limit) it would wait forever.
        long start = System.nanoTime();
        int status = -1;
        for (int attempt = 0; attempt < 3 && status != 200; attempt++) {
          try {
            status = get(serve.port, token).status();
          } catch (SocketException e) {
            status = -1;
          }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, status);
        assertTrue(ms < 15_000, "a good client waited " + ms + " ms");
        for (Socket s : bad.subList(0, 10)) {
          s.setSoTimeout(15_000);
          int read;
          try {
            read = s.getInputStream().read();
          } catch (SocketException e) {
            read = -1;
          }
          assertEquals(-1, read, "a half-sent request's connection is still open");
        }
      } finally {
        for (Socket s : bad) {
          s.close();
        }
      }
    }
  }

  @Test
  void underLoad_fiftyClients_peakResidentMemoryAtMost64MB_onJdk17() throws Exception {
    try (ServeProcess serve = ServeProcess.start(dir, endpoint)) {
      String token = serve.token();
      byte[] request =
          ("GET /v1/credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                  + token
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      ExecutorService clients = Executors.newFixedThreadPool(50);
      List<Future<Integer>> done = new ArrayList<>();
      for (int c = 0; c < 50; c++) {
        done.add(
            clients.submit(
                () -> {
                  int ok = 0;
                  try (Socket s = new Socket(InetAddress.getLoopbackAddress(), serve.port)) {
                    s.setSoTimeout(20_000);
                    s.setTcpNoDelay(true);
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[8192];
                    for (int i = 0; i < 300; i++) {
                      s.getOutputStream().write(request);
                      // one answer: its head, then Content-length bytes
                      String head = "";
                      while (!head.contains("\r\n\r\n")) {
                        int n = in.read(buf, 0, 1);
                        assertTrue(n > 0, "connection closed");
                        head += (char) buf[0];
                      }
                      int length =
                          Integer.parseInt(
                              head.replaceAll("(?s).*[Cc]ontent-[Ll]ength: (\\d+).*", "$1"));
                      in.readNBytes(length);
                      ok += head.startsWith("HTTP/1.1 200") ? 1 : 0;
                    }
                  }
                  return ok;
                }));
      }
      int ok = 0;
      for (Future<Integer> f : done) {
        ok += f.get(120, TimeUnit.SECONDS);
      }
      clients.shutdown();
      assertEquals(15_000, ok);
      long peakKb = 0;
      for (String line : Files.readAllLines(Path.of("/proc/" + serve.process.pid() + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          peakKb = Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
      // 64 MB, the goal, holds on JDK 17 (59-62 MB); JDK 25's JVM alone is ~8 MB larger (libjvm,
      // its class-data archive: 58 MB idle, 67-69 MB here), and no option tried brings it under 64
      // at an acceptable cost (docs/benchmarks.md, "serve")
      long limitKb = (Runtime.version().feature() >= 25 ? 72 : 64) * 1024L;
      assertTrue(peakKb > 0 && peakKb <= limitKb, "peak RSS " + peakKb + " kB");
    }
  }
}
