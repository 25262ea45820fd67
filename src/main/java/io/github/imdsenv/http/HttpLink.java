package io.github.imdsenv.http;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange on its own connection, over a plain socket.
 *
 * <p>A socket, not HttpURLConnection or java.net.http: no proxy can ever be chosen, no redirect
 * followed, every read is bounded by the caller's deadline (so a body that trickles one byte a
 * second still ends on time), the body is capped while it is read, and a run loads a few dozen
 * classes instead of hundreds.
 *
 * <p>This class connects and sends; {@link ResponseReader} reads the response (framing, size cap,
 * deadline) and {@link HostResolver} resolves the host within the deadline. Deadlines are in the
 * terms of its {@link Clock}, whose {@code nanoTime} must be the system's (sockets wait in real
 * time).
 */
public final class HttpLink implements Transport {

  /** A body larger than this is refused, whatever its framing. */
  public static final int MAX_BODY = 64 * 1024;

  private final Clock clock;

  public HttpLink(Clock clock) {
    this.clock = clock;
  }

  /**
   * {@inheritDoc}
   *
   * @throws ImdsEnvException (BAD_RESPONSE) when the body exceeds {@link #MAX_BODY}
   */
  @Override
  public Response exchange(URI base, String method, String path, String headers, long deadlineNanos)
      throws IOException {
    String host = host(base);
    boolean tls = "https".equalsIgnoreCase(base.getScheme());
    int port = port(base);
    String basePath =
        (base.getRawPath() == null ? "" : base.getRawPath())
            + (base.getRawQuery() == null ? "" : "?" + base.getRawQuery());
    try (Socket plain = new Socket(Proxy.NO_PROXY)) {
      plain.setTcpNoDelay(true);
      plain.connect(
          new InetSocketAddress(resolve(host, deadlineNanos)[0], port),
          remainingMillis(clock, deadlineNanos));
      Socket socket =
          tls ? Tls.wrap(plain, host, port, remainingMillis(clock, deadlineNanos)) : plain;
      String target = basePath + path;
      String request =
          method
              + " "
              + (target.isEmpty() ? "/" : target)
              + " HTTP/1.1\r\n"
              + "Host: "
              + base.getRawAuthority()
              + "\r\n"
              + "User-Agent: imds-env\r\n"
              + "Accept: */*\r\n"
              + headers
              + ("GET".equals(method) ? "" : "Content-Length: 0\r\n")
              + "Connection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new ResponseReader(socket, clock, deadlineNanos, base + path).read();
    }
  }

  /** The URI's host as an address lookup takes it: an IPv6 literal without its brackets. */
  public static String host(URI uri) {
    String h = uri.getHost();
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  private static int port(URI uri) {
    return uri.getPort() != -1
        ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** Opens and closes a TCP connection to the endpoint; returns how long connecting took, in ms. */
  public long connectMillis(URI base, long deadlineNanos) throws IOException {
    long start = clock.nanoTime();
    try (Socket s = new Socket(Proxy.NO_PROXY)) {
      s.connect(
          new InetSocketAddress(resolve(host(base), deadlineNanos)[0], port(base)),
          remainingMillis(clock, deadlineNanos));
    }
    return (clock.nanoTime() - start) / 1_000_000;
  }

  /**
   * The host's addresses, found by {@code deadlineNanos}: a name is looked up on a daemon thread
   * that is given up on at the deadline (the resolver's own timeouts run to 30 s and more), so a
   * run's deadline and each attempt's timeout bound name resolution too. An IP literal, the default
   * endpoints included, is parsed in place: no thread, no lookup.
   *
   * @throws java.net.UnknownHostException the name does not resolve
   * @throws ResolutionTimeout no answer by the deadline
   */
  @Override
  public InetAddress[] resolve(String host, long deadlineNanos) throws IOException {
    return HostResolver.resolve(host, deadlineNanos, clock);
  }

  /** Name resolution gave no answer by the deadline: an attempt's failure, retried like one. */
  public static final class ResolutionTimeout extends IOException {
    ResolutionTimeout(String host, long waitedMillis) {
      super("name resolution of " + host + " gave no answer within " + waitedMillis + " ms");
    }
  }

  /** TLS for an https:// container endpoint, with the host name checked; loaded only then. */
  private static final class Tls {
    static Socket wrap(Socket plain, String host, int port, int timeoutMillis) throws IOException {
      javax.net.ssl.SSLSocket s =
          (javax.net.ssl.SSLSocket)
              ((javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault())
                  .createSocket(plain, host, port, true);
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.setSoTimeout(timeoutMillis);
      s.startHandshake();
      return s;
    }
  }

  static int remainingMillis(Clock clock, long deadlineNanos) throws SocketTimeoutException {
    long ms = (deadlineNanos - clock.nanoTime()) / 1_000_000;
    if (ms <= 0) {
      throw new SocketTimeoutException("timed out");
    }
    return (int) Math.min(ms, Integer.MAX_VALUE);
  }
}
