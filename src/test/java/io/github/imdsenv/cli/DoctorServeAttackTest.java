package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** attack3: a hostile responder where serve would be: bounded in time, escaped, exit 0. */
class DoctorServeAttackTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private static String body(String code) {
    return "{\"code\":\"" + code + "\",\"message\":\"m\"}";
  }

  // a guard against a hang (a responder that drips forever), not a timing assertion: the deadline
  // itself is asserted on a scripted transport and a fake clock (DeadlineTest, HttpLinkTest)
  @Timeout(30)
  @ParameterizedTest
  @ValueSource(strings = {"drip", "escape", "long", "lie-length", "interim", "close"})
  void hostileResponder(String kind) throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                while (!ss.isClosed()) {
                  try (Socket s = ss.accept()) {
                    s.setSoTimeout(200);
                    try {
                      s.getInputStream().read(new byte[4096]);
                    } catch (IOException ignored) {
                      // connect probe: nothing sent
                    }
                    OutputStream o = s.getOutputStream();
                    String b;
                    switch (kind) {
                      case "drip" -> {
                        b = body("Unauthorized");
                        String all =
                            "HTTP/1.1 401 X\r\nContent-Length: " + b.length() + "\r\n\r\n" + b;
                        for (byte x : all.getBytes(StandardCharsets.UTF_8)) {
                          o.write(x);
                          o.flush();
                          Thread.sleep(300);
                        }
                      }
                      case "escape" -> {
                        b = body("\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m");
                        o.write(
                            ("HTTP/1.1 401 X\r\nContent-Length: " + b.length() + "\r\n\r\n" + b)
                                .getBytes(StandardCharsets.UTF_8));
                      }
                      case "long" -> {
                        b = body("A".repeat(60000));
                        o.write(
                            ("HTTP/1.1 401 X\r\nContent-Length: " + b.length() + "\r\n\r\n" + b)
                                .getBytes(StandardCharsets.UTF_8));
                      }
                      case "lie-length" -> {
                        b = body("x");
                        o.write(
                            ("HTTP/1.1 401 X\r\nContent-Length: 999999999\r\n\r\n" + b)
                                .getBytes(StandardCharsets.UTF_8));
                        Thread.sleep(5000);
                      }
                      case "interim" -> {
                        for (int i = 0; i < 100; i++) {
                          o.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                          o.flush();
                          Thread.sleep(50);
                        }
                      }
                      default -> {}
                    }
                    o.flush();
                  } catch (Exception e) {
                    // next
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      StringWriter out = new StringWriter();
      DoctorReport report = new DoctorReport(new PrintWriter(out, true));
      new ServeChecks(
              report,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()),
              () -> null)
          .run(TIMEOUT);
      assertEquals(0, report.finish(), out.toString());
      String text = out.toString();
      for (char c : text.toCharArray()) {
        assertFalse(c == 0x1b || c == 0x07 || c == 0x9b, kind + ": a control character printed");
      }
      List<String> lines = text.lines().filter(l -> !l.isEmpty()).toList();
      assertTrue(lines.get(0).length() < 2000, kind + ": a line of " + lines.get(0).length());
    }
  }
}
