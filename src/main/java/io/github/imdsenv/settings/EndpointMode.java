package io.github.imdsenv.settings;

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
    throw new IllegalArgumentException(
        "'" + value + "' is not an endpoint mode; choose one of: IPv4, IPv6");
  }
}
