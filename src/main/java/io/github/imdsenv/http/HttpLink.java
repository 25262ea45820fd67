package io.github.imdsenv.http;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Printable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
 */
public final class HttpLink {

  /** A body larger than this is refused, whatever its framing. */
  public static final int MAX_BODY = 64 * 1024;

  private static final int MAX_HEAD = 16 * 1024;

  private HttpLink() {}

  /** A status and a body of at most {@link #MAX_BODY} bytes. */
  public record Response(int status, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "Response[status=" + status + ", " + body.length + " bytes]";
    }
  }

  /**
   * Sends {@code method base+path} with the given header lines and reads the whole response by
   * {@code deadlineNanos} (a {@link System#nanoTime()} value).
   *
   * @throws IOException anything a retry may cure: refused, reset, timed out, malformed
   * @throws ImdsEnvException (BAD_CREDENTIALS) when the body exceeds {@link #MAX_BODY}
   */
  public static Response exchange(URI base, String method, String path, String headers, long deadlineNanos)
      throws IOException {
    String host = host(base);
    boolean tls = "https".equalsIgnoreCase(base.getScheme());
    int port = port(base);
    String basePath = (base.getRawPath() == null ? "" : base.getRawPath())
        + (base.getRawQuery() == null ? "" : "?" + base.getRawQuery());
    try (Socket plain = new Socket(Proxy.NO_PROXY)) {
      plain.setTcpNoDelay(true);
      plain.connect(new InetSocketAddress(resolve(host, deadlineNanos)[0], port), remainingMillis(deadlineNanos));
      Socket socket = tls ? Tls.wrap(plain, host, port, deadlineNanos) : plain;
      String target = basePath + path;
      String request = method + " " + (target.isEmpty() ? "/" : target) + " HTTP/1.1\r\n"
          + "Host: " + base.getRawAuthority() + "\r\n"
          + "User-Agent: imds-env\r\n"
          + "Accept: */*\r\n"
          + headers
          + ("GET".equals(method) ? "" : "Content-Length: 0\r\n")
          + "Connection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new Reader(socket, deadlineNanos, base + path).read();
    }
  }

  /** The URI's host as an address lookup takes it: an IPv6 literal without its brackets. */
  public static String host(URI uri) {
    String h = uri.getHost();
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** Opens and closes a TCP connection to the endpoint; returns how long connecting took, in ms. */
  public static long connectMillis(URI base, long deadlineNanos) throws IOException {
    long start = System.nanoTime();
    try (Socket s = new Socket(Proxy.NO_PROXY)) {
      s.connect(new InetSocketAddress(resolve(host(base), deadlineNanos)[0], port(base)), remainingMillis(deadlineNanos));
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /**
   * The host's addresses, found by {@code deadlineNanos}: a name is looked up on a daemon thread
   * that is given up on at the deadline (the resolver's own timeouts run to 30 s and more), so a
   * run's deadline and each attempt's timeout bound name resolution too. An IP literal, the
   * default endpoints included, is parsed in place: no thread, no lookup.
   *
   * @throws java.net.UnknownHostException the name does not resolve
   * @throws ResolutionTimeout no answer by the deadline
   */
  public static InetAddress[] resolve(String host, long deadlineNanos) throws IOException {
    if (isIpLiteral(host)) {
      return InetAddress.getAllByName(host);
    }
    return Lookup.all(host, deadlineNanos);
  }

  /** Dotted-quad IPv4 or any IPv6 form (with a colon), which InetAddress parses without a lookup. */
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

  /** Name resolution gave no answer by the deadline: an attempt's failure, retried like one. */
  public static final class ResolutionTimeout extends IOException {
    ResolutionTimeout(String host, long waitedMillis) {
      super("name resolution of " + host + " gave no answer within " + waitedMillis + " ms");
    }
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

    static InetAddress[] all(String host, long deadlineNanos) throws IOException {
      long start = System.nanoTime();
      int wait = remainingMillis(deadlineNanos);
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
      throw new ResolutionTimeout(host, (System.nanoTime() - start) / 1_000_000);
    }
  }

  /** TLS for an https:// container endpoint, with the host name checked; loaded only then. */
  private static final class Tls {
    static Socket wrap(Socket plain, String host, int port, long deadlineNanos) throws IOException {
      javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ((javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault())
          .createSocket(plain, host, port, true);
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.setSoTimeout(remainingMillis(deadlineNanos));
      s.startHandshake();
      return s;
    }
  }

  static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
    long ms = (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (ms <= 0) {
      throw new SocketTimeoutException("timed out");
    }
    return (int) Math.min(ms, Integer.MAX_VALUE);
  }

  /** Reads a response off a socket, each read bounded by the deadline. */
  private static final class Reader {
    private final Socket socket;
    private final InputStream in;
    private final long deadlineNanos;
    private final String url;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;

    Reader(Socket socket, long deadlineNanos, String url) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.deadlineNanos = deadlineNanos;
      this.url = url;
    }

    Response read() throws IOException {
      String statusLine = line(MAX_HEAD, true);
      int status = status(statusLine);
      String contentLength = null;
      String transferEncoding = null;
      int headBytes = statusLine.length();
      for (String h = line(MAX_HEAD, true); !h.isEmpty(); h = line(MAX_HEAD, true)) {
        headBytes += h.length();
        if (headBytes > MAX_HEAD) {
          throw malformed("a response head over " + MAX_HEAD / 1024 + " KiB");
        }
        int colon = h.indexOf(':');
        if (colon <= 0) {
          throw malformed("a header line without a name and a colon");
        }
        String name = h.substring(0, colon).trim();
        String value = h.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          // repeated (or a list) only with one value, as RFC 9110 allows
          for (String v : value.split(",", -1)) {
            String one = v.trim();
            if (parseNumber(one, 10) < 0) {
              throw malformed("a Content-Length that is not a number");
            }
            if (contentLength != null && !contentLength.equals(one)) {
              throw malformed("differing Content-Length values");
            }
            contentLength = one;
          }
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          transferEncoding = transferEncoding == null ? value : transferEncoding + ", " + value;
        }
      }
      boolean chunked = false;
      if (transferEncoding != null) {
        if (!transferEncoding.equalsIgnoreCase("chunked")) {
          throw malformed("Transfer-Encoding '" + Printable.escape(transferEncoding, 40) + "' (only chunked is understood)");
        }
        if (contentLength != null) {
          throw malformed("both Transfer-Encoding and Content-Length");
        }
        chunked = true;
      }
      byte[] body;
      if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
        body = new byte[0];
      } else if (chunked) {
        body = chunked();
      } else if (contentLength != null) {
        long length = parseNumber(contentLength, 10);
        if (length > MAX_BODY) {
          throw tooLarge();
        }
        body = exactly((int) length);
      } else {
        body = untilEof();
      }
      return new Response(status, body);
    }

    /**
     * {@code HTTP/1.0} or {@code HTTP/1.1}, a space, exactly three digits, then a space and a reason
     * or nothing. A line that is not HTTP at all (another protocol on the port, noise) is an I/O
     * error a retry may cure; an HTTP status line that breaks the grammar is malformed.
     */
    private int status(String line) throws IOException {
      if (!line.startsWith("HTTP/")) {
        throw new IOException("not an HTTP response");
      }
      boolean ok = (line.startsWith("HTTP/1.1 ") || line.startsWith("HTTP/1.0 "))
          && line.length() >= 12
          && digit(line.charAt(9)) && digit(line.charAt(10)) && digit(line.charAt(11))
          && (line.length() == 12 || line.charAt(12) == ' ');
      int status = ok ? (int) parseNumber(line.substring(9, 12), 10) : 0;
      if (status < 100 || status > 599) {
        throw malformed("the status line '" + Printable.escape(line, 40)
            + "' (not HTTP/1.0 or HTTP/1.1, a space and a three-digit status)");
      }
      return status;
    }

    private static boolean digit(char c) {
      return c >= '0' && c <= '9';
    }

    /**
     * Chunk data, chunk extensions and trailers all count against {@link #MAX_BODY} (the size
     * digits and line ends do not, so a body's cap is the same chunked or not).
     */
    private byte[] chunked() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      int extra = 0;
      while (true) {
        String sizeLine = framingLine(body.size() + extra);
        int semi = sizeLine.indexOf(';');
        if (semi >= 0) {
          extra += sizeLine.length() - semi;
        }
        long size = parseNumber(semi < 0 ? sizeLine.trim() : sizeLine.substring(0, semi).trim(), 16);
        if (size < 0) {
          throw malformed("a chunk size that is not a hexadecimal number");
        }
        if (body.size() + extra + size > MAX_BODY) {
          throw tooLarge();
        }
        if (size == 0) {
          for (String trailer = framingLine(body.size() + extra); !trailer.isEmpty(); trailer = framingLine(body.size() + extra)) {
            extra += trailer.length();
            if (body.size() + extra > MAX_BODY) {
              throw tooLarge();
            }
          }
          return body.toByteArray();
        }
        body.write(exactly((int) size));
        byte b = exactly(1)[0];
        if (b == '\r') {
          b = exactly(1)[0];
        }
        if (b != '\n') {
          throw malformed("a chunk longer than its size");
        }
      }
    }

    /** A chunk-size or trailer line, when {@code used} bytes of the cap are spent. */
    private String framingLine(int used) throws IOException {
      // room for the size's hex digits and a CR beyond what is left of the cap
      return line(Math.max(0, MAX_BODY - used) + 32, false);
    }

    private byte[] exactly(int n) throws IOException {
      byte[] out = new byte[n];
      int got = 0;
      while (got < n) {
        if (pos == end && !fill()) {
          throw new IOException("connection closed before the whole body arrived");
        }
        int take = Math.min(n - got, end - pos);
        System.arraycopy(buf, pos, out, got, take);
        pos += take;
        got += take;
      }
      return out;
    }

    private byte[] untilEof() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (pos < end || fill()) {
        if (body.size() + (end - pos) > MAX_BODY) {
          throw tooLarge();
        }
        body.write(buf, pos, end - pos);
        pos = end;
      }
      return body.toByteArray();
    }

    /**
     * A line of the head or of the chunked framing, without its CRLF (a bare LF is tolerated), of
     * under {@code max} characters: a longer head line is malformed, a longer framing line too large.
     */
    private String line(int max, boolean head) throws IOException {
      StringBuilder sb = new StringBuilder(64);
      while (true) {
        if (pos == end && !fill()) {
          throw new IOException("connection closed in the middle of the response head");
        }
        byte b = buf[pos++];
        if (b == '\n') {
          int len = sb.length();
          if (len > 0 && sb.charAt(len - 1) == '\r') {
            sb.setLength(len - 1);
          }
          return sb.toString();
        }
        if (sb.length() >= max) {
          throw head ? malformed("a response head line over " + MAX_HEAD / 1024 + " KiB") : tooLarge();
        }
        sb.append((char) (b & 0xff));
      }
    }

    private boolean fill() throws IOException {
      socket.setSoTimeout(remainingMillis(deadlineNanos));
      int n = in.read(buf, 0, buf.length);
      if (n <= 0) {
        return false;
      }
      pos = 0;
      end = n;
      return true;
    }

    private ImdsEnvException tooLarge() {
      return new ImdsEnvException(ImdsEnvException.Reason.BAD_RESPONSE,
          "the response from " + url + " is larger than " + MAX_BODY / 1024 + " KiB; refused");
    }

    private ImdsEnvException malformed(String what) {
      return new ImdsEnvException(ImdsEnvException.Reason.BAD_RESPONSE,
          "the response from " + url + " is not well-formed HTTP: " + what + "; refused");
    }

    /** A non-negative number of up to 12 digits; -1 when {@code digits} is not one. */
    private static long parseNumber(String digits, int radix) {
      if (digits.isEmpty() || digits.length() > 12) {
        return -1;
      }
      long v = 0;
      for (int i = 0; i < digits.length(); i++) {
        int d = Character.digit(digits.charAt(i), radix);
        if (d < 0) {
          return -1;
        }
        v = v * radix + d;
      }
      return v;
    }
  }
}
