package io.github.imdsenv;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code -v} diagnostics. slf4j (and with it slf4j-simple, writing to stderr) is initialised
 * only when verbose output was asked for: a quiet run does not pay its start-up. Callers never pass
 * a secret or a response body.
 */
public final class Log {

  private static final Log OFF = new Log(null);

  private final Logger logger;

  private Log(Logger logger) {
    this.logger = logger;
  }

  public static Log create(boolean verbose) {
    return verbose ? new Log(LoggerFactory.getLogger("imds-env")) : OFF;
  }

  public void debug(String message) {
    if (logger != null) {
      logger.debug(Printable.escape(message));
    }
  }
}
