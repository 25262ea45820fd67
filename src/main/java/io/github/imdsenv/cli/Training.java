package io.github.imdsenv.cli;

import io.github.imdsenv.credentials.Timestamps;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The class-data archive's training run: what scripts/imds-env runs, in a JVM of its own after a
 * user's run, to make the archive. It never touches the user's run, files or network: the exports
 * an everyday run makes (stdout, each format, {@code -o} with the ini merge and the {@code
 * --min-validity} fast path, the container source) go to a metadata service of its own on 127.0.0.1
 * and to a private temporary directory, and print nothing. Exits 0 only when every run did, so that
 * an archive is kept only from a training that worked.
 */
public final class Training {

  private static final String KEY = "ASIATRAININGEXAMPLE0";
  private static final String SECRET = "training/secret/not/a/credential/at/all/0";

  /** As long as a real session token (which grows the parser's buffers, as a real run's does). */
  private static final String TOKEN = "training-session-token/".repeat(64);

  private Training() {}

  public static void main(String[] args) throws Exception {
    Runtime.getRuntime().halt(run());
  }

  static int run() throws IOException {
    String expires =
        Timestamps.format(Instant.ofEpochSecond(System.currentTimeMillis() / 1000 + 6 * 3600));
    String credentials =
        "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-01-01T00:00:00Z\",\n"
            + "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \""
            + KEY
            + "\",\n  \"SecretAccessKey\" : \""
            + SECRET
            + "\",\n  \"Token\" : \""
            + TOKEN
            + "\",\n  \"Expiration\" : \""
            + expires
            + "\",\n  \"AccountId\" : \"123456789012\"\n}";
    Path dir = Files.createTempDirectory("imds-env-training");
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(() -> answer(server, credentials), "training-imds");
      answering.setDaemon(true);
      answering.start();
      String endpoint = "http://127.0.0.1:" + server.getLocalPort();
      // what Main reads before every run: the process environment, stdout and stderr writers
      Main.environment().size();
      Map<String, String> none = Map.of();
      String env = dir.resolve("aws.env").toString();
      // the two everyday runs, as lean as they are: every class the training loads is in the
      // archive, and a JDK 25 AOT cache loads all of its classes before main, whether used or not
      List<String[]> runs =
          List.of(
              new String[] {"--endpoint", endpoint},
              new String[] {
                "--endpoint", endpoint, "-f", "env-no-export", "-o", env, "--min-validity", "15m"
              },
              new String[] {
                "--endpoint", endpoint, "-f", "env-no-export", "-o", env, "--min-validity", "15m"
              });
      int worst = 0;
      for (String[] run : runs) {
        PrintWriter nowhere = Main.utf8(OutputStream.nullOutputStream());
        worst = Math.max(worst, Cli.execute(run, none, nowhere, nowhere));
      }
      return worst;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * A metadata service that answers every path the exports ask. Each connection has a thread and
   * two seconds of its own: another local user who connects to this port and says nothing (it is on
   * 127.0.0.1, open to every local user) delays no request of the training.
   */
  private static void answer(ServerSocket server, String credentials) {
    while (true) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException closed) {
        return;
      }
      Thread t = new Thread(() -> answerOne(s, credentials), "training-request");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void answerOne(Socket connection, String credentials) {
    try (Socket s = connection) {
      s.setSoTimeout(2000);
      String[] line = head(s.getInputStream()).split(" ", 3);
      String path = line.length > 1 ? line[1] : "";
      String body;
      if (path.equals("/latest/api/token")) {
        body = "training-imds-token";
      } else if (path.endsWith("/security-credentials/")) {
        body = "training-role";
      } else if (path.endsWith("/placement/region")) {
        body = "us-east-1";
      } else {
        body = credentials;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                  + bytes.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes);
      out.flush();
    } catch (IOException gone) {
      // a client that went away or said nothing in time: nothing to answer
    }
  }

  /** The request's head, up to its blank line (a training request has no body), at most 16 KiB. */
  private static String head(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while (sb.length() < 16 * 1024 && (c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4) {
        break;
      }
    }
    return sb.toString();
  }
}
