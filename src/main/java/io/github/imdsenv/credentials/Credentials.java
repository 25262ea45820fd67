package io.github.imdsenv.credentials;

import java.time.Instant;

/**
 * A set of temporary credentials. {@link #toString()} shows only the last four characters of the
 * access key id and nothing of the secret or the token.
 *
 * @param accountId null where the service does not give one
 * @param lastUpdated null where the service does not give one
 */
public record Credentials(
    String accessKeyId,
    String secretAccessKey,
    String sessionToken,
    Instant expiration,
    String accountId,
    Instant lastUpdated) {

  /** The access key id's last four characters, for messages. */
  public String accessKeyHint() {
    int n = accessKeyId.length();
    return n <= 4 ? "…" : "…" + accessKeyId.substring(n - 4);
  }

  @Override
  public String toString() {
    return "Credentials[accessKeyId="
        + accessKeyHint()
        + ", secretAccessKey=<redacted>, sessionToken=<redacted>"
        + ", expiration="
        + expiration
        + ", accountId="
        + accountId
        + "]";
  }
}
