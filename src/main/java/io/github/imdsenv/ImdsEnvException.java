package io.github.imdsenv;

/**
 * The one exception the tool's stages throw for an expected failure. It says why, as a {@link
 * Reason}; the exit code is the CLI's business ({@code cli.ExitCodes}). Its message is shown to the
 * user as is, so it must never carry a secret or a response body; nor may its cause's, which {@code
 * -v} prints (an I/O error's is the socket's or the file system's; a JSON parser's quotes the body,
 * so none is chained).
 */
public final class ImdsEnvException extends RuntimeException {

  /**
   * Why a run failed, as the layer that saw it knows it: never an exit code, never to be read off
   * the message.
   */
  public enum Reason {
    /**
     * An option, an argument or an environment variable's value is wrong, or they do not go
     * together.
     */
    USAGE,
    /**
     * The container authorization token (its file or variable) cannot be read or cannot be sent.
     */
    TOKEN_UNUSABLE,
    /** AWS_EC2_METADATA_DISABLED turns IMDS off. */
    DISABLED,
    /**
     * No answer: refused, timed out, past the deadline, or still failing (429, 5xx) when the
     * attempts were spent.
     */
    UNREACHABLE,
    /** An answer no retry cures: a redirect, 400, 403, a refused token. */
    REFUSED,
    /** No IMDSv2 token could be had and IMDSv1 may not (or cannot) be used. */
    NO_TOKEN,
    /** The container endpoint's host is not one that may receive the authorization token. */
    HOST_NOT_ALLOWED,
    /** {@code --region}, where the source has no region. */
    NO_REGION,
    /** No role (instance profile) is attached. */
    NO_ROLE,
    /** The role asked for (or just listed) has no credentials here. */
    ROLE_NOT_FOUND,
    /** The answer is not well-formed HTTP, or is over the size cap. */
    BAD_RESPONSE,
    /**
     * The answer is not what was asked for: credentials (bad JSON, a Code other than Success), a
     * role name, a region.
     */
    BAD_ANSWER,
    /** The credentials have expired (and --allow-expired was not given). */
    EXPIRED,
    /** A value the format cannot carry. */
    UNREPRESENTABLE,
    /** The output file cannot be written, or is refused as unsafe. */
    OUTPUT,
    /** Standard output is closed, or a broken pipe. */
    STDOUT,
    /**
     * serve cannot listen on an address: in use, not on this host, a port it may not bind, or an
     * address the ECS agent owns here.
     */
    LISTEN
  }

  private final Reason reason;

  public ImdsEnvException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ImdsEnvException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
