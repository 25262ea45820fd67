package io.github.imdsenv.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;

/**
 * The network as the metadata clients use it: one HTTP exchange, and a host name's addresses. The
 * socket's is {@link HttpLink}; the protocol tests script one. Deadlines are in the terms of the
 * {@link io.github.imdsenv.Clock} the caller and the transport share.
 */
public interface Transport {

  /**
   * Sends {@code method base+path} with the given header lines and reads the whole response by
   * {@code deadlineNanos}.
   *
   * @throws IOException anything a retry may cure: refused, reset, timed out ({@link
   *     java.net.SocketTimeoutException}), malformed, a name that does not resolve
   * @throws io.github.imdsenv.ImdsEnvException (BAD_RESPONSE) a body over {@link HttpLink#MAX_BODY}
   *     or a response that breaks HTTP's grammar
   */
  Response exchange(URI base, String method, String path, String headers, long deadlineNanos)
      throws IOException;

  /**
   * The host's addresses, found by {@code deadlineNanos}.
   *
   * @throws java.net.UnknownHostException the name does not resolve
   * @throws HttpLink.ResolutionTimeout no answer by the deadline
   */
  InetAddress[] resolve(String host, long deadlineNanos) throws IOException;
}
