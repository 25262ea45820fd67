package io.github.imdsenv.imds;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.Log;
import io.github.imdsenv.http.Requester;
import io.github.imdsenv.http.Response;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.ImdsSource;

/**
 * The {@link ImdsClient}'s session: one IMDSv2 token (PUT with its TTL), a fresh token when a GET
 * answers 401, and the IMDSv1 fallback where the token request cannot be answered and it is
 * allowed. Every GET of the client goes through {@link #get}.
 */
final class ImdsSession {

  private static final String TOKEN_PATH = "/latest/api/token";
  private static final int TOKEN_TTL_SECONDS = 21600;

  private final ImdsSource settings;
  private final Log log;
  private final Requester http;

  private final ImdsListener listener;

  /** The IMDSv2 session token; null before the PUT and in IMDSv1 mode. */
  private String token;

  /** Why IMDSv1 is in use: null while IMDSv2 is. */
  private String v1Reason;

  private boolean tokenTimedOut;

  ImdsSession(ImdsSource settings, Log log, Requester http, ImdsListener listener) {
    this.settings = settings;
    this.log = log;
    this.http = http;
    this.listener = listener;
  }

  /** The token PUT, or the IMDSv1 fallback, unless one of them was already taken. */
  void start() {
    if (token == null && v1Reason == null) {
      fetchToken();
    }
  }

  /**
   * A GET with the session token; 401 means the token went stale: one fresh token, then once more.
   * With {@code lastStatusIsAnswer}, a 429 or 5xx that outlasts the retries is returned, not
   * thrown.
   */
  Response get(String path, boolean lastStatusIsAnswer) {
    start();
    Response r = send(path, lastStatusIsAnswer);
    if (token == null) {
      listener.answeredWithoutToken(path, r.status());
    }
    if (r.status() == 401) {
      if (token == null) {
        throw new ImdsEnvException(
            Reason.NO_TOKEN,
            "IMDS requires IMDSv2 ("
                + http.url(path)
                + " answered 401) but "
                + v1Reason
                + (tokenTimedOut ? ": " + ImdsClient.HOP_LIMIT_FIX : ""));
      }
      log.debug("401: the token was refused; fetching a new one");
      fetchToken();
      r = send(path, lastStatusIsAnswer);
      if (r.status() == 401) {
        throw new ImdsEnvException(
            Reason.REFUSED, http.url(path) + " refused a fresh IMDSv2 token (401)");
      }
    }
    return r;
  }

  private Response send(String path, boolean lastStatusIsAnswer) {
    return lastStatusIsAnswer
        ? http.sendOrLastStatus("GET", path, tokenHeader())
        : http.send("GET", path, tokenHeader(), false);
  }

  private String tokenHeader() {
    return token == null ? "" : "X-aws-ec2-metadata-token: " + token + "\r\n";
  }

  private void fetchToken() {
    token = null;
    Response r =
        http.send(
            "PUT",
            TOKEN_PATH,
            "X-aws-ec2-metadata-token-ttl-seconds: " + TOKEN_TTL_SECONDS + "\r\n",
            true);
    if (r == null) {
      tokenTimedOut = true;
      listener.tokenTimedOut("PUT " + TOKEN_PATH);
      fallBackToV1("the IMDSv2 token request (PUT " + TOKEN_PATH + ") timed out", true);
      return;
    }
    int s = r.status();
    if (s != 200) {
      listener.tokenRefused("PUT " + TOKEN_PATH, s);
    }
    if (s == 200) {
      String t = r.text().trim();
      if (t.isEmpty() || !printableAscii(t)) {
        throw new ImdsEnvException(
            Reason.NO_TOKEN, http.url(TOKEN_PATH) + " answered 200 without a usable token");
      }
      token = t;
      v1Reason = null;
      listener.tokenReceived(TOKEN_TTL_SECONDS);
    } else if (s == 403 || s == 404 || s == 405) {
      fallBackToV1("the IMDSv2 token request (PUT " + TOKEN_PATH + ") answered " + s, false);
    } else {
      throw fatalStatus(http, "PUT", TOKEN_PATH, s);
    }
  }

  private void fallBackToV1(String why, boolean timedOut) {
    if (settings.v1Disabled()) {
      throw new ImdsEnvException(
          Reason.NO_TOKEN,
          why
              + " and IMDSv1 fallback is disabled (--no-imdsv1 or"
              + " "
              + Environment.V1_DISABLED
              + ")"
              + (timedOut ? "; if GETs answer, " + ImdsClient.HOP_LIMIT_FIX : ""));
    }
    v1Reason = why;
    listener.v1FallbackTaken(why);
    log.debug(why + "; falling back to IMDSv1");
  }

  /** A status no step expects, as the export reports it (403: IMDS access may be off). */
  static ImdsEnvException fatalStatus(Requester http, String method, String path, int status) {
    return http.fatalStatus(
        method,
        path,
        status,
        status == 403 ? "IMDS access may be turned off for this instance" : null);
  }

  private static boolean printableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
