package io.github.imdsenv.serve;

import com.sun.net.httpserver.HttpServer;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JDK's HTTP server (jdk.httpserver) on each listen address, configured for clients that may be
 * slow or hostile: handlers on a bounded pool of threads (never on the dispatcher thread), a
 * request head read within {@code maxReqTime}, capped header count and size, idle connections
 * closed, and TCP_NODELAY (without it, keep-alive answers wait on delayed ACKs: 40,000 requests
 * took 88 s instead of 5.7).
 */
public final class Server implements AutoCloseable {

  /**
   * The JDK server's limits, read once when its first server is made, from system properties (it
   * has no API for them): {@code imds-env serve} sets them at its start ({@link #configureJdk}),
   * before anything makes a server. Names and defaults as in JDK 17's {@code
   * sun.net.httpserver.ServerConfig}.
   */
  public static final Map<String, String> JDK_LIMITS = jdkLimits();

  /**
   * Request threads at most ({@link Pool}: started only when all are busy); a client that sends
   * half a request holds one up to maxReqTime.
   */
  static final int THREADS = 32;

  private final List<HttpServer> servers;
  private final Pool executor;

  private Server(List<HttpServer> servers, Pool executor) {
    this.servers = servers;
    this.executor = executor;
  }

  private static Map<String, String> jdkLimits() {
    Map<String, String> m = new LinkedHashMap<>();
    // seconds to read a request head (from the connection's first byte, or its accept), and to
    // write an answer; the default is no limit at all
    m.put("sun.net.httpserver.maxReqTime", "5");
    m.put("sun.net.httpserver.maxRspTime", "5");
    // a kept-alive connection's idle time (seconds), and how many idle ones are kept
    m.put("sun.net.httpserver.idleInterval", "30");
    m.put("sun.net.httpserver.maxIdleConnections", "100");
    // the SDKs send a handful of short headers (defaults: 200 headers, 380 KiB)
    m.put("sun.net.httpserver.maxReqHeaders", "64");
    m.put("sun.net.httpserver.maxReqHeaderSize", "16384");
    // open connections at most (one file descriptor each); the JDK's default is no limit
    m.put("jdk.httpserver.maxConnections", "1000");
    m.put("sun.net.httpserver.nodelay", "true");
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Sets {@link #JDK_LIMITS} for this process, where not set already (a -D option wins). Called by
   * {@code imds-env serve} before it makes a server; the JDK reads them once.
   */
  public static void configureJdk() {
    JDK_LIMITS.forEach(
        (k, v) -> {
          if (System.getProperty(k) == null) {
            System.setProperty(k, v);
          }
        });
  }

  /**
   * Binds every address (all or none: a failure closes those bound) and starts answering with
   * {@code endpoint}. Throws LISTEN with the fix for an address in use, not on this host, or
   * refused.
   */
  public static Server start(List<Listen> listens, Endpoint endpoint) {
    Pool executor = new Pool(THREADS);
    List<HttpServer> servers = new ArrayList<>();
    Server server = new Server(servers, executor);
    try {
      for (Listen l : listens) {
        HttpServer s;
        try {
          s = HttpServer.create(l.socketAddress(), 256);
        } catch (BindException e) {
          throw cannotListen(l, e);
        } catch (IOException e) {
          throw new ImdsEnvException(
              Reason.LISTEN, "cannot listen on " + l + ": " + e.getMessage(), e);
        }
        s.setExecutor(executor);
        s.createContext("/", endpoint);
        servers.add(s);
      }
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    servers.forEach(HttpServer::start);
    return server;
  }

  private static ImdsEnvException cannotListen(Listen l, BindException e) {
    String why = String.valueOf(e.getMessage());
    String fix;
    if (why.contains("in use")) {
      fix =
          "another process listens there"
              + (l.address().getHostAddress().equals("169.254.170.23")
                  ? " (on an EKS node, the EKS Pod Identity agent owns this address)"
                  : "")
              + ": stop it, or choose another --listen (`ss -ltnp` names the process)";
    } else if (why.contains("assign")) {
      fix =
          "the address is not on this host: add it with `ip addr add "
              + l.address().getHostAddress()
              + (l.address() instanceof java.net.Inet6Address ? "/128" : "/32")
              + " dev lo` (as root; the systemd unit imds-env-serve.service does)";
    } else if (why.contains("denied")) {
      fix =
          "permission denied: a port under 1024 needs root or CAP_NET_BIND_SERVICE (the systemd"
              + " unit imds-env-serve.service grants it)";
    } else {
      fix = why;
    }
    return new ImdsEnvException(Reason.LISTEN, "cannot listen on " + l + ": " + fix, e);
  }

  /** Where each server listens (a port 0 resolved to the one bound). */
  public List<InetSocketAddress> addresses() {
    return servers.stream().map(HttpServer::getAddress).toList();
  }

  /** Stops listening at once; exchanges in progress are cut. */
  @Override
  public void close() {
    for (HttpServer s : servers) {
      s.stop(0);
    }
    executor.shutdownNow();
  }
}
