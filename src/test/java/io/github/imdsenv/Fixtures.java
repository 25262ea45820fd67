package io.github.imdsenv;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.Admin;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.junit.DslWrapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.notmatched.NotMatchedRenderer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * IMDS answers for WireMock, and credential values that tests look for in places they must not be.
 */
public final class Fixtures {

  public static final String TOKEN_PATH = "/latest/api/token";
  public static final String ROLES = "/latest/meta-data/iam/security-credentials/";
  public static final String EXTENDED = "/latest/meta-data/iam/security-credentials-extended/";
  public static final String REGION = "/latest/meta-data/placement/region";
  public static final String ROLE = "app-role";

  public static final String IMDS_TOKEN = "imds-session-TOKEN-9f8e7d6c5b4a";
  public static final String ACCESS_KEY_ID = "ASIAEXAMPLEKEY1A2B3C";
  public static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
  public static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE+SESSION/TOKEN==zz";
  public static final Instant EXPIRES =
      Instant.now().plus(6, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

  private Fixtures() {}

  /** The shared IMDS stand-in ({@link ImdsStub}): register it as a static extension. */
  public static ImdsStub imds() {
    return new ImdsStub();
  }

  /**
   * WireMock on ADDRESS as the tests use it: one acceptor thread (its default, three, makes Jetty
   * warn on a machine of two cores), and a path with no stub answered 404 as IMDS answers it,
   * without the "Request was not matched" table WireMock's default logs as an ERROR: many tests
   * leave a path unstubbed on purpose (no role, the extended path absent, a renamed role), and what
   * the tool did with the 404 is what they assert.
   */
  public static WireMockConfiguration wireMock(String address) {
    return WireMockConfiguration.wireMockConfig()
        .dynamicPort()
        .bindAddress(address)
        .containerThreads(20)
        .jettyAcceptors(1)
        .notMatchedRendererFactory(extensions -> new NotFound());
  }

  /** The answer to a request no stub matches: a plain 404, as IMDS gives for a path it lacks. */
  private static final class NotFound extends NotMatchedRenderer {
    @Override
    protected ResponseDefinition render(Admin admin, ServeEvent serveEvent) {
      return ResponseDefinitionBuilder.responseDefinition().withStatus(404).build();
    }
  }

  /** The WireMock base URL by address: "localhost" might resolve to ::1, where nothing listens. */
  public static String endpoint(ImdsStub wm) {
    return "http://127.0.0.1:" + wm.getPort();
  }

  /**
   * A loopback port nothing listens on, for as long as the socket stays open: bound but not
   * listening, it is answered with a reset (refused), and no listener or outgoing connection can
   * take the port meanwhile, as one could a closed socket's.
   */
  public static java.net.Socket unlistenedPort() throws java.io.IOException {
    java.net.Socket s = new java.net.Socket();
    s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), 0));
    return s;
  }

  private static java.net.Socket down;

  /**
   * An endpoint where nothing listens, a metadata service that is down: an {@link
   * #unlistenedPort()} held for as long as the tests run.
   */
  public static synchronized String downEndpoint() throws java.io.IOException {
    if (down == null) {
      down = unlistenedPort();
    }
    return "http://127.0.0.1:" + down.getLocalPort();
  }

  public static String json(
      String accessKeyId, String secret, String token, String expiration, String accountId) {
    return "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-11-29T09:00:00Z\",\n  \"Type\" : \"AWS-HMAC\",\n"
        + "  \"AccessKeyId\" : "
        + quote(accessKeyId)
        + ",\n  \"SecretAccessKey\" : "
        + quote(secret)
        + ",\n"
        + "  \"Token\" : "
        + quote(token)
        + ",\n  \"Expiration\" : "
        + quote(expiration)
        + (accountId == null ? "" : ",\n  \"AccountId\" : " + quote(accountId))
        + "\n}";
  }

  public static String credentialsJson() {
    return json(ACCESS_KEY_ID, SECRET, SESSION_TOKEN, EXPIRES.toString(), "123456789012");
  }

  /** A JSON string literal. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** A healthy IMDSv2 with one role and these credentials on the extended path. */
  public static void healthy(DslWrapper wm, String credentialsJson) {
    wm.stubFor(put(urlEqualTo(TOKEN_PATH)).willReturn(ok(IMDS_TOKEN)));
    wm.stubFor(get(urlEqualTo(ROLES)).willReturn(ok(ROLE + "\n")));
    wm.stubFor(get(urlEqualTo(EXTENDED + ROLE)).willReturn(ok(credentialsJson)));
    wm.stubFor(get(urlEqualTo(ROLES + ROLE)).willReturn(ok(credentialsJson)));
    wm.stubFor(get(urlEqualTo(REGION)).willReturn(ok("eu-central-2")));
  }

  public static void healthy(DslWrapper wm) {
    healthy(wm, credentialsJson());
  }

  /** IMDSv1 off, as IMDS with --http-tokens required: every GET without a token answers 401. */
  public static void imdsV1Off(DslWrapper wm) {
    wm.stubFor(
        get(com.github.tomakehurst.wiremock.client.WireMock.urlMatching(".*"))
            .atPriority(1)
            .withHeader(
                "X-aws-ec2-metadata-token",
                com.github.tomakehurst.wiremock.client.WireMock.absent())
            .willReturn(status(401)));
  }

  public static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder status(
      int status) {
    return aResponse().withStatus(status);
  }

  /**
   * One request to WireMock before the tests: its first answer can take longer than a test's 500 ms
   * timeout on a loaded machine (a token PUT then "times out"), failing whichever test comes first.
   */
  public static void warmUp(ImdsStub wm) {
    try {
      java.net.HttpURLConnection c =
          (java.net.HttpURLConnection)
              java.net.URI.create(endpoint(wm) + "/warm-up").toURL().openConnection();
      c.getResponseCode();
      c.disconnect();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
