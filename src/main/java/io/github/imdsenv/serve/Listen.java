package io.github.imdsenv.serve;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * One {@code --listen HOST:PORT}: an IPv4 literal, an IPv6 literal in brackets, or {@code
 * localhost}; never a name to look up (a listener's address is the host's own, known without DNS).
 */
public record Listen(InetAddress address, int port) {

  /** Where every SDK looks for {@code AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}. */
  public static final String ECS_HOST = "169.254.170.2";

  public static final Listen DEFAULT = parse(ECS_HOST + ":80");

  /** Parses HOST:PORT; IllegalArgumentException with the user's message otherwise. */
  public static Listen parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw bad(text, "not HOST:PORT");
    }
    String host = text.substring(0, colon);
    String portText = text.substring(colon + 1);
    int port;
    try {
      port = portText.chars().allMatch(c -> c >= '0' && c <= '9') ? Integer.parseInt(portText) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw bad(text, "the port is not a number from 0 to 65535");
    }
    return new Listen(literal(text, host), port);
  }

  private static InetAddress literal(String text, String host) {
    if (host.equals("localhost")) {
      return InetAddress.getLoopbackAddress();
    }
    try {
      if (host.startsWith("[") && host.endsWith("]")) {
        // a bracketed literal is parsed, never looked up
        InetAddress a = InetAddress.getByName(host);
        if (a instanceof Inet6Address) {
          return a;
        }
      } else if (host.matches(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
        return InetAddress.getByName(host);
      }
    } catch (UnknownHostException e) {
      // not a literal: the message below
    }
    throw bad(
        text,
        host.indexOf(':') >= 0 && !host.startsWith("[")
            ? "an IPv6 address goes in brackets: [ADDRESS]:PORT"
            : "HOST must be an IP address (IPv6 in brackets) or localhost, not a name");
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("--listen '" + text + "': " + why);
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  /** HOST:PORT as a URL writes it (IPv6 in brackets). */
  public String authority() {
    String host = address.getHostAddress();
    return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
  }

  /** Whether this is the address ECS's agent owns on a container instance. */
  public boolean ecsAddress() {
    return address.getHostAddress().equals(ECS_HOST);
  }

  @Override
  public String toString() {
    return authority();
  }
}
