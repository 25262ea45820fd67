package io.github.imdsenv.http;

import static io.github.imdsenv.http.HttpLink.MAX_BODY;
import static io.github.imdsenv.http.HttpLink.remainingMillis;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Printable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/** Reads a response off a socket, each read bounded by the deadline. */
final class ResponseReader {

  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_INTERIM = 8;

  private final Socket socket;
  private final InputStream in;
  private final Clock clock;
  private final long deadlineNanos;
  private final String url;
  private final byte[] buf = new byte[8192];
  private int pos;
  private int end;
  private String contentLength;
  private String transferEncoding;

  ResponseReader(Socket socket, Clock clock, long deadlineNanos, String url) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.clock = clock;
    this.deadlineNanos = deadlineNanos;
    this.url = url;
  }

  Response read() throws IOException {
    int status = head();
    // interim answers (100 Continue, 103 Early Hints, ...) come before the final one: skipped
    for (int interim = 1; status < 200; interim++) {
      if (interim > MAX_INTERIM) {
        throw malformed("more than " + MAX_INTERIM + " interim (1xx) responses");
      }
      status = head();
    }
    boolean chunked = false;
    if (transferEncoding != null) {
      if (!transferEncoding.equalsIgnoreCase("chunked")) {
        throw malformed(
            "Transfer-Encoding '"
                + Printable.escape(transferEncoding, 40)
                + "' (only chunked is understood)");
      }
      if (contentLength != null) {
        throw malformed("both Transfer-Encoding and Content-Length");
      }
      chunked = true;
    }
    byte[] body;
    if (status == 204 || status == 304) {
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

  /** A status line and its header lines; returns the status and keeps the framing headers. */
  private int head() throws IOException {
    String statusLine = line(MAX_HEAD, true);
    int status = status(statusLine);
    contentLength = null;
    transferEncoding = null;
    int headBytes = statusLine.length();
    for (String h = line(MAX_HEAD, true); !h.isEmpty(); h = line(MAX_HEAD, true)) {
      headBytes += h.length();
      if (headBytes > MAX_HEAD) {
        throw malformed("a response head over " + MAX_HEAD / 1024 + " KiB");
      }
      int colon = h.indexOf(':');
      // a name is a token: no white space in it or before the colon (RFC 9112), no folded line
      if (colon <= 0 || h.lastIndexOf(' ', colon) >= 0 || h.lastIndexOf('\t', colon) >= 0) {
        throw malformed("a header line without a name and a colon");
      }
      String name = h.substring(0, colon);
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
    return status;
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
    boolean ok =
        (line.startsWith("HTTP/1.1 ") || line.startsWith("HTTP/1.0 "))
            && line.length() >= 12
            && (line.length() == 12 || line.charAt(12) == ' ');
    // parseNumber refuses all but '0'..'9' here: a line's characters are its bytes (0..255)
    int status = ok ? (int) parseNumber(line.substring(9, 12), 10) : 0;
    if (status < 100 || status > 599) {
      throw malformed(
          "the status line '"
              + Printable.escape(line, 40)
              + "' (not HTTP/1.0 or HTTP/1.1, a space and a three-digit status)");
    }
    return status;
  }

  /**
   * Chunk data, chunk extensions and trailers all count against {@link HttpLink#MAX_BODY} (the size
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
        for (String trailer = framingLine(body.size() + extra);
            !trailer.isEmpty();
            trailer = framingLine(body.size() + extra)) {
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
        throw head
            ? malformed("a response head line over " + MAX_HEAD / 1024 + " KiB")
            : tooLarge();
      }
      sb.append((char) (b & 0xff));
    }
  }

  private boolean fill() throws IOException {
    socket.setSoTimeout(remainingMillis(clock, deadlineNanos));
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    pos = 0;
    end = n;
    return true;
  }

  private ImdsEnvException tooLarge() {
    return new ImdsEnvException(
        ImdsEnvException.Reason.BAD_RESPONSE,
        "the response from " + url + " is larger than " + MAX_BODY / 1024 + " KiB; refused");
  }

  private ImdsEnvException malformed(String what) {
    return new ImdsEnvException(
        ImdsEnvException.Reason.BAD_RESPONSE,
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
