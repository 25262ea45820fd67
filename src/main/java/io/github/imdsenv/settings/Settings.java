package io.github.imdsenv.settings;

import io.github.imdsenv.ImdsEnvException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;

/**
 * Everything a run needs to know about where credentials come from, resolved once: flag, then
 * environment variable, then default. No other class reads the environment.
 */
public record Settings(
    SourceKind source,
    String sourceReason,
    ImdsSource imds,
    ContainerSource container,
    Budget budget,
    boolean verbose,
    boolean quiet) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_ATTEMPTS = 3;
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);
  static final int MAX_ATTEMPTS = 10;

  /**
   * What the command line said about the source, filled by option name: picocli's {@code
   * SourceOptions} through the setters, the fast path through {@link #set}; null (or false) where
   * it said nothing. The option names are here because {@link #set} is their one table.
   */
  public static final class Flags {

    public static final String ENDPOINT = "--endpoint";
    public static final String ENDPOINT_MODE = "--endpoint-mode";
    public static final String ROLE = "--role";
    public static final String TIMEOUT = "--timeout";
    public static final String ATTEMPTS = "--attempts";
    public static final String NO_IMDSV1 = "--no-imdsv1";
    public static final String SOURCE = "--source";
    public static final String VERBOSE = "--verbose";
    public static final String VERBOSE_SHORT = "-v";
    public static final String QUIET = "--quiet";
    public static final String QUIET_SHORT = "-q";

    private String endpoint;
    private EndpointMode endpointMode;
    private String role;
    private Duration timeout;
    private Integer attempts;
    private boolean noImdsv1;
    private SourceKind source;
    private boolean verbose;
    private boolean quiet;

    private Flags() {}

    /** No flag given: the environment and the defaults decide. */
    public static Flags none() {
      return new Flags();
    }

    /**
     * The fast path's way in: sets option {@code name} to {@code value} (null: given without one)
     * and returns true, or returns false when {@code name} is no option here or does not take
     * {@code value} so, and changes nothing. A value its option refuses throws
     * IllegalArgumentException, as picocli's converters do with the same parsers.
     */
    public boolean set(String name, String value) {
      if (value == null) {
        switch (name) {
          case NO_IMDSV1 -> noImdsv1 = true;
          case VERBOSE, VERBOSE_SHORT -> verbose = true;
          case QUIET, QUIET_SHORT -> quiet = true;
          default -> {
            return false;
          }
        }
        return true;
      }
      switch (name) {
        case ENDPOINT -> endpoint = value;
        case ENDPOINT_MODE -> endpointMode = EndpointMode.fromValue(value);
        case ROLE -> role = value;
        case TIMEOUT -> timeout = Durations.parse(value);
        case ATTEMPTS -> attempts = digits(value);
        case SOURCE -> source = SourceKind.fromValue(value);
        default -> {
          return false;
        }
      }
      return true;
    }

    public Flags endpoint(String url) {
      endpoint = url;
      return this;
    }

    public Flags endpointMode(EndpointMode mode) {
      endpointMode = mode;
      return this;
    }

    public Flags role(String name) {
      role = name;
      return this;
    }

    public Flags timeout(Duration perAttempt) {
      timeout = perAttempt;
      return this;
    }

    public Flags attempts(Integer n) {
      attempts = n;
      return this;
    }

    public Flags noImdsv1(boolean on) {
      noImdsv1 = on;
      return this;
    }

    public Flags source(SourceKind kind) {
      source = kind;
      return this;
    }

    public Flags verbose(boolean on) {
      verbose = on;
      return this;
    }

    public Flags quiet(boolean on) {
      quiet = on;
      return this;
    }

    public boolean verbose() {
      return verbose;
    }

    private Object[] values() {
      return new Object[] {
        endpoint, endpointMode, role, timeout, attempts, noImdsv1, source, verbose, quiet
      };
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Flags f && java.util.Arrays.equals(values(), f.values());
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(values());
    }

    @Override
    public String toString() {
      return "Flags" + java.util.Arrays.toString(values());
    }

    /** Plain decimal digits only: the forms where every integer parser agrees. */
    private static int digits(String value) {
      if (value.isEmpty() || value.length() > 9 || (value.length() > 1 && value.charAt(0) == '0')) {
        throw new IllegalArgumentException(value);
      }
      for (int i = 0; i < value.length(); i++) {
        if (value.charAt(i) < '0' || value.charAt(i) > '9') {
          throw new IllegalArgumentException(value);
        }
      }
      return Integer.parseInt(value);
    }
  }

  /** The ECS task endpoint that AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is relative to. */
  public static final String ECS_ENDPOINT = "http://169.254.170.2";

  /**
   * Resolves flags over the environment over the defaults. Bad values are usage errors (exit 2).
   */
  public static Settings resolve(Flags flags, Map<String, String> env) {
    if (flags.verbose && flags.quiet) {
      throw usage(Flags.VERBOSE + " and " + Flags.QUIET + " exclude each other");
    }
    String endpointText = flags.endpoint;
    String endpointWhere = "--endpoint";
    if (endpointText == null && nonEmpty(env.get(Environment.ENDPOINT))) {
      endpointText = env.get(Environment.ENDPOINT);
      endpointWhere = Environment.ENDPOINT;
    }
    if (endpointText == null) {
      EndpointMode mode = flags.endpointMode;
      endpointWhere = "--endpoint-mode";
      if (mode == null && nonEmpty(env.get(Environment.ENDPOINT_MODE))) {
        mode =
            parse(
                Environment.ENDPOINT_MODE,
                () -> EndpointMode.fromValue(env.get(Environment.ENDPOINT_MODE)));
        endpointWhere = Environment.ENDPOINT_MODE;
      }
      if (mode == null) {
        endpointWhere = "the IPv4 default";
      }
      endpointText = (mode == null ? EndpointMode.IPV4 : mode).endpoint();
    }
    URI endpoint = httpEndpoint(endpointText, endpointWhere, false);

    // the container endpoint: the relative URI wins over the full one, as in the SDKs
    URI containerUri = null;
    String containerWhy = null;
    if (nonEmpty(env.get(Environment.CONTAINER_RELATIVE_URI))) {
      String relative = env.get(Environment.CONTAINER_RELATIVE_URI).trim();
      containerUri =
          httpEndpoint(
              ECS_ENDPOINT + (relative.startsWith("/") ? "" : "/") + relative,
              Environment.CONTAINER_RELATIVE_URI,
              true);
      containerWhy = Environment.CONTAINER_RELATIVE_URI + " is set";
    } else if (nonEmpty(env.get(Environment.CONTAINER_FULL_URI))) {
      containerUri =
          httpEndpoint(
              env.get(Environment.CONTAINER_FULL_URI), Environment.CONTAINER_FULL_URI, true);
      containerWhy = Environment.CONTAINER_FULL_URI + " is set";
    }
    SourceKind source = flags.source == null ? SourceKind.AUTO : flags.source;
    String sourceReason;
    if (source == SourceKind.AUTO) {
      source = containerUri != null ? SourceKind.CONTAINER : SourceKind.IMDS;
      sourceReason =
          containerUri != null
              ? "auto: " + containerWhy
              : "auto: no " + Environment.CONTAINER_RELATIVE_URI + " or _FULL_URI is set";
    } else {
      sourceReason = "--source " + source.name().toLowerCase(java.util.Locale.ROOT);
      if (source == SourceKind.CONTAINER && containerUri == null) {
        throw usage(
            "--source container needs "
                + Environment.CONTAINER_RELATIVE_URI
                + " or "
                + Environment.CONTAINER_FULL_URI);
      }
    }
    String tokenFile =
        nonEmpty(env.get(Environment.CONTAINER_TOKEN_FILE))
            ? env.get(Environment.CONTAINER_TOKEN_FILE)
            : null;
    String token =
        nonEmpty(env.get(Environment.CONTAINER_TOKEN))
            ? env.get(Environment.CONTAINER_TOKEN)
            : null;
    String regionEnv =
        nonEmpty(env.get(Environment.REGION))
            ? env.get(Environment.REGION).trim()
            : nonEmpty(env.get(Environment.DEFAULT_REGION))
                ? env.get(Environment.DEFAULT_REGION).trim()
                : null;

    String role = flags.role != null ? flags.role : env.get(Environment.PROFILE_NAME);
    if (role != null && role.isBlank()) {
      role = null;
    }
    if (role != null && !validRoleName(role)) {
      throw usage("role name '" + role + "' is not a valid IAM role name");
    }

    Duration timeout = flags.timeout;
    if (timeout == null && nonEmpty(env.get(Environment.TIMEOUT))) {
      timeout = parse(Environment.TIMEOUT, () -> Durations.seconds(env.get(Environment.TIMEOUT)));
    }
    Integer attempts = flags.attempts;
    if (attempts == null && nonEmpty(env.get(Environment.NUM_ATTEMPTS))) {
      attempts =
          parse(
              Environment.NUM_ATTEMPTS,
              () -> Integer.valueOf(env.get(Environment.NUM_ATTEMPTS).trim()));
    }
    if (attempts != null && (attempts < 1 || attempts > MAX_ATTEMPTS)) {
      throw usage("attempts must be between 1 and " + MAX_ATTEMPTS + ", not " + attempts);
    }
    return new Settings(
        source,
        sourceReason,
        new ImdsSource(
            endpoint,
            endpointWhere,
            role,
            flags.noImdsv1 || isTrue(env.get(Environment.V1_DISABLED)),
            isTrue(env.get(Environment.DISABLED))),
        new ContainerSource(containerUri, token, tokenFile, regionEnv),
        new Budget(
            timeout == null ? DEFAULT_TIMEOUT : timeout,
            attempts == null ? DEFAULT_ATTEMPTS : attempts,
            DEFAULT_DEADLINE),
        flags.verbose,
        flags.quiet);
  }

  /** These settings with less time left for the run. */
  public Settings withDeadline(Duration left) {
    return new Settings(
        source, sourceReason, imds, container, budget.withDeadline(left), verbose, quiet);
  }

  /**
   * An http:// base URL (https:// too for the container endpoint, whose URI may carry a path and
   * query). A refusal names {@code where} the text came from and what is wrong with it.
   */
  private static URI httpEndpoint(String text, String where, boolean container) {
    String t = text.trim();
    while (!container && t.endsWith("/") && !t.endsWith("://")) {
      t = t.substring(0, t.length() - 1);
    }
    String form = container ? "http(s)://HOST[:PORT]/PATH" : "http://HOST[:PORT]";
    URI uri;
    try {
      uri = new URI(t);
    } catch (URISyntaxException e) {
      throw badUrl(text, where, "is not a URL: " + e.getReason());
    }
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (uri.isOpaque() || !(scheme.equals("http") || (container && scheme.equals("https")))) {
      throw badUrl(text, where, "is not an " + form + " URL");
    }
    // getRawUserInfo() alone misses it where the host does not parse: the authority is then
    // registry-based, and its problem would be told with the password in it
    if (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
      throw badUrl(
          text, where, "has a user name or password in it, which is never sent: remove it");
    }
    if (uri.getRawFragment() != null) {
      throw badUrl(text, where, "has a fragment (#...), which no request carries: remove it");
    }
    if (!container && uri.getRawQuery() != null) {
      throw badUrl(text, where, "has a query (?...): write " + form);
    }
    if (uri.getHost() == null) {
      throw badUrl(text, where, authorityProblem(uri.getRawAuthority(), form));
    }
    if (uri.getPort() == 0 || uri.getPort() > MAX_PORT) {
      throw badUrl(text, where, portProblem(String.valueOf(uri.getPort())));
    }
    return uri;
  }

  private static final int MAX_PORT = 65535;

  /** Why an authority has no host that java.net.URI accepts. */
  private static String authorityProblem(String authority, String form) {
    if (authority == null || authority.isEmpty() || authority.startsWith(":")) {
      return "has no host: write " + form;
    }
    int colon = authority.lastIndexOf(':');
    if (authority.indexOf(':') != colon) {
      return "has an IPv6 address without brackets: write it as in http://[fd00:ec2::254]:80";
    }
    String port = colon < 0 ? "" : authority.substring(colon + 1);
    boolean portOk = port.length() <= 5;
    for (int i = 0; i < port.length(); i++) {
      portOk &= port.charAt(i) >= '0' && port.charAt(i) <= '9';
    }
    // an empty port (HOST:) is no port, as java.net.URI takes it where the host is valid
    if (!port.isEmpty()
        && (!portOk || Integer.parseInt(port) == 0 || Integer.parseInt(port) > MAX_PORT)) {
      return portProblem(port);
    }
    return "has a host name that is not valid (letters, digits, '-' and '.')";
  }

  private static String portProblem(String port) {
    return "has port " + port + ", not a number from 1 to " + MAX_PORT;
  }

  private static ImdsEnvException badUrl(String text, String where, String problem) {
    return usage(where + " '" + withoutUserInfo(text) + "' " + problem);
  }

  /** The URL as a message may show it: a user name or password in it (a secret) left out. */
  static String withoutUserInfo(String text) {
    int start = text.indexOf("://");
    if (start < 0) {
      return text;
    }
    start += 3;
    int end = start;
    while (end < text.length() && "/?#".indexOf(text.charAt(end)) < 0) {
      end++;
    }
    int at = text.lastIndexOf('@', end - 1);
    return at < start ? text : text.substring(0, start) + "...@" + text.substring(at + 1);
  }

  /**
   * Instance profile and role names: letters, digits and +=,.@_- (up to 128); nothing else may
   * reach a URL path.
   */
  public static boolean validRoleName(String role) {
    if (role.length() > 128) {
      return false;
    }
    for (int i = 0; i < role.length(); i++) {
      char c = role.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "+=,.@_-".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return !role.equals(".") && !role.equals("..");
  }

  /**
   * A region name as the AWS partitions write them (us-east-1, us-gov-west-1, cn-north-1,
   * us-isob-east-1, eusc-de-east-1; botocore's regionRegex per partition): 2 to 4 letters, words of
   * letters, a number, joined by dashes. Nothing else is taken for one: {@code --region} before
   * COMMAND or another word stays bare.
   */
  public static boolean validRegionName(String name) {
    String[] parts = name.split("-", -1);
    if (name.length() > 64 || parts.length < 3 || parts[0].length() < 2 || parts[0].length() > 4) {
      return false;
    }
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty()) {
        return false;
      }
      for (int j = 0; j < part.length(); j++) {
        char c = part.charAt(j);
        boolean ok = i == parts.length - 1 ? c >= '0' && c <= '9' : c >= 'a' && c <= 'z';
        if (!ok) {
          return false;
        }
      }
    }
    return true;
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
    return new ImdsEnvException(ImdsEnvException.Reason.USAGE, message);
  }
}
