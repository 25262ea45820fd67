package io.github.imdsenv.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.imdsenv.Log;
import io.github.imdsenv.credentials.Timestamps;
import io.github.imdsenv.settings.Environment;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /v1/credentials} with {@code Authorization: TOKEN}: the held credentials, from memory.
 * Every other answer is {@code {"code": …, "message": …}} as the ECS agent writes it, without a
 * secret. No CORS header is ever sent: a web page on the host can neither read an answer nor send
 * the Authorization header to this origin without a preflight that nothing here answers.
 */
public final class Endpoint implements HttpHandler {

  public static final String PATH = "/v1/credentials";

  private static final String JSON = "application/json";

  private final Refresher refresher;
  private final TokenFile token;
  private final InstantSource clock;
  private final Log log;

  public Endpoint(Refresher refresher, TokenFile token, InstantSource clock, Log log) {
    this.refresher = refresher;
    this.token = token;
    this.clock = clock;
    this.log = log;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    int status = -1;
    try (ex) {
      status = answer(ex);
    } finally {
      InetSocketAddress peer = ex.getRemoteAddress();
      // the path only: a query could carry anything a client put there; never a header
      log.debug(
          ex.getRequestMethod()
              + " "
              + ex.getRequestURI().getRawPath()
              + " from "
              + (peer == null ? "?" : peer.getAddress().getHostAddress() + ":" + peer.getPort())
              + ": "
              + (status < 0 ? "no answer (the client went away)" : status));
    }
  }

  private int answer(HttpExchange ex) throws IOException {
    if (!PATH.equals(ex.getRequestURI().getRawPath())) {
      return error(ex, 404, "NotFound", "no such path: containers ask for GET " + PATH);
    }
    if (!ex.getRequestMethod().equals("GET")) {
      ex.getResponseHeaders().set("Allow", "GET");
      return error(ex, 405, "MethodNotAllowed", "only GET is answered here");
    }
    String host = ex.getRequestHeaders().getFirst("Host");
    // a request line in absolute form names the host too (RFC 9112 3.2.2: that one wins)
    String authority = ex.getRequestURI().getRawAuthority();
    if ((host != null && !hostAllowed(host)) || (authority != null && !hostAllowed(authority))) {
      // a name other than localhost: a page that rebound its name to this address (DNS rebinding)
      return error(
          ex,
          403,
          "InvalidHost",
          "the Host header names no address of this server: ask for http://ADDRESS" + PATH);
    }
    List<String> auth = ex.getRequestHeaders().get("Authorization");
    if (auth == null || auth.isEmpty()) {
      return error(
          ex,
          401,
          "NoAuthorization",
          "no Authorization header: give the container "
              + Environment.CONTAINER_TOKEN_FILE
              + " (imds-env serve --docker-args prints the docker run options)");
    }
    if (auth.size() != 1 || !token.accepts(auth.get(0))) {
      return error(
          ex, 403, "InvalidAuthorization", "the Authorization header is not this server's token");
    }
    Refresher.Held held = refresher.held();
    if (held == null) {
      return error(
          ex,
          503,
          "CredentialsUninitialized",
          "no credentials yet: the source has not answered (see the server's log); try again");
    }
    if (!held.credentials().expiration().isAfter(clock.instant())) {
      return error(
          ex,
          503,
          "CredentialsExpired",
          "the credentials held expired at "
              + Timestamps.format(held.credentials().expiration())
              + " and the source has given none since (see the server's log); try again");
    }
    return send(ex, 200, held.body());
  }

  /** IP literals (the address the client connected to) and localhost, any port; no other name. */
  static boolean hostAllowed(String hostHeader) {
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 1
          && (end == h.length() - 1 || port(h.substring(end + 1)))
          && h.substring(1, end)
              .chars()
              .allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    if (colon >= 0 && !port(h.substring(colon))) {
      return false;
    }
    return name.equals("localhost") || ipv4(name);
  }

  private static boolean port(String colonAndPort) {
    return colonAndPort.length() > 1
        && colonAndPort.length() <= 6
        && colonAndPort.charAt(0) == ':'
        && colonAndPort.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static boolean ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static int error(HttpExchange ex, int status, String code, String message)
      throws IOException {
    return send(ex, status, Body.error(code, message));
  }

  private static int send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", JSON);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return status;
  }
}
