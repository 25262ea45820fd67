package io.github.imdsenv.imds;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.Printable;
import io.github.imdsenv.credentials.CredentialSource;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.CredentialsParser;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.http.Requester;
import io.github.imdsenv.http.Response;
import io.github.imdsenv.http.RetryPolicy;
import io.github.imdsenv.http.Transport;
import io.github.imdsenv.settings.Budget;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.ImdsSource;
import io.github.imdsenv.settings.Settings;
import java.net.URI;

/**
 * The EC2 instance metadata service, spoken as {@code docs/protocol.md} says: one IMDSv2 token per
 * run (IMDSv1 fallback where allowed), bounded retries with backoff and jitter on 429, 5xx and I/O
 * errors, a per-attempt timeout, and one deadline for the whole run.
 */
public final class ImdsClient implements CredentialSource {

  private static final String ROLES_PATH = "/latest/meta-data/iam/security-credentials/";
  private static final String EXTENDED_PATH =
      "/latest/meta-data/iam/security-credentials-extended/";
  private static final String REGION_PATH = "/latest/meta-data/placement/region";

  public static final String HOP_LIMIT_FIX =
      "from a container on a bridge network the token reply's hop limit is 1: raise it with `aws"
          + " ec2 modify-instance-metadata-options --instance-id ID --http-put-response-hop-limit"
          + " 2`, or run imds-env on the host and pass the credentials in";

  private final ImdsSource settings;
  private final Log log;
  private final URI endpoint;
  private final Requester http;

  private final ImdsListener listener;

  private final ImdsSession session;

  private ImdsClient(
      ImdsSource settings,
      Budget budget,
      Log log,
      ImdsListener listener,
      Transport transport,
      Clock clock) {
    this.settings = settings;
    this.log = log;
    this.endpoint = settings.endpoint();
    this.http =
        Requester.imds(
            endpoint,
            settings.endpointOrigin(),
            RetryPolicy.of(budget.attempts(), budget.timeout()),
            budget.deadline(),
            transport,
            clock,
            log);
    this.listener = listener;
    this.session = new ImdsSession(settings, log, http, listener);
  }

  public static ImdsClient create(ImdsSource settings, Budget budget, Log log) {
    return create(settings, budget, log, ImdsListener.NONE);
  }

  /** A client that reports each step to {@code listener} (doctor). */
  public static ImdsClient create(
      ImdsSource settings, Budget budget, Log log, ImdsListener listener) {
    return new ImdsClient(
        settings, budget, log, listener, new HttpLink(Clock.SYSTEM), Clock.SYSTEM);
  }

  /** A client on {@code transport} and {@code clock}: the protocol tests' scripted ones. */
  static ImdsClient create(
      ImdsSource settings,
      Budget budget,
      Log log,
      ImdsListener listener,
      Transport transport,
      Clock clock) {
    return new ImdsClient(settings, budget, log, listener, transport, clock);
  }

  /**
   * The IMDSv2 session now rather than at the first GET (doctor's IMDSv2 line): the token PUT, or
   * the IMDSv1 fallback where allowed; throws where neither is possible.
   */
  public void startSession() {
    requireEnabled();
    session.start();
  }

  /**
   * Doctor's one request of its own, once the session holds a token (its GETs then show nothing of
   * IMDSv1): the role list the export asks for, without a token. Returns its status (401: IMDSv2
   * required; 200 or 404: IMDSv1 still served), or -1 when it gets no answer.
   */
  public int statusWithoutToken() {
    try {
      return http.send("GET", ROLES_PATH, "", false).status();
    } catch (ImdsEnvException e) {
      return -1;
    }
  }

  /** The path of {@link #statusWithoutToken}. */
  public static String pathWithoutToken() {
    return ROLES_PATH;
  }

  @Override
  public String describe() {
    return "IMDS at " + endpoint;
  }

  /** The instance role's credentials: the named role, or the first one IMDS lists. */
  @Override
  public Credentials credentials() {
    requireEnabled();
    String role = settings.role();
    // a role that disappears between listing and fetching has changed: list again, once
    for (int discovery = 0; discovery < 2; discovery++) {
      String name = role != null ? role : discoverRole();
      Credentials c = credentialsOf(name);
      if (c != null) {
        return c;
      }
      if (role != null) {
        throw new ImdsEnvException(
            Reason.ROLE_NOT_FOUND,
            "the role '"
                + role
                + "' is not attached to this instance ("
                + url(ROLES_PATH + role)
                + " answered 404): check --role / "
                + Environment.PROFILE_NAME
                + " against the names listed at "
                + url(ROLES_PATH));
      }
      log.debug("role '" + name + "' vanished after it was listed; listing again");
    }
    throw new ImdsEnvException(
        Reason.ROLE_NOT_FOUND,
        "the instance's role keeps changing: "
            + url(ROLES_PATH)
            + " lists a role whose credentials then answer 404; try again");
  }

  /** The region from {@code placement/region}. */
  @Override
  public String region() {
    requireEnabled();
    Response r = get(REGION_PATH);
    if (r.status() != 200) {
      listener.regionRefused(REGION_PATH, r.status());
      throw fatalStatus("GET", REGION_PATH, r.status());
    }
    String region = r.text().trim();
    if (!validRegion(region)) {
      listener.regionRefused(REGION_PATH, r.status());
      throw new ImdsEnvException(
          Reason.BAD_ANSWER, url(REGION_PATH) + " did not answer with a region name");
    }
    return region;
  }

  private void requireEnabled() {
    if (settings.disabled()) {
      throw new ImdsEnvException(
          Reason.DISABLED,
          "IMDS is disabled by "
              + Environment.DISABLED
              + "=true: unset it to read the instance's credentials");
    }
  }

  private String discoverRole() {
    Response r = get(ROLES_PATH);
    if (r.status() == 404) {
      listener.noRole(ROLES_PATH, r.status());
      throw noRole("answered 404");
    }
    if (r.status() != 200) {
      throw fatalStatus("GET", ROLES_PATH, r.status());
    }
    String first = null;
    String listed = null;
    for (String line : r.text().split("\n", -1)) {
      if (!line.isBlank()) {
        listed = line;
        first = line.trim();
        break;
      }
    }
    if (first == null) {
      listener.noRole(ROLES_PATH, r.status());
      throw noRole("lists no role");
    }
    boolean valid = Settings.validRoleName(first);
    // a valid name has nothing to escape: Printable is loaded only for an invalid one
    listener.roleListed(ROLES_PATH, valid ? first : Printable.escape(listed), valid);
    if (!valid) {
      throw new ImdsEnvException(
          Reason.BAD_ANSWER, url(ROLES_PATH) + " lists a role name that is not a valid IAM name");
    }
    log.debug("role: " + first);
    return first;
  }

  private ImdsEnvException noRole(String what) {
    return new ImdsEnvException(
        Reason.NO_ROLE,
        "no IAM role is attached to this instance ("
            + url(ROLES_PATH)
            + " "
            + what
            + "): attach an instance profile with `aws ec2 associate-iam-instance-profile"
            + " --instance-id ID --iam-instance-profile Name=PROFILE`");
  }

  /**
   * The role's credentials from the extended path, else the legacy one; null when the legacy path
   * answers 404 (the role changed). Any HTTP error of the extended path but 401 (whose fresh token
   * {@link #get} already tried) leads to the legacy path, once: a 404 at once, as the SDKs do, and
   * a 429 or 5xx once its retries are spent (emulators answer 500 there; a real IMDS that answers
   * 5xx for a moment should still give the AccountId, and the retries cost a few hundred ms, well
   * within the run's deadline). Nothing is remembered across runs.
   */
  private Credentials credentialsOf(String role) {
    String extended = EXTENDED_PATH + role;
    Response r = get(extended, true);
    if (r.status() == 200) {
      return parsed(r, extended);
    }
    if (r.status() < 400) {
      throw fatalStatus("GET", extended, r.status());
    }
    listener.extendedFellBack(extended, r.status());
    log.debug(
        "GET "
            + extended
            + " answered "
            + r.status()
            + "; the legacy path instead (no AccountId there)");
    String legacy = ROLES_PATH + role;
    r = get(legacy, false);
    if (r.status() == 200) {
      return parsed(r, legacy);
    }
    if (r.status() != 404) {
      throw fatalStatus("GET", legacy, r.status());
    }
    return null;
  }

  private Credentials parsed(Response r, String path) {
    return CredentialsParser.parse(r.body(), url(path));
  }

  private Response get(String path) {
    return get(path, false);
  }

  private Response get(String path, boolean lastStatusIsAnswer) {
    return session.get(path, lastStatusIsAnswer);
  }

  private ImdsEnvException fatalStatus(String method, String path, int status) {
    return ImdsSession.fatalStatus(http, method, path, status);
  }

  private String url(String path) {
    return http.url(path);
  }

  /** Region names: lower-case letters, digits and dashes ("us-east-1", "us-gov-west-1"). */
  static boolean validRegion(String r) {
    if (r.isEmpty() || r.length() > 64) {
      return false;
    }
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
