package io.github.imdsenv.container;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.credentials.CredentialSource;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.CredentialsParser;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.http.Requester;
import io.github.imdsenv.http.Response;
import io.github.imdsenv.http.RetryPolicy;
import io.github.imdsenv.http.Transport;
import io.github.imdsenv.settings.Budget;
import io.github.imdsenv.settings.ContainerSource;
import io.github.imdsenv.settings.Environment;
import java.net.URI;
import java.time.Duration;

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
    /** Hears nothing: the export's. */
    Listener NONE = new None();

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

    /** A class, not a lambda: no invokedynamic bootstrap on the export's path. */
    final class None implements Listener {
      private None() {}
    }
  }

  private final ContainerSource settings;
  private final Duration deadline;
  private final Log log;
  private final URI uri;
  private final Transport transport;
  private final Requester http;
  private final Listener listener;

  private ContainerClient(
      ContainerSource settings,
      Budget budget,
      Log log,
      Listener listener,
      Transport transport,
      Clock clock) {
    this.settings = settings;
    this.deadline = budget.deadline();
    this.log = log;
    this.uri = settings.uri();
    this.transport = transport;
    this.http =
        Requester.container(
            uri,
            Environment.CONTAINER_RELATIVE_URI + " / _FULL_URI",
            RetryPolicy.of(budget.attempts(), budget.timeout()),
            deadline,
            transport,
            clock,
            log);
    this.listener = listener;
  }

  public static ContainerClient create(ContainerSource settings, Budget budget, Log log) {
    return create(settings, budget, log, Listener.NONE);
  }

  /** A client that reports each step to {@code listener} (doctor). */
  public static ContainerClient create(
      ContainerSource settings, Budget budget, Log log, Listener listener) {
    return new ContainerClient(
        settings, budget, log, listener, new HttpLink(Clock.SYSTEM), Clock.SYSTEM);
  }

  /** A client on {@code transport} and {@code clock}: the protocol tests' scripted ones. */
  static ContainerClient create(
      ContainerSource settings,
      Budget budget,
      Log log,
      Listener listener,
      Transport transport,
      Clock clock) {
    return new ContainerClient(settings, budget, log, listener, transport, clock);
  }

  @Override
  public String describe() {
    return "the container credentials endpoint at " + uri;
  }

  @Override
  public Credentials credentials() {
    AllowedHosts.require(uri, transport, http.attemptDeadline());
    listener.hostAllowed(uri);
    String token = AuthorizationToken.of(settings, deadline);
    String source =
        settings.authTokenFile() != null
            ? settings.authTokenFile()
            : settings.authToken() != null ? Environment.CONTAINER_TOKEN : null;
    listener.authorization(source, token == null ? 0 : token.length());
    Response r =
        http.send("GET", "", token == null ? "" : "Authorization: " + token + "\r\n", false);
    if (r.status() / 100 != 2) {
      CredentialsParser.ErrorBody e = CredentialsParser.errorBody(r.body());
      listener.refused(r.status(), e.code(), e.message());
      String detail =
          e.code() == null && e.message() == null
              ? null
              : (e.code() == null ? "" : e.code())
                  + (e.code() != null && e.message() != null ? ": " : "")
                  + (e.message() == null ? "" : e.message());
      throw http.fatalStatus("GET", "", r.status(), detail);
    }
    return CredentialsParser.parse(r.body(), uri.toString());
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
