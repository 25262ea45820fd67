package io.github.imdsenv.settings;

import java.net.URI;

/**
 * Where and how to ask a container credentials endpoint (ECS, EKS Pod Identity, imds-env serve).
 *
 * @param uri the endpoint, from the relative or the full URI; null when the environment names none
 * @param authToken AWS_CONTAINER_AUTHORIZATION_TOKEN, or null
 * @param authTokenFile AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, or null; wins over {@code authToken}
 * @param regionFromEnvironment AWS_REGION, else AWS_DEFAULT_REGION, or null
 */
public record ContainerSource(
    URI uri, String authToken, String authTokenFile, String regionFromEnvironment) {

  /** A record's own toString would show the authorization token. */
  @Override
  public String toString() {
    return "ContainerSource[uri="
        + uri
        + ", authToken="
        + (authToken == null ? "none" : "<redacted>")
        + ", authTokenFile="
        + authTokenFile
        + "]";
  }
}
