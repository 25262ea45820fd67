package io.github.imdsenv.format;

/**
 * The variables that the formats with their own key names carry, and those names: the shared
 * credentials file's (ini) and credential_process's members (process). A variable not here (the
 * region, the legacy security token) has no place in those formats.
 */
enum Keys {
  ACCESS_KEY_ID(Variables.ACCESS_KEY_ID, "aws_access_key_id", "AccessKeyId"),
  SECRET_ACCESS_KEY(Variables.SECRET_ACCESS_KEY, "aws_secret_access_key", "SecretAccessKey"),
  SESSION_TOKEN(Variables.SESSION_TOKEN, "aws_session_token", "SessionToken"),
  EXPIRATION(Variables.EXPIRATION, "x_security_token_expires", "Expiration"),
  ACCOUNT_ID(Variables.ACCOUNT_ID, "aws_account_id", "AccountId");

  private final String variable;
  private final String ini;
  private final String process;

  Keys(String variable, String ini, String process) {
    this.variable = variable;
    this.ini = ini;
    this.process = process;
  }

  /** The row of {@code variable}; null when it has none. */
  static Keys of(String variable) {
    for (Keys k : values()) {
      if (k.variable.equals(variable)) {
        return k;
      }
    }
    return null;
  }

  String ini() {
    return ini;
  }

  String process() {
    return process;
  }
}
