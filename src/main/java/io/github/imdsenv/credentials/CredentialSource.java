package io.github.imdsenv.credentials;

/** Where credentials come from: the EC2 instance metadata service, or a container endpoint. */
public interface CredentialSource {

  /** Where the credentials are read from, for messages. */
  String describe();

  Credentials credentials();

  /** The region the workload runs in. */
  String region();
}
