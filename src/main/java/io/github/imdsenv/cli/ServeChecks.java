package io.github.imdsenv.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.imdsenv.Clock;
import io.github.imdsenv.Printable;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.http.Response;
import io.github.imdsenv.serve.Endpoint;
import io.github.imdsenv.serve.Listen;
import io.github.imdsenv.settings.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Doctor on the host: whether an {@code imds-env serve} answers this host's containers at
 * 169.254.170.2:80, seen as a container without the token sees it. Doctor never reads the token
 * file (it may run as another user than serve) and never sends one. Its lines are info or warn,
 * never FAIL: a host whose containers do not use serve needs none.
 */
final class ServeChecks {

  private static final String NAME = "serve";

  private final DoctorReport report;
  private final InetSocketAddress address;
  private final Supplier<String> ecsAgent;

  /**
   * @param address where containers look ({@link Listen#DEFAULT}; tests: a server on 127.0.0.1)
   * @param ecsAgent what gives an ECS agent away on this host, or null ({@code EcsAgent::detect})
   */
  ServeChecks(DoctorReport report, InetSocketAddress address, Supplier<String> ecsAgent) {
    this.report = report;
    this.address = address;
    this.ecsAgent = ecsAgent;
  }

  void run(Duration timeout) {
    String where = new Listen(address.getAddress(), address.getPort()).authority();
    String agent = ecsAgent.get();
    if (agent != null) {
      report.line(
          "info",
          NAME,
          "this looks like an ECS container instance ("
              + agent
              + "): the ECS agent answers "
              + where
              + " for its tasks; imds-env serve is not for this host");
      return;
    }
    if (!onThisHost(address.getAddress())) {
      report.line(
          "info",
          NAME,
          address.getAddress().getHostAddress()
              + " is not an address of this host: no imds-env serve for its containers (to give"
              + " them credentials that stay fresh: serve in `man imds-env`)");
      return;
    }
    URI base = URI.create("http://" + where);
    HttpLink link = new HttpLink(Clock.SYSTEM);
    try {
      link.connectMillis(base, Clock.SYSTEM.nanoTime() + timeout.toNanos());
    } catch (ConnectException e) {
      report.line(
          "warn",
          NAME,
          address.getAddress().getHostAddress()
              + " is on this host, but nothing listens on "
              + where
              + ": start imds-env serve (`systemctl start imds-env-serve`), or remove the address"
              + " if this host serves no containers");
      return;
    } catch (SocketTimeoutException e) {
      report.line(
          "warn",
          NAME,
          "nothing accepted a connection to "
              + where
              + " within "
              + Durations.human(timeout)
              + " (a firewall rule?)");
      return;
    } catch (IOException e) {
      report.line("warn", NAME, "a connection to " + where + ": " + e.getClass().getSimpleName());
      return;
    }
    String asked = "a GET of " + Endpoint.PATH + " without the token";
    Response r;
    try {
      r =
          link.exchange(
              base, "GET", Endpoint.PATH, "", Clock.SYSTEM.nanoTime() + timeout.toNanos());
    } catch (IOException | RuntimeException e) {
      report.line(
          "warn",
          NAME,
          "something accepts on "
              + where
              + " but "
              + asked
              + " got no answer within "
              + Durations.human(timeout)
              + " ("
              + e.getClass().getSimpleName()
              + ")");
      return;
    }
    String code = r.status() == 401 || r.status() == 403 ? errorCode(r.body()) : null;
    if (code != null) {
      report.line(
          "ok",
          NAME,
          "imds-env serve answers at http://"
              + where
              + Endpoint.PATH
              + " ("
              + asked
              + ": "
              + r.status()
              + " "
              + Printable.escape(code, 64)
              + ")");
    } else if (r.status() / 100 == 2) {
      // never shown: what it answered may be credentials
      report.line(
          "warn",
          NAME,
          "something at "
              + where
              + " answered "
              + asked
              + " with "
              + r.status()
              + ": not imds-env serve, and whatever reaches it gets that answer");
    } else {
      report.line(
          "warn",
          NAME,
          "something other than imds-env serve answers at "
              + where
              + " ("
              + asked
              + ": "
              + r.status()
              + "; serve answers 401 with a JSON code and message)");
    }
  }

  /** Whether {@code a} is an address of one of this host's interfaces (no command run for it). */
  private static boolean onThisHost(InetAddress a) {
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The code of a {@code {"code": …, "message": …}} body as serve and the ECS agent write it; null
   * when the body is not one.
   */
  static String errorCode(byte[] body) {
    String code = null;
    String message = null;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.VALUE_STRING && name.equals("code")) {
          code = p.getText();
        } else if (value == JsonToken.VALUE_STRING && name.equals("message")) {
          message = p.getText();
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return code == null || message == null ? null : code;
  }
}
