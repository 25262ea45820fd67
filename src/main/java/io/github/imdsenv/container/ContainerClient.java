package io.github.imdsenv.container;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.credentials.CredentialSource;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.CredentialsParser;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.http.Requester;
import io.github.imdsenv.settings.Budget;
import io.github.imdsenv.settings.ContainerSource;
import io.github.imdsenv.settings.Environment;
import java.net.URI;
import java.time.Instant;

/**
 * The container credentials endpoint of ECS tasks and EKS Pod Identity: one GET, with the
 * authorization token when one is configured; the same retries, deadline, size cap and parser as
 * IMDS.
 */
public final class ContainerClient implements CredentialSource {

  /**
   * Each step of a fetch as the client takes it, for {@code imds-env doctor}, which prints its
   * lines from these. A step that fails is reported before the client throws; text from the
   * endpoint is passed escaped, as {@link CredentialsParser#errorBody} gives it.
   */
  public interface Listener {
    /** The endpoint's host passed the allow-list; nothing was sent yet. */
    default void hostAllowed(URI uri) {}

    /**
     * The Authorization header's value was read: {@code length} characters from {@code source} (the
     * token file's path or the variable's name); {@code source} null: none is configured.
     */
    default void authorization(String source, int length) {}

    /**
     * The endpoint answered {@code status}, not 2xx, with the error body's Code and Message (null
     * where absent).
     */
    default void refused(int status, String code, String message) {}

    /** Credentials parsed from the endpoint's answer. */
    default void credentialsParsed(Instant expiration) {}
  }

  private final ContainerSource settings;
  private final Budget budget;
  private final Log log;
  private final URI uri;
  private final Requester http;

  /** Null for none (the export): nothing is built or loaded for it then. */
  private final Listener listener;

  private ContainerClient(ContainerSource settings, Budget budget, Log log, Listener listener) {
    this.settings = settings;
    this.budget = budget;
    this.log = log;
    this.uri = settings.uri();
    this.http = Requester.container(uri, budget, log);
    this.listener = listener;
  }

  public static ContainerClient create(ContainerSource settings, Budget budget, Log log) {
    return new ContainerClient(settings, budget, log, null);
  }

  /** A client that reports each step to {@code listener} (doctor). */
  public static ContainerClient create(
      ContainerSource settings, Budget budget, Log log, Listener listener) {
    return new ContainerClient(settings, budget, log, listener);
  }

  @Override
  public String describe() {
    return "the container credentials endpoint at " + uri;
  }

  @Override
  public Credentials credentials() {
    AllowedHosts.require(uri, http.attemptDeadline());
    if (listener != null) {
      listener.hostAllowed(uri);
    }
    String token = AuthorizationToken.of(settings, budget.deadline());
    if (listener != null) {
      String source =
          settings.authTokenFile() != null
              ? settings.authTokenFile()
              : settings.authToken() != null ? Environment.CONTAINER_TOKEN : null;
      listener.authorization(source, token == null ? 0 : token.length());
    }
    HttpLink.Response r =
        http.send("GET", "", token == null ? "" : "Authorization: " + token + "\r\n", false);
    if (r.status() / 100 != 2) {
      CredentialsParser.ErrorBody e = CredentialsParser.errorBody(r.body());
      if (listener != null) {
        listener.refused(r.status(), e.code(), e.message());
      }
      String detail =
          e.code() == null && e.message() == null
              ? null
              : (e.code() == null ? "" : e.code())
                  + (e.code() != null && e.message() != null ? ": " : "")
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
      throw new ImdsEnvException(
          Reason.NO_REGION,
          "--region: the container credentials endpoint has no region,"
              + " and neither "
              + Environment.REGION
              + " nor "
              + Environment.DEFAULT_REGION
              + " is set in this container");
    }
    log.debug("region from the environment: " + settings.regionFromEnvironment());
    return settings.regionFromEnvironment();
  }
}
