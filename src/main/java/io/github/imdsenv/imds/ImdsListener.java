package io.github.imdsenv.imds;

import io.github.imdsenv.Printable;

/**
 * Each step of a fetch as the {@link ImdsClient} takes it, for {@code imds-env doctor}: doctor
 * prints its lines from these, so it checks what an export does, not a copy of it. A step that
 * fails is reported before the client throws. Text from the endpoint is passed escaped ({@link
 * Printable#escape}); paths are relative to the endpoint.
 */
public interface ImdsListener {

  /** Hears nothing: the export's. */
  ImdsListener NONE = new None();

  /** The IMDSv2 token PUT answered 200 with a usable token. */
  default void tokenReceived(int ttlSeconds) {}

  /** The token PUT timed out: where GETs answer, the hop-limit signature. */
  default void tokenTimedOut(String request) {}

  /** The token PUT answered {@code status}, not 200. */
  default void tokenRefused(String request, int status) {}

  /** The GETs go without a token from now on, for {@code why}. */
  default void v1FallbackTaken(String why) {}

  /**
   * A GET without a token (IMDSv1) answered {@code status}: 401 means the instance requires IMDSv2
   * (and the fetch fails), anything else that it still serves IMDSv1.
   */
  default void answeredWithoutToken(String path, int status) {}

  /**
   * The role list at {@code path} answered; {@code name} is its first role, and {@code valid} says
   * whether it passed the client's role-name check (if not, {@code name} is the line as listed,
   * escaped, and the fetch fails).
   */
  default void roleListed(String path, String name, boolean valid) {}

  /** The role list at {@code path} answered {@code status} without a role: no instance profile. */
  default void noRole(String path, int status) {}

  /**
   * The extended credentials path answered {@code status}: the legacy path instead, without
   * AccountId.
   */
  default void extendedFellBack(String path, int status) {}

  /** The region path answered {@code status} (200: without a region name); the fetch fails. */
  default void regionRefused(String path, int status) {}

  /** A class, not a lambda: no invokedynamic bootstrap on the export's path. */
  final class None implements ImdsListener {
    private None() {}
  }
}
