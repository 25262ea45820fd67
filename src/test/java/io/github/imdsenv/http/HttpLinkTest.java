package io.github.imdsenv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Run;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP framing rules of docs/protocol.md, against a raw socket on 127.0.0.1 that writes canned
 * bytes.
 */
class HttpLinkTest {

  /** The socket transport on the system clock: sockets wait in real time. */
  private static final HttpLink LINK = new HttpLink(Clock.SYSTEM);

  /**
   * Answers every connection with the same bytes, after reading the request head, then closes; or,
   * holding, keeps the connection open until the client closes it (a server that stalls).
   */
  static final class CannedServer implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String lastHead;

    CannedServer(byte[] response, boolean hold) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      Thread t =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try (Socket s = server.accept()) {
                    lastHead = readHead(s.getInputStream());
                    requests.incrementAndGet();
                    s.getOutputStream().write(response);
                    s.getOutputStream().flush();
                    if (hold) {
                      s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    }
                    s.shutdownOutput();
                  } catch (IOException e) {
                    // closed, or the client went away
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }

    CannedServer(byte[] response) throws IOException {
      this(response, false);
    }

    CannedServer(String response) throws IOException {
      this(response.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String readHead(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      int state = 0;
      for (int b = in.read(); b >= 0; b = in.read()) {
        head.append((char) b);
        state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
        if (state == 4) {
          break;
        }
      }
      return head.toString();
    }

    /** The head of the last request, as sent. */
    String lastHead() {
      return lastHead;
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    int requests() {
      return requests.get();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private static Response exchange(String response) throws IOException {
    try (CannedServer s = new CannedServer(response)) {
      return LINK.exchange(
          URI.create(s.url()), "GET", "/x", "", System.nanoTime() + 5_000_000_000L);
    }
  }

  private static ImdsEnvException refused(String response) throws IOException {
    try (CannedServer s = new CannedServer(response)) {
      ImdsEnvException e =
          assertThrows(
              ImdsEnvException.class,
              () ->
                  LINK.exchange(
                      URI.create(s.url()), "GET", "/x", "", System.nanoTime() + 5_000_000_000L));
      assertEquals(ImdsEnvException.Reason.BAD_RESPONSE, e.reason());
      return e;
    }
  }

  private static String ok(String headers, String body) {
    return "HTTP/1.1 200 OK\r\n" + headers + "\r\n" + body;
  }

  // ---- name resolution

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "255.255.255.255",
        "::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1"
      })
  void ipLiteral_isParsedWithoutALookup(String host) throws IOException {
    assertTrue(HostResolver.isIpLiteral(host));
    assertEquals(1, LINK.resolve(host, System.nanoTime() + 1_000_000_000L).length);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "imds.example",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4",
        "1234.1.1.1",
        "1..2.3",
        "1.2.3.4."
      })
  void anythingElse_isLookedUpOnADaemonThreadWithinTheDeadline(String host) {
    assertFalse(HostResolver.isIpLiteral(host));
  }

  // ---- the status line

  @ParameterizedTest
  @ValueSource(
      strings = {
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
        "HTTP/1.1 200",
        "HTTP/1.1 200 ",
        "HTTP/1.1 200 All good, really"
      })
  void statusLine_wellFormed_isAccepted(String statusLine) throws IOException {
    Response r = exchange(statusLine + "\r\nContent-Length: 2\r\n\r\nhi");
    assertEquals(200, r.status());
    assertEquals("hi", r.text());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "HTTP/1.1 2000 OK",
        "HTTP/1.1 20 OK",
        "HTTP/1.1 2x0 OK",
        "HTTP/1.1  200 OK",
        "HTTP/1.1 200OK",
        "HTTP/2 200 OK",
        "HTTP/1.2 200 OK",
        "HTTP/2.0 200 OK",
        "HTTP/1.1 099 Early",
        "HTTP/1.1 600 Odd",
        "HTTP/1.1\t200 OK",
        "HTTP/1.1 +20 OK",
        "HTTP/1.1 ２００ OK",
        // superscript digits: Latin-1 bytes, as every character of a status line is
        "HTTP/1.1 2\u00b20 OK",
        "HTTP/1.1 \u00b9\u00b2\u00b3 OK"
      })
  void statusLine_malformed_isRefused(String statusLine) throws IOException {
    ImdsEnvException e = refused(statusLine + "\r\nContent-Length: 2\r\n\r\nhi");
    assertTrue(e.getMessage().contains("not well-formed HTTP: the status line"), e.getMessage());
  }

  @Test
  void statusLine_2000_exit5_notTakenFor200() throws IOException {
    try (CannedServer s = new CannedServer("HTTP/1.1 2000 OK\r\nContent-Length: 4\r\n\r\nrole")) {
      Run.against(s.url())
          .assertFailure(5, "not well-formed HTTP: the status line 'HTTP/1.1 2000 OK'");
      assertEquals(1, s.requests(), "malformed is not retried");
    }
  }

  @Test
  void statusLine_withTerminalControls_isShownEscaped() throws IOException {
    try (CannedServer s = new CannedServer("HTTP/1.1 2000 \u001b]0;owned\u0007\u009b31m\r\n\r\n")) {
      Run r =
          Run.against(s.url()).assertFailure(5, "HTTP/1.1 2000 \\u001b]0;owned\\u0007\\u009b31m");
      assertFalse(
          r.err().contains("\u001b") || r.err().contains("\u009b") || r.err().contains("\u0007"),
          r.err());
    }
  }

  @Test
  void notHttpAtAll_isAnIoErrorThatIsRetried_exit3() throws IOException {
    try (CannedServer s = new CannedServer("SSH-2.0-OpenSSH_9.2\r\n")) {
      Run.against(s.url()).assertFailure(3, "not an HTTP response");
      assertEquals(3, s.requests());
    }
  }

  // ---- Transfer-Encoding and Content-Length

  @ParameterizedTest
  @ValueSource(
      strings = {"notchunked", "gzip", "gzip, chunked", "chunked, gzip", "identity", "chunkedx"})
  void transferEncoding_otherThanChunked_isRefused(String te) throws IOException {
    ImdsEnvException e = refused(ok("Transfer-Encoding: " + te + "\r\n", "2\r\nhi\r\n0\r\n\r\n"));
    assertTrue(
        e.getMessage().contains("Transfer-Encoding '" + te + "' (only chunked is understood)"),
        e.getMessage());
  }

  @Test
  void transferEncoding_notchunked_exit5() throws IOException {
    try (CannedServer s =
        new CannedServer(ok("Transfer-Encoding: notchunked\r\n", "4\r\nrole\r\n0\r\n\r\n"))) {
      Run.against(s.url()).assertFailure(5, "Transfer-Encoding 'notchunked'");
    }
  }

  @Test
  void transferEncoding_chunkedTwice_isRefused() throws IOException {
    refused(
        ok("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "2\r\nhi\r\n0\r\n\r\n"));
  }

  @Test
  void transferEncoding_chunked_anyCase_isRead() throws IOException {
    assertEquals(
        "hi there",
        exchange(ok("Transfer-Encoding: Chunked\r\n", "2\r\nhi\r\n6\r\n there\r\n0\r\n\r\n"))
            .text());
  }

  @Test
  void transferEncodingAndContentLength_together_areRefused() throws IOException {
    ImdsEnvException e =
        refused(ok("Transfer-Encoding: chunked\r\nContent-Length: 12\r\n", "2\r\nhi\r\n0\r\n\r\n"));
    assertTrue(
        e.getMessage().contains("both Transfer-Encoding and Content-Length"), e.getMessage());
    refused(ok("Content-Length: 12\r\nTransfer-Encoding: chunked\r\n", "2\r\nhi\r\n0\r\n\r\n"));
  }

  @Test
  void contentLength_differing_isRefused_exit5() throws IOException {
    ImdsEnvException e = refused(ok("Content-Length: 2\r\nContent-Length: 5\r\n", "hello"));
    assertTrue(e.getMessage().contains("differing Content-Length values"), e.getMessage());
    refused(ok("Content-Length: 2, 5\r\n", "hello"));
    try (CannedServer s =
        new CannedServer(ok("Content-Length: 5\r\nContent-Length: 4\r\n", "role\n"))) {
      Run.against(s.url()).assertFailure(5, "differing Content-Length values");
    }
  }

  @Test
  void contentLength_repeatedWithTheSameValue_isAccepted() throws IOException {
    assertEquals(
        "hello", exchange(ok("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")).text());
    assertEquals("hello", exchange(ok("Content-Length: 5, 5\r\n", "hello")).text());
  }

  @Test
  void contentLength_ofTwelveDigits_isANumber_leadingZerosIncluded() throws IOException {
    assertEquals("hello", exchange(ok("Content-Length: 000000000005\r\n", "hello")).text());
    refused(ok("Content-Length: 0000000000005\r\n", "hello"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "+5", "5x", "0x5", "", "99999999999999"})
  void contentLength_notANumber_isRefused(String value) throws IOException {
    refused(ok("Content-Length: " + value + "\r\n", "hello"));
  }

  @Test
  void headerLineWithoutAColon_isRefused() throws IOException {
    refused(ok("this is no header\r\n", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {": value", " : value", "Content-Length : 0", "\tfolded: line", "X A: b"})
  void headerLineWithoutAName_isRefused(String header) throws IOException {
    ImdsEnvException e = refused(ok(header + "\r\n", ""));
    assertTrue(e.getMessage().contains("a header line without a name and a colon"), e.getMessage());
  }

  @Test
  void lineEndings_bareLf_areReadAsCrLf() throws IOException {
    Response r = exchange("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi");
    assertEquals(200, r.status());
    assertEquals("hi", new String(r.body(), StandardCharsets.US_ASCII));
  }

  @Test
  void statusLine_ofSixteenKiB_isRead_oneByteMoreIsRefused() throws IOException {
    String status = "HTTP/1.1 200 ";
    // 16 KiB with its CR
    String atTheCap = status + "r".repeat(16 * 1024 - 1 - status.length());
    assertEquals(200, exchange(atTheCap + "\r\n\r\n").status());
    ImdsEnvException e = refused(atTheCap + "r\r\n\r\n");
    assertTrue(e.getMessage().contains("a response head line over 16 KiB"), e.getMessage());
  }

  /** A head of many short lines: their sum counts, up to 16 KiB (line ends not counted). */
  @Test
  void responseHead_atTheCap_isRead_oneByteMoreIsRefused() throws IOException {
    String status = "HTTP/1.1 200 OK";
    StringBuilder lines = new StringBuilder();
    int counted = status.length();
    for (int i = 0; 16 * 1024 - counted > 1000; i++) {
      String line = String.format("X-%04d: %s", i, "v".repeat(90));
      lines.append(line).append("\r\n");
      counted += line.length();
    }
    String last = "X-Last: " + "f".repeat(16 * 1024 - counted - "X-Last: ".length());
    String atTheCap = status + "\r\n" + lines + last + "\r\n\r\n";
    assertEquals(200, exchange(atTheCap).status());
    ImdsEnvException e = refused(atTheCap.replace("X-Last: ", "X-Last: f"));
    assertTrue(e.getMessage().contains("a response head over 16 KiB"), e.getMessage());
  }

  // ---- the size cap counts chunk extensions and trailers

  @Test
  void chunkExtensionsAndTrailers_smallOnes_areSkipped() throws IOException {
    assertEquals(
        "hi!",
        exchange(
                ok(
                    "Transfer-Encoding: chunked\r\n",
                    "2;name=value\r\nhi\r\n1 ; a=\"b\"\r\n!\r\n0\r\nX-Trailer: yes\r\n\r\n"))
            .text());
  }

  @Test
  void chunkExtension_over64KiB_isRefusedAsTooLarge() throws IOException {
    ImdsEnvException e =
        refused(
            ok(
                "Transfer-Encoding: chunked\r\n",
                "2;x=" + "e".repeat(70 * 1024) + "\r\nhi\r\n0\r\n\r\n"));
    assertTrue(e.getMessage().contains("larger than 64 KiB"), e.getMessage());
  }

  @Test
  void manySmallChunkExtensions_addUpAgainstTheCap() throws IOException {
    String chunk = "1;" + "e".repeat(1000) + "\r\nx\r\n";
    ImdsEnvException e =
        refused(ok("Transfer-Encoding: chunked\r\n", chunk.repeat(70) + "0\r\n\r\n"));
    assertTrue(e.getMessage().contains("larger than 64 KiB"), e.getMessage());
  }

  @Test
  void trailers_over64KiB_areRefusedAsTooLarge() throws IOException {
    String trailers = ("X-Pad: " + "t".repeat(1000) + "\r\n").repeat(70);
    ImdsEnvException e =
        refused(ok("Transfer-Encoding: chunked\r\n", "2\r\nhi\r\n0\r\n" + trailers + "\r\n"));
    assertTrue(e.getMessage().contains("larger than 64 KiB"), e.getMessage());
  }

  @Test
  void dataAndTrailers_togetherOverTheCap_areRefused() throws IOException {
    String data = "d".repeat(60 * 1024);
    String trailers = ("X-Pad: " + "t".repeat(1000) + "\r\n").repeat(6);
    refused(
        ok(
            "Transfer-Encoding: chunked\r\n",
            Integer.toHexString(data.length()) + "\r\n" + data + "\r\n0\r\n" + trailers + "\r\n"));
  }

  @Test
  void chunkedBodyOfExactly64KiB_isAccepted() throws IOException {
    String data = "d".repeat(64 * 1024);
    assertEquals(
        64 * 1024,
        exchange(
                ok(
                    "Transfer-Encoding: chunked\r\n",
                    "8000\r\n"
                        + data.substring(0, 0x8000)
                        + "\r\n8000\r\n"
                        + data.substring(0x8000)
                        + "\r\n0\r\n\r\n"))
            .body()
            .length);
  }

  @Test
  void chunkLongerThanItsSize_isRefused() throws IOException {
    refused(ok("Transfer-Encoding: chunked\r\n", "2\r\nhello\r\n0\r\n\r\n"));
  }

  @Test
  void chunkSizeNotHex_isRefused() throws IOException {
    refused(ok("Transfer-Encoding: chunked\r\n", "zz\r\nhi\r\n0\r\n\r\n"));
  }

  // ---- the size cap at its exact edge: 64 KiB is accepted, one byte more is refused

  private static final int CAP = 64 * 1024;

  /** A chunked body of {@code data} bytes, then {@code ext} extension bytes and trailers. */
  static Stream<Arguments> bodiesAtTheCap() {
    String chunked = "Transfer-Encoding: chunked\r\n";
    List<Arguments> cases = new ArrayList<>();
    for (int over = 0; over <= 1; over++) {
      int accepted = over == 0 ? 1 : -1;
      cases.add(
          Arguments.of(
              "Content-Length +" + over,
              ok("Content-Length: " + (CAP + over) + "\r\n", "c".repeat(CAP + over)),
              accepted * (CAP + over)));
      cases.add(
          Arguments.of(
              "until the connection closes +" + over,
              ok("", "e".repeat(CAP + over)),
              accepted * (CAP + over)));
      cases.add(
          Arguments.of(
              "one chunk +" + over,
              ok(
                  chunked,
                  Integer.toHexString(CAP + over)
                      + "\r\n"
                      + "d".repeat(CAP + over)
                      + "\r\n0\r\n\r\n"),
              accepted * (CAP + over)));
      // the extension ";eee..." counts, the size digits do not: 1 + (1 + 65534) bytes
      cases.add(
          Arguments.of(
              "one byte and an extension +" + over,
              ok(chunked, "1;" + "e".repeat(CAP - 2 + over) + "\r\nx\r\n0\r\n\r\n"),
              accepted));
      // a trailer line counts without its CRLF: 1 + (7 + 65528) bytes
      cases.add(
          Arguments.of(
              "one byte and a trailer +" + over,
              ok(chunked, "1\r\nx\r\n0\r\nX-Pad: " + "t".repeat(CAP - 8 + over) + "\r\n\r\n"),
              accepted));
      // 0x8000 + 3 (";e=") + 0x10 + 3 (";f=") + 6 + the last trailer; one size has leading zeros
      int data = 0x8000 + 0x10;
      int trailer = CAP - data - 3 - 3 - "X-A: 1".length() + over;
      cases.add(
          Arguments.of(
              "chunks, extensions and trailers +" + over,
              ok(
                  chunked,
                  "0008000;e=\r\n"
                      + "d".repeat(0x8000)
                      + "\r\n10;f=\r\n"
                      + "d".repeat(0x10)
                      + "\r\n0\r\nX-A: 1\r\nX-B:"
                      + "t".repeat(trailer - 4)
                      + "\r\n\r\n"),
              accepted * data));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodiesAtTheCap")
  void bodyAtTheCap_isAccepted_oneByteMoreIsRefused(String what, String response, int length)
      throws IOException {
    if (length >= 0) {
      assertEquals(length, exchange(response).body().length, what);
    } else {
      ImdsEnvException e = refused(response);
      assertTrue(e.getMessage().contains("larger than 64 KiB; refused"), e.getMessage());
    }
  }

  @Test
  void response_toString_showsTheSizeNeverTheBody() throws IOException {
    // a body carries the credentials
    Response r = exchange(ok("Content-Length: 6\r\n", "secret"));
    String shown = r.toString();
    assertTrue(shown.contains("200"), "the status is not shown");
    assertTrue(shown.contains("6 bytes"), "the size is not shown");
    assertFalse(shown.contains("secret"), "the body is shown");
  }

  @Test
  void contentLengthZero_isAnEmptyBody() throws IOException {
    Response r = exchange(ok("Content-Length: 0\r\n", ""));
    assertEquals(200, r.status());
    assertEquals(0, r.body().length);
  }

  @ParameterizedTest
  @ValueSource(ints = {204, 304})
  void statusWithoutABody_isReadWithoutOne(int status) throws IOException {
    // a body would not be read: the connection stays open after the head
    try (CannedServer s =
        new CannedServer(
            ("HTTP/1.1 " + status + " X\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), true)) {
      Response r =
          LINK.exchange(URI.create(s.url()), "GET", "/x", "", System.nanoTime() + 3_000_000_000L);
      assertEquals(status, r.status());
      assertEquals(0, r.body().length);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {100, 102, 103, 199})
  void interimAnswers_areSkipped_forTheFinalOne(int status) throws IOException {
    // 103 Early Hints from a proxy before an https FULL_URI's answer, 100 Continue, ...
    String interim = "HTTP/1.1 " + status + " Interim\r\nLink: </x>; rel=preload\r\n\r\n";
    Response r =
        exchange(interim + interim + ok("Content-Length: 2\r\n", "hi").replace("200", "201"));
    assertEquals(201, r.status());
    assertEquals("hi", new String(r.body(), StandardCharsets.US_ASCII));
  }

  @Test
  void interimAnswers_withoutEnd_areRefused() throws IOException {
    String interim = "HTTP/1.1 103 Early Hints\r\n\r\n";
    assertEquals(200, exchange(interim.repeat(8) + ok("Content-Length: 0\r\n", "")).status());
    ImdsEnvException e = refused(interim.repeat(9) + ok("Content-Length: 0\r\n", ""));
    assertTrue(e.getMessage().contains("more than 8 interim (1xx) responses"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {599})
  void status599_isAnAnswer(int status) throws IOException {
    assertEquals(
        status, exchange("HTTP/1.1 " + status + " X\r\nContent-Length: 2\r\n\r\nhi").status());
  }

  // ---- a server that stalls past the cap is refused at once, not waited on until the deadline

  static Stream<Arguments> stallingPastTheCap() {
    String chunked = "Transfer-Encoding: chunked\r\n";
    // an extension of 10001 bytes first: what is left of the cap shrinks by it
    String extension = "1;" + "e".repeat(10_000) + "\r\nx\r\n";
    return Stream.of(
        Arguments.of("a chunk announced over the cap", ok(chunked, "10001\r\n" + "d".repeat(100))),
        Arguments.of(
            "a chunk size line that never ends", ok(chunked, extension + "9".repeat(60_000))),
        Arguments.of(
            "a trailer that never ends",
            ok(chunked, extension + "0\r\nX-Pad: " + "t".repeat(60_000))),
        Arguments.of(
            "a second trailer that never ends",
            ok(chunked, extension + "0\r\nX-A: 1\r\nX-Pad: " + "t".repeat(60_000))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stallingPastTheCap")
  void stallingPastTheCap_isRefusedAtOnce(String what, String response) throws IOException {
    try (CannedServer s = new CannedServer(response.getBytes(StandardCharsets.ISO_8859_1), true)) {
      long start = System.nanoTime();
      ImdsEnvException e =
          assertThrows(
              ImdsEnvException.class,
              () ->
                  LINK.exchange(
                      URI.create(s.url()), "GET", "/x", "", System.nanoTime() + 30_000_000_000L),
              what);
      assertTrue(e.getMessage().contains("larger than 64 KiB; refused"), e.getMessage());
      // far below the deadline, with room for a loaded machine
      assertTrue(System.nanoTime() - start < 10_000_000_000L, "waited on the stalled server");
    }
  }

  // ---- the request

  @Test
  void request_putSaysItsEmptyBody_getSaysNone() throws IOException {
    try (CannedServer s = new CannedServer(ok("Content-Length: 1\r\n", "t"))) {
      long deadline = System.nanoTime() + 5_000_000_000L;
      URI base = URI.create(s.url());
      LINK.exchange(base, "PUT", "/latest/api/token", "X-Ttl: 21600\r\n", deadline);
      assertEquals(
          "PUT /latest/api/token HTTP/1.1\r\n"
              + "Host: 127.0.0.1:"
              + base.getPort()
              + "\r\nUser-Agent: imds-env\r\nAccept: */*\r\nX-Ttl: 21600\r\n"
              + "Content-Length: 0\r\nConnection: close\r\n\r\n",
          s.lastHead());
      LINK.exchange(URI.create(s.url() + "/v2/creds?id=1"), "GET", "", "", deadline);
      assertEquals(
          "GET /v2/creds?id=1 HTTP/1.1\r\n"
              + "Host: 127.0.0.1:"
              + base.getPort()
              + "\r\nUser-Agent: imds-env\r\nAccept: */*\r\nConnection: close\r\n\r\n",
          s.lastHead());
    }
  }

  // ---- deadlines and name resolution

  @Test
  void deadlineUnder1msAway_isAlreadyATimeout_neverAnInfiniteOne() {
    // a socket timeout of 0 would mean no timeout at all
    assertThrows(
        SocketTimeoutException.class,
        () -> HttpLink.remainingMillis(Clock.SYSTEM, System.nanoTime() + 999_999));
    assertThrows(
        SocketTimeoutException.class,
        () -> HttpLink.remainingMillis(Clock.SYSTEM, System.nanoTime()));
  }

  /**
   * A body that trickles in a byte at a time, each byte well within any per-read timeout, still
   * ends at the exchange's deadline: every read is bounded by what is left of it (ImdsProtocolTest
   * asserted this through the CLI for a 10 s deadline; the client's side of it, the deadline's
   * message, is ImdsProtocolTest.slowBody_isCutByTheOverallDeadline's now).
   */
  @Test
  void tricklingBody_isCutAtTheDeadline() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Thread trickle =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  s.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\nContent-Length: 60000\r\n\r\n"
                              .getBytes(StandardCharsets.ISO_8859_1));
                  for (int i = 0; i < 1000; i++) {
                    s.getOutputStream().write('x');
                    s.getOutputStream().flush();
                    Thread.sleep(20);
                  }
                } catch (IOException | InterruptedException e) {
                  // the client went away: what the test waits for
                }
              });
      trickle.setDaemon(true);
      trickle.start();
      long start = System.nanoTime();
      assertThrows(
          SocketTimeoutException.class,
          () ->
              LINK.exchange(
                  URI.create("http://127.0.0.1:" + server.getLocalPort()),
                  "GET",
                  "/x",
                  "",
                  System.nanoTime() + 300_000_000L));
      long waited = (System.nanoTime() - start) / 1_000_000;
      // the deadline is 300 ms; the trickle would take 20 s
      assertTrue(waited >= 250 && waited < 10_000, waited + " ms");
    }
  }

  /** A name that does not exist (RFC 6761 keeps .invalid so) is an unknown host, not a wait. */
  @Test
  void anUnknownName_isAnUnknownHost() {
    assertThrows(
        java.net.UnknownHostException.class,
        () -> LINK.resolve("imds-env-test.invalid", System.nanoTime() + 5_000_000_000L));
  }

  @Test
  void aName_isLookedUp_localhostIsLoopback() throws IOException {
    InetAddress[] all = LINK.resolve("localhost", System.nanoTime() + 5_000_000_000L);
    assertTrue(all.length > 0);
    for (InetAddress a : all) {
      assertTrue(a.isLoopbackAddress(), a.toString());
    }
  }

  // ---- connecting

  /**
   * A listener that accepts nobody until told: once its queue is full, a connect waits. Linux
   * behaviour, relied on by the two tests below: a backlog of 1 holds two connections, a SYN past
   * them is dropped, not refused, and the client resends it after about 1 s, then 3 s, 7 s.
   */
  private static ServerSocket fullQueue(List<Socket> queued) throws IOException {
    ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    for (int i = 0; i < 2; i++) {
      Socket s = new Socket();
      s.connect(server.getLocalSocketAddress(), 1_000);
      queued.add(s);
    }
    return server;
  }

  @Test
  void connect_toAListenerThatDoesNotAnswer_endsAtTheDeadline() throws IOException {
    List<Socket> queued = new ArrayList<>();
    try (ServerSocket server = fullQueue(queued)) {
      URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort());
      long start = System.nanoTime();
      assertThrows(
          SocketTimeoutException.class,
          () -> LINK.connectMillis(uri, System.nanoTime() + 300_000_000L));
      long waited = (System.nanoTime() - start) / 1_000_000;
      assertTrue(waited >= 250 && waited < 10_000, waited + " ms");
    } finally {
      for (Socket s : queued) {
        s.close();
      }
    }
  }

  @Test
  void connectMillis_isTheTimeTheConnectionTook() throws Exception {
    List<Socket> queued = new ArrayList<>();
    try (ServerSocket server = fullQueue(queued)) {
      URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort());
      Thread room =
          new Thread(
              () -> {
                try {
                  Thread.sleep(300);
                  server.accept().close();
                } catch (IOException | InterruptedException e) {
                  // the test fails on its own then
                }
              });
      room.start();
      // the kernel drops the SYN while the queue is full; its retry gets in once there is room
      // a deadline past several resends, should the accept come late on a loaded machine
      long ms = LINK.connectMillis(uri, System.nanoTime() + 30_000_000_000L);
      assertTrue(ms >= 250 && ms < 30_000, ms + " ms");
      room.join();
    } finally {
      for (Socket s : queued) {
        s.close();
      }
    }
  }

  @Test
  void noPortInTheUrl_isPort80ForHttp() throws IOException {
    // the ECS agent's URL, http://169.254.170.2/v2/credentials/..., names no port
    ServerSocket server;
    try {
      server = new ServerSocket(80, 5, InetAddress.getByName("127.0.0.1"));
    } catch (IOException e) {
      Assumptions.abort("port 80 cannot be bound here: " + e);
      return;
    }
    try (server) {
      LINK.connectMillis(
          URI.create("http://127.0.0.1/v2/credentials/x"), System.nanoTime() + 5_000_000_000L);
      server.setSoTimeout(1_000);
      server.accept().close();
    }
  }
}
