package io.github.imdsenv.http;

import java.nio.charset.StandardCharsets;

/** A status and a body of at most {@link HttpLink#MAX_BODY} bytes. */
public record Response(int status, byte[] body) {
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "Response[status=" + status + ", " + body.length + " bytes]";
  }
}
