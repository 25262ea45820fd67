package io.github.imdsenv.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A local stand-in for the EC2 instance metadata service, on 127.0.0.1 only: for the demo, the
 * benchmark and trying imds-env on a machine that is not EC2. It speaks IMDSv2 (and IMDSv1 unless
 * {@code --require-token}), lists one role, and serves credentials that rotate every {@code
 * --rotate} period. Not in the jar users install: it is built into {@code
 * target/imds-env-tools.jar} (with jackson-databind, which the runtime never loads).
 *
 * <pre>java -jar target/imds-env-tools.jar [--port N] [--role NAME | --no-role]
 *     [--ttl DURATION] [--rotate DURATION] [--region R] [--account-id ID] [--require-token] [--hop-limit-1]
 *     [--outage-file FILE]
 * </pre>
 *
 * With {@code --outage-file}, every request is answered 503 while FILE exists: an outage switched
 * on and off from outside (another process, another network namespace) with touch and rm.
 *
 * <p>It prints its base URL on stdout once it listens, then one line per request on stderr.
 */
public final class ImdsSimulator {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String role;
  private final Duration ttl;
  private final Duration rotate;
  private final String region;
  private final String accountId;
  private final boolean requireToken;
  private final boolean hopLimit1;
  private final java.nio.file.Path outageFile;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
  private volatile Issued current;

  private record Issued(
      String accessKeyId, String secret, String token, Instant issued, Instant expires) {}

  private ImdsSimulator(
      String role,
      Duration ttl,
      Duration rotate,
      String region,
      String accountId,
      boolean requireToken,
      boolean hopLimit1,
      java.nio.file.Path outageFile) {
    this.role = role;
    this.ttl = ttl;
    this.rotate = rotate;
    this.region = region;
    this.accountId = accountId;
    this.requireToken = requireToken;
    this.hopLimit1 = hopLimit1;
    this.outageFile = outageFile;
  }

  public static void main(String[] args) throws IOException {
    HttpServer server;
    try {
      server = start(args);
    } catch (IllegalArgumentException e) {
      System.err.println("imds-simulator: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println("http://127.0.0.1:" + server.getAddress().getPort());
    System.out.flush();
  }

  /** Starts a simulator with these arguments on 127.0.0.1; stop it with {@code server.stop(0)}. */
  public static HttpServer start(String... args) throws IOException {
    int port = 0;
    String role = "imds-env-demo";
    Duration ttl = Duration.ofHours(6);
    Duration rotate = Duration.ofHours(1);
    String region = "eu-west-1";
    String accountId = "123456789012";
    boolean requireToken = false;
    boolean hopLimit1 = false;
    boolean quiet = false;
    java.nio.file.Path outageFile = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("--")
          && !arg.equals("--no-role")
          && !arg.equals("--require-token")
          && !arg.equals("--hop-limit-1")
          && !arg.equals("--quiet")
          && i + 1 >= args.length) {
        throw new IllegalArgumentException(arg + " needs a value");
      }
      switch (arg) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--role" -> role = args[++i];
        case "--no-role" -> role = null;
        case "--ttl" -> ttl = duration(args[++i]);
        case "--rotate" -> rotate = duration(args[++i]);
        case "--region" -> region = args[++i];
        case "--account-id" -> accountId = args[++i];
        case "--require-token" -> requireToken = true;
        case "--hop-limit-1" -> hopLimit1 = true;
        case "--quiet" -> quiet = true;
        case "--outage-file" -> outageFile = java.nio.file.Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    ImdsSimulator sim =
        new ImdsSimulator(
            role, ttl, rotate, region, accountId, requireToken, hopLimit1, outageFile);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "imds-simulator");
              t.setDaemon(true);
              return t;
            }));
    boolean log = !quiet;
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            int status = sim.handle(exchange);
            if (log) {
              System.err.println(
                  "imds-simulator: "
                      + exchange.getRequestMethod()
                      + " "
                      + exchange.getRequestURI()
                      + " -> "
                      + status);
            }
          }
        });
    server.start();
    return server;
  }

  /** 90, 90s, 500ms, 20m, 6h or ISO-8601 (PT20M). */
  static Duration duration(String value) {
    var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(value);
    if (!m.matches()) {
      return Duration.parse(value);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  private int handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    if (outageFile != null && java.nio.file.Files.exists(outageFile)) {
      return reply(ex, 503, "");
    }
    if (ex.getRequestHeaders().containsKey("X-Forwarded-For")) {
      return reply(ex, 403, "");
    }
    if (path.equals("/latest/api/token")) {
      if (!method.equals("PUT")) {
        return reply(ex, 405, "");
      }
      if (hopLimit1) {
        // the reply would die one hop away: from the client's side, the PUT never answers
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 0;
      }
      String ttlHeader = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds");
      int seconds;
      try {
        seconds = Integer.parseInt(ttlHeader);
      } catch (NumberFormatException e) {
        return reply(ex, 400, "");
      }
      if (seconds < 1 || seconds > 21600) {
        return reply(ex, 400, "");
      }
      String token = "sim-" + hex(24);
      tokens.put(token, Instant.now().plusSeconds(seconds));
      return reply(ex, 200, token);
    }
    if (!method.equals("GET")) {
      return reply(ex, 405, "");
    }
    String token = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
    if (token != null) {
      Instant until = tokens.get(token);
      if (until == null || until.isBefore(Instant.now())) {
        return reply(ex, 401, "");
      }
    } else if (requireToken) {
      return reply(ex, 401, "");
    }
    String base = "/latest/meta-data/iam/security-credentials/";
    String extended = "/latest/meta-data/iam/security-credentials-extended/";
    if (path.equals(base)) {
      return role == null ? reply(ex, 404, "") : reply(ex, 200, role);
    }
    if (role != null && (path.equals(base + role) || path.equals(extended + role))) {
      Issued c = issued();
      ObjectNode json =
          JSON.createObjectNode()
              .put("Code", "Success")
              .put("LastUpdated", c.issued().toString())
              .put("Type", "AWS-HMAC")
              .put("AccessKeyId", c.accessKeyId())
              .put("SecretAccessKey", c.secret())
              .put("Token", c.token())
              .put("Expiration", c.expires().toString());
      if (path.startsWith(extended)) {
        json.put("AccountId", accountId);
      }
      ex.getResponseHeaders().set("Content-Type", "application/json");
      return reply(ex, 200, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
    }
    if (path.equals("/latest/meta-data/")) {
      return reply(ex, 200, "ami-id\niam/\nplacement/\n");
    }
    if (path.equals("/latest/meta-data/placement/region")) {
      return reply(ex, 200, region);
    }
    return reply(ex, 404, "");
  }

  /** The current credentials, rotated every {@code rotate} period as IMDS does before expiry. */
  private synchronized Issued issued() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    if (current == null || !now.isBefore(current.issued().plus(rotate))) {
      current =
          new Issued("ASIA" + hex(8).toUpperCase(), base64(30), base64(300), now, now.plus(ttl));
    }
    return current;
  }

  private String hex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return sb.toString();
  }

  private String base64(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return java.util.Base64.getEncoder().encodeToString(b);
  }

  private static int reply(HttpExchange ex, int status, String body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/plain");
    return reply(ex, status, body.getBytes(StandardCharsets.UTF_8));
  }

  private static int reply(HttpExchange ex, int status, byte[] bytes) throws IOException {
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    return status;
  }
}
