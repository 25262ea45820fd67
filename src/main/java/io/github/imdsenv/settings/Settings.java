package io.github.imdsenv.settings;

import io.github.imdsenv.ImdsEnvException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;

/**
 * Everything a run needs to know about where credentials come from, resolved once:
 * flag, then environment variable, then default. No other class reads the environment.
 */
public record Settings(
    SourceKind source,
    URI endpoint,
    String role,
    Duration timeout,
    int attempts,
    boolean v1Disabled,
    boolean imdsDisabled,
    Duration deadline,
    boolean verbose,
    boolean quiet) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_ATTEMPTS = 3;
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);
  static final int MAX_ATTEMPTS = 10;

  /** Where credentials come from. */
  public enum SourceKind {
    AUTO,
    IMDS,
    CONTAINER;

    public static SourceKind fromValue(String value) {
      for (SourceKind k : values()) {
        if (k.name().equalsIgnoreCase(value)) {
          return k;
        }
      }
      throw new IllegalArgumentException("'" + value + "' is not a source; choose one of: auto, imds, container");
    }
  }

  /** The IMDS address family, as the SDKs name it. */
  public enum EndpointMode {
    IPV4("IPv4", "http://169.254.169.254"),
    IPV6("IPv6", "http://[fd00:ec2::254]");

    private final String label;
    private final String endpoint;

    EndpointMode(String label, String endpoint) {
      this.label = label;
      this.endpoint = endpoint;
    }

    public String endpoint() {
      return endpoint;
    }

    @Override
    public String toString() {
      return label;
    }

    public static EndpointMode fromValue(String value) {
      for (EndpointMode m : values()) {
        if (m.label.equalsIgnoreCase(value.trim())) {
          return m;
        }
      }
      throw new IllegalArgumentException("'" + value + "' is not an endpoint mode; choose one of: IPv4, IPv6");
    }
  }

  /** What the command line said; null (or false) where it said nothing. */
  public record Flags(
      String endpoint,
      EndpointMode endpointMode,
      String role,
      Duration timeout,
      Integer attempts,
      boolean noImdsv1,
      SourceKind source,
      boolean verbose,
      boolean quiet) {}

  /** Resolves flags over the environment over the defaults. Bad values are usage errors (exit 2). */
  public static Settings resolve(Flags flags, Map<String, String> env) {
    String endpointText = flags.endpoint();
    String endpointWhere = "--endpoint";
    if (endpointText == null && nonEmpty(env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT"))) {
      endpointText = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
      endpointWhere = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
    }
    if (endpointText == null) {
      EndpointMode mode = flags.endpointMode();
      if (mode == null && nonEmpty(env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"))) {
        mode = parse("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", () ->
            EndpointMode.fromValue(env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")));
      }
      endpointText = (mode == null ? EndpointMode.IPV4 : mode).endpoint();
    }
    URI endpoint = httpEndpoint(endpointText, endpointWhere);

    String role = flags.role() != null ? flags.role() : env.get("AWS_EC2_INSTANCE_PROFILE_NAME");
    if (role != null && role.isBlank()) {
      role = null;
    }
    if (role != null && !validRoleName(role)) {
      throw usage("role name '" + role + "' is not a valid IAM role name");
    }

    Duration timeout = flags.timeout();
    if (timeout == null && nonEmpty(env.get("AWS_METADATA_SERVICE_TIMEOUT"))) {
      timeout = parse("AWS_METADATA_SERVICE_TIMEOUT", () -> Durations.seconds(env.get("AWS_METADATA_SERVICE_TIMEOUT")));
    }
    Integer attempts = flags.attempts();
    if (attempts == null && nonEmpty(env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS"))) {
      attempts = parse("AWS_METADATA_SERVICE_NUM_ATTEMPTS", () -> Integer.valueOf(env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS").trim()));
    }
    if (attempts != null && (attempts < 1 || attempts > MAX_ATTEMPTS)) {
      throw usage("attempts must be between 1 and " + MAX_ATTEMPTS + ", not " + attempts);
    }
    return new Settings(
        flags.source() == null ? SourceKind.AUTO : flags.source(),
        endpoint,
        role,
        timeout == null ? DEFAULT_TIMEOUT : timeout,
        attempts == null ? DEFAULT_ATTEMPTS : attempts,
        flags.noImdsv1() || isTrue(env.get("AWS_EC2_METADATA_V1_DISABLED")),
        isTrue(env.get("AWS_EC2_METADATA_DISABLED")),
        DEFAULT_DEADLINE,
        flags.verbose(),
        flags.quiet());
  }

  private static URI httpEndpoint(String text, String where) {
    String t = text.trim();
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      URI uri = new URI(t);
      if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
          || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
        throw usage(where + " '" + text + "' is not an http://HOST[:PORT] URL (IMDS speaks plain HTTP)");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw usage(where + " '" + text + "' is not a URL: " + e.getReason());
    }
  }

  /** Instance profile and role names: letters, digits and +=,.@_- (up to 128); nothing else may reach a URL path. */
  public static boolean validRoleName(String role) {
    if (role.length() > 128) {
      return false;
    }
    for (int i = 0; i < role.length(); i++) {
      char c = role.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "+=,.@_-".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return !role.equals(".") && !role.equals("..");
  }

  private static boolean isTrue(String value) {
    return value != null && value.trim().equalsIgnoreCase("true");
  }

  private static boolean nonEmpty(String value) {
    return value != null && !value.isBlank();
  }

  private interface Parser<T> {
    T parse();
  }

  private static <T> T parse(String variable, Parser<T> parser) {
    try {
      return parser.parse();
    } catch (IllegalArgumentException e) {
      throw usage("environment variable " + variable + ": " + e.getMessage());
    }
  }

  private static ImdsEnvException usage(String message) {
    return new ImdsEnvException(ImdsEnvException.Kind.USAGE, message);
  }
}
