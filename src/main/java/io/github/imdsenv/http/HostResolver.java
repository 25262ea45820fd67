package io.github.imdsenv.http;

import io.github.imdsenv.Clock;
import java.io.IOException;
import java.net.InetAddress;

/**
 * Host-name resolution within a deadline, for {@link HttpLink#resolve}: an IP literal is parsed in
 * place, a name is looked up on a daemon thread that is given up on at the deadline.
 */
final class HostResolver {

  private HostResolver() {}

  /** See {@link HttpLink#resolve}. */
  static InetAddress[] resolve(String host, long deadlineNanos, Clock clock) throws IOException {
    if (isIpLiteral(host)) {
      return InetAddress.getAllByName(host);
    }
    return Lookup.all(host, deadlineNanos, clock);
  }

  /**
   * Dotted-quad IPv4 or any IPv6 form (with a colon), which InetAddress parses without a lookup.
   */
  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    int parts = 0;
    int digits = 0;
    int value = 0;
    for (int i = 0; i <= host.length(); i++) {
      char c = i < host.length() ? host.charAt(i) : '.';
      if (c == '.') {
        if (digits == 0 || value > 255) {
          return false;
        }
        parts++;
        digits = 0;
        value = 0;
      } else if (c >= '0' && c <= '9' && digits < 3 && !(digits == 1 && value == 0)) {
        digits++;
        value = value * 10 + (c - '0');
      } else {
        return false;
      }
    }
    return parts == 4;
  }

  /** One lookup on a daemon thread: abandoned when late, it never holds the JVM's exit. */
  private static final class Lookup extends Thread {
    private final String host;
    private volatile InetAddress[] addresses;
    private volatile java.net.UnknownHostException unknown;

    private Lookup(String host) {
      super("imds-env-resolve");
      this.host = host;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (java.net.UnknownHostException e) {
        unknown = e;
      }
    }

    static InetAddress[] all(String host, long deadlineNanos, Clock clock) throws IOException {
      long start = clock.nanoTime();
      int wait = HttpLink.remainingMillis(clock, deadlineNanos);
      Lookup lookup = new Lookup(host);
      lookup.start();
      try {
        lookup.join(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while resolving " + host);
      }
      if (lookup.addresses != null) {
        return lookup.addresses;
      }
      if (lookup.unknown != null) {
        throw lookup.unknown;
      }
      throw new HttpLink.ResolutionTimeout(host, (clock.nanoTime() - start) / 1_000_000);
    }
  }
}
