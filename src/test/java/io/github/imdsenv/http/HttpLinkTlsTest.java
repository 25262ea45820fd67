package io.github.imdsenv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https:// container endpoint (docs/imds-protocol.md): the certificate must be trusted and name
 * the host, and the handshake is bounded by the deadline. A loopback TLS server with a self-signed
 * certificate for "localhost" made by keytool.
 */
class HttpLinkTlsTest {

  /** The socket transport on the system clock: sockets wait in real time. */
  private static final HttpLink LINK = new HttpLink(Clock.SYSTEM);

  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir static Path dir;

  private static KeyStore keys;

  @BeforeAll
  static void certificate() throws Exception {
    Path store = dir.resolve("localhost.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "localhost",
                "-keyalg",
                "EC",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, keytool.waitFor(), output);
    keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(store)) {
      keys.load(in, PASSWORD);
    }
  }

  /** Answers one request with "hi" over TLS, on the address "localhost" resolves to first. */
  private static SSLServerSocket server() throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    InetAddress localhost = LINK.resolve("localhost", System.nanoTime() + 5_000_000_000L)[0];
    SSLServerSocket server =
        (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 5, localhost);
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  InputStream in = s.getInputStream();
                  int state = 0;
                  for (int b = 0; b >= 0 && state < 4; ) {
                    b = in.read();
                    state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : 0;
                  }
                  s.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
                              .getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                  // closed, or the client refused the handshake
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return server;
  }

  private static Response get(String url) throws IOException {
    return LINK.exchange(URI.create(url), "GET", "/creds", "", System.nanoTime() + 5_000_000_000L);
  }

  @Test
  void certificateNobodyTrusts_isRefused() throws Exception {
    try (SSLServerSocket server = server()) {
      assertThrows(
          SSLHandshakeException.class, () -> get("https://localhost:" + server.getLocalPort()));
    }
  }

  @Test
  void trustedCertificate_isUsed_onlyForTheHostItNames() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    Certificate cert = keys.getCertificate("localhost");
    trusted.setCertificateEntry("localhost", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext trusting = SSLContext.getInstance("TLS");
    trusting.init(null, tmf.getTrustManagers(), null);
    // the JVM's default context is what HttpLink uses; restored below (tests run one at a time)
    SSLContext original = SSLContext.getDefault();
    SSLContext.setDefault(trusting);
    try (SSLServerSocket server = server()) {
      int port = server.getLocalPort();
      assertEquals("hi", get("https://localhost:" + port).text());
      String address = server.getInetAddress().getHostAddress();
      String other = address.contains(":") ? "[" + address + "]" : address;
      SSLHandshakeException e =
          assertThrows(SSLHandshakeException.class, () -> get("https://" + other + ":" + port));
      assertTrue(e.getMessage().contains("No subject alternative names"), e.getMessage());
    } finally {
      SSLContext.setDefault(original);
    }
  }

  @Test
  void handshakeThatNeverAnswers_endsAtTheDeadline() throws Exception {
    try (HttpLinkTest.CannedServer silent = new HttpLinkTest.CannedServer(new byte[0], true)) {
      URI uri = URI.create(silent.url().replace("http:", "https:"));
      long start = System.nanoTime();
      assertTimeoutPreemptively(
          Duration.ofSeconds(5),
          () ->
              assertThrows(
                  SocketTimeoutException.class,
                  () -> LINK.exchange(uri, "GET", "/", "", System.nanoTime() + 500_000_000L)));
      assertTrue(System.nanoTime() - start >= 400_000_000L, "waited for the handshake");
    }
  }
}
