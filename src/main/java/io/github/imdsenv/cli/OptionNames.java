package io.github.imdsenv.cli;

/**
 * The names of the everyday options, shared by the picocli annotations and {@link FastPath}.
 * Compile-time constants: both use them inlined, so nothing of this class loads at run time.
 */
final class OptionNames {

  private OptionNames() {}

  // SourceOptions
  static final String ENDPOINT = "--endpoint";
  static final String ENDPOINT_MODE = "--endpoint-mode";
  static final String ROLE = "--role";
  static final String TIMEOUT = "--timeout";
  static final String ATTEMPTS = "--attempts";
  static final String NO_IMDSV1 = "--no-imdsv1";
  static final String SOURCE = "--source";
  static final String VERBOSE = "--verbose";
  static final String VERBOSE_SHORT = "-v";
  static final String QUIET = "--quiet";
  static final String QUIET_SHORT = "-q";

  // ExportOptions
  static final String REGION = "--region";
  static final String ACCOUNT_ID = "--account-id";
  static final String SECURITY_TOKEN = "--security-token";
  static final String ALLOW_EXPIRED = "--allow-expired";

  // ImdsEnvCommand alone
  static final String FORMAT = "--format";
  static final String FORMAT_SHORT = "-f";
  static final String OUTPUT = "--output";
  static final String OUTPUT_SHORT = "-o";
  static final String MIN_VALIDITY = "--min-validity";
  static final String MODE = "--mode";
  static final String PROFILE_NAME = "--profile-name";
}
