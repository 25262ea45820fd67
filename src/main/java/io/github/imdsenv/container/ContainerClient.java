package io.github.imdsenv.container;

import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.credentials.CredentialSource;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.CredentialsParser;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.http.Requester;
import io.github.imdsenv.settings.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.github.imdsenv.settings.Durations;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The container credentials endpoint of ECS tasks and EKS Pod Identity: one GET, with the
 * authorization token when one is configured; the same retries, deadline, size cap and parser as IMDS.
 */
public final class ContainerClient implements CredentialSource {

  /** The link-local addresses of the ECS and EKS Pod Identity agents. */
  private static final String[] AGENT_ADDRESSES = {"169.254.170.2", "169.254.170.23", "fd00:ec2::23"};

  /**
   * Each step of a fetch as the client takes it, for {@code imds-env doctor}, which prints its lines
   * from these. A step that fails is reported before the client throws; text from the endpoint is
   * passed escaped, as {@link CredentialsParser#errorBody} gives it.
   */
  public interface Listener {
    /** The endpoint's host passed the allow-list; nothing was sent yet. */
    default void hostAllowed(URI uri) {}

    /**
     * The Authorization header's value was read: {@code length} characters from {@code source} (the
     * token file's path or the variable's name); {@code source} null: none is configured.
     */
    default void authorization(String source, int length) {}

    /** The endpoint answered {@code status}, not 2xx, with the error body's Code and Message (null where absent). */
    default void refused(int status, String code, String message) {}

    /** Credentials parsed from the endpoint's answer. */
    default void credentialsParsed(Instant expiration) {}
  }

  private final Settings settings;
  private final Log log;
  private final URI uri;
  private final Requester http;
  /** Null for none (the export): nothing is built or loaded for it then. */
  private final Listener listener;

  private ContainerClient(Settings settings, Log log, Listener listener) {
    this.settings = settings;
    this.log = log;
    this.uri = settings.containerUri();
    this.http = Requester.container(uri, settings, log);
    this.listener = listener;
  }

  public static ContainerClient create(Settings settings, Log log) {
    return new ContainerClient(settings, log, null);
  }

  /** A client that reports each step to {@code listener} (doctor). */
  public static ContainerClient create(Settings settings, Log log, Listener listener) {
    return new ContainerClient(settings, log, listener);
  }

  @Override
  public String describe() {
    return "the container credentials endpoint at " + uri;
  }

  @Override
  public Credentials credentials() {
    requireAllowedHost(uri, http.attemptDeadline());
    if (listener != null) {
      listener.hostAllowed(uri);
    }
    String token = authorizationToken(settings);
    if (listener != null) {
      String source = settings.containerAuthTokenFile() != null ? settings.containerAuthTokenFile()
          : settings.containerAuthToken() != null ? Environment.CONTAINER_TOKEN : null;
      listener.authorization(source, token == null ? 0 : token.length());
    }
    HttpLink.Response r = http.send("GET", "", token == null ? "" : "Authorization: " + token + "\r\n", false);
    if (r.status() / 100 != 2) {
      CredentialsParser.ErrorBody e = CredentialsParser.errorBody(r.body());
      if (listener != null) {
        listener.refused(r.status(), e.code(), e.message());
      }
      String detail = e.code() == null && e.message() == null ? null
          : (e.code() == null ? "" : e.code()) + (e.code() != null && e.message() != null ? ": " : "")
              + (e.message() == null ? "" : e.message());
      throw http.fatalStatus("GET", "", r.status(), detail);
    }
    Credentials c = CredentialsParser.parse(r.body(), uri.toString());
    if (listener != null) {
      listener.credentialsParsed(c.expiration());
    }
    return c;
  }

  /** The container endpoint has no region of its own: the task's or pod's AWS_REGION says it. */
  @Override
  public String region() {
    if (settings.regionFromEnvironment() == null) {
      throw new ImdsEnvException(Reason.NO_REGION, "--region: the container credentials endpoint has no region,"
          + " and neither " + Environment.REGION + " nor " + Environment.DEFAULT_REGION + " is set in this container");
    }
    log.debug("region from the environment: " + settings.regionFromEnvironment());
    return settings.regionFromEnvironment();
  }

  /**
   * Plain http may go only to this host or to the ECS/EKS agents: anyone else would receive the
   * authorization token. Checked before any connection; a name's resolution is bounded by
   * {@code deadlineNanos}.
   */
  private static void requireAllowedHost(URI uri, long deadlineNanos) {
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      return;
    }
    String host = HttpLink.host(uri);
    try {
      InetAddress[] addresses = HttpLink.resolve(host, deadlineNanos);
      for (InetAddress a : addresses) {
        if (!a.isLoopbackAddress() && !isAgent(a)) {
          throw notAllowed(uri);
        }
      }
    } catch (UnknownHostException e) {
      throw notAllowed(uri);
    } catch (IOException e) {
      throw new ImdsEnvException(Reason.UNREACHABLE, Environment.CONTAINER_FULL_URI + " " + uri + ": the host could not be"
          + " checked (" + e.getMessage() + "): check the name and the resolver (/etc/resolv.conf)");
    }
  }

  private static boolean isAgent(InetAddress a) throws UnknownHostException {
    for (String agent : AGENT_ADDRESSES) {
      if (InetAddress.getByName(agent).equals(a)) {
        return true;
      }
    }
    return false;
  }

  private static ImdsEnvException notAllowed(URI uri) {
    return new ImdsEnvException(Reason.HOST_NOT_ALLOWED, Environment.CONTAINER_FULL_URI + " " + uri + " is refused: plain http"
        + " goes only to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (any other host would"
        + " receive the authorization token); use https for another host");
  }

  /** The most a token file may hold: a projected service-account token is about 1 KiB. */
  static final int MAX_TOKEN_FILE = 16 * 1024;

  /**
   * A regular file only (a FIFO would block the run, a device never end), not empty (a kernel file
   * such as /proc/kmsg says size 0 and may block), read up to a cap, within {@code within}. The
   * token agent writes it through a symbolic link, which is followed.
   */
  private static String readTokenFile(Path file, String from, Duration within) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      throw tokenFileError(from, e);
    }
    if (!a.isRegularFile() || a.size() == 0) {
      throw new ImdsEnvException(Reason.TOKEN_UNUSABLE, "cannot read " + from + ": "
          + (a.isRegularFile() ? "it is empty" : "not a regular file"));
    }
    // read on a daemon thread: a file swapped for a FIFO after the check cannot hold the run past the deadline
    FutureTask<byte[]> read = new FutureTask<>(() -> {
      try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate(MAX_TOKEN_FILE + 1);
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
          // to the end, or one byte past the cap
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
      }
    });
    Thread reader = new Thread(read, "token-file");
    reader.setDaemon(true);
    reader.start();
    byte[] bytes;
    try {
      bytes = read.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ImdsEnvException(Reason.TOKEN_UNUSABLE, "cannot read " + from + ": no end within the run's "
          + Durations.human(within) + " deadline (not a plain file?)");
    } catch (ExecutionException e) {
      throw tokenFileError(from, e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImdsEnvException(Reason.TOKEN_UNUSABLE, "cannot read " + from + ": interrupted");
    }
    if (bytes.length > MAX_TOKEN_FILE) {
      throw new ImdsEnvException(Reason.TOKEN_UNUSABLE, "cannot read " + from + ": larger than " + (MAX_TOKEN_FILE / 1024)
          + " KiB, which no token is");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static ImdsEnvException tokenFileError(String from, IOException e) {
    return new ImdsEnvException(Reason.TOKEN_UNUSABLE, "cannot read " + from + ": "
        + (e instanceof java.nio.file.NoSuchFileException ? "no such file"
            : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getClass().getSimpleName()));
  }

  /**
   * The Authorization header value: the token file (read on every request, as the agents rotate
   * it) or else AWS_CONTAINER_AUTHORIZATION_TOKEN; null for none. Never shown in a message.
   */
  private static String authorizationToken(Settings settings) {
    String token;
    String from;
    if (settings.containerAuthTokenFile() != null) {
      from = Environment.CONTAINER_TOKEN_FILE + " (" + settings.containerAuthTokenFile() + ")";
      token = readTokenFile(Path.of(settings.containerAuthTokenFile()), from, settings.deadline());
    } else if (settings.containerAuthToken() != null) {
      from = Environment.CONTAINER_TOKEN;
      token = settings.containerAuthToken();
    } else {
      return null;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '\r' || c == '\n') {
        throw new ImdsEnvException(Reason.TOKEN_UNUSABLE, "the authorization token from " + from
            + " contains a line break, which no HTTP header can carry: refused");
      }
      if (c < 0x20 || c > 0x7e) {
        throw new ImdsEnvException(Reason.TOKEN_UNUSABLE, "the authorization token from " + from
            + " contains a character no HTTP header can carry: refused");
      }
    }
    return token;
  }
}
