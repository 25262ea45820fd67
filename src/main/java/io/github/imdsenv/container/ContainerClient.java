package io.github.imdsenv.container;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Kind;
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
import java.nio.file.Path;

/**
 * The container credentials endpoint of ECS tasks and EKS Pod Identity: one GET, with the
 * authorization token when one is configured; the same retries, deadline, size cap and parser as IMDS.
 */
public final class ContainerClient implements CredentialSource {

  /** The link-local addresses of the ECS and EKS Pod Identity agents. */
  private static final String[] AGENT_ADDRESSES = {"169.254.170.2", "169.254.170.23", "fd00:ec2::23"};

  private final Settings settings;
  private final Log log;
  private final URI uri;
  private final Requester http;

  private ContainerClient(Settings settings, Log log) {
    this.settings = settings;
    this.log = log;
    this.uri = settings.containerUri();
    this.http = new Requester(uri, "the container credentials endpoint", settings, log);
  }

  public static ContainerClient create(Settings settings, Log log) {
    return new ContainerClient(settings, log);
  }

  @Override
  public String describe() {
    return "the container credentials endpoint at " + uri;
  }

  @Override
  public Credentials credentials() {
    requireAllowedHost(uri, http.attemptDeadline());
    String token = authorizationToken(settings);
    HttpLink.Response r = http.send("GET", "", token == null ? "" : "Authorization: " + token + "\r\n", false);
    if (r.status() / 100 != 2) {
      CredentialsParser.ErrorBody e = CredentialsParser.errorBody(r.body());
      String detail = e.code() == null && e.message() == null ? null
          : (e.code() == null ? "" : e.code()) + (e.code() != null && e.message() != null ? ": " : "")
              + (e.message() == null ? "" : e.message());
      throw http.fatalStatus("GET", "", r.status(), detail);
    }
    return CredentialsParser.parse(r.body(), uri.toString());
  }

  /** The container endpoint has no region of its own: the task's or pod's AWS_REGION says it. */
  @Override
  public String region() {
    if (settings.regionFromEnvironment() == null) {
      throw new ImdsEnvException(Kind.UNREACHABLE, "--region: the container credentials endpoint has no region,"
          + " and neither AWS_REGION nor AWS_DEFAULT_REGION is set in this container");
    }
    log.debug("region from the environment: " + settings.regionFromEnvironment());
    return settings.regionFromEnvironment();
  }

  /**
   * Plain http may go only to this host or to the ECS/EKS agents: anyone else would receive the
   * authorization token. Checked before any connection; a name's resolution is bounded by
   * {@code deadlineNanos}.
   */
  public static void requireAllowedHost(URI uri, long deadlineNanos) {
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
      throw new ImdsEnvException(Kind.UNREACHABLE, "AWS_CONTAINER_CREDENTIALS_FULL_URI " + uri + ": the host could not be"
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
    return new ImdsEnvException(Kind.UNREACHABLE, "AWS_CONTAINER_CREDENTIALS_FULL_URI " + uri + " is refused: plain http"
        + " goes only to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (any other host would"
        + " receive the authorization token); use https for another host");
  }

  /**
   * The Authorization header value: the token file (read on every request, as the agents rotate
   * it) or else AWS_CONTAINER_AUTHORIZATION_TOKEN; null for none. Never shown in a message.
   */
  public static String authorizationToken(Settings settings) {
    String token;
    String from;
    if (settings.containerAuthTokenFile() != null) {
      from = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (" + settings.containerAuthTokenFile() + ")";
      try {
        token = Files.readString(Path.of(settings.containerAuthTokenFile()), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ImdsEnvException(Kind.USAGE, "cannot read " + from + ": "
            + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getClass().getSimpleName()));
      }
    } else if (settings.containerAuthToken() != null) {
      from = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
      token = settings.containerAuthToken();
    } else {
      return null;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '\r' || c == '\n') {
        throw new ImdsEnvException(Kind.USAGE, "the authorization token from " + from
            + " contains a line break, which no HTTP header can carry: refused");
      }
      if (c < 0x20 || c > 0x7e) {
        throw new ImdsEnvException(Kind.USAGE, "the authorization token from " + from
            + " contains a character no HTTP header can carry: refused");
      }
    }
    return token;
  }
}
