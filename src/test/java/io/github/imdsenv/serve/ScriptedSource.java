package io.github.imdsenv.serve;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.credentials.CredentialSource;
import io.github.imdsenv.credentials.Credentials;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * A credential source whose answers are scripted: credentials, or a failure, one per fetch; and a
 * clock the test moves by hand. Counts the sources made and the fetches asked.
 */
final class ScriptedSource implements Supplier<CredentialSource> {

  /** The test's time; it moves only when the test says. */
  static final class ManualClock implements InstantSource {
    private volatile Instant now = Instant.parse("2026-12-07T12:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  private final Deque<Object> answers = new ArrayDeque<>();
  int sourcesMade;
  int fetches;

  /** Credentials expiring at {@code expiration}, with a key id that ends in {@code tag}. */
  static Credentials credentials(String tag, Instant expiration) {
    return new Credentials(
        "ASIATESTKEY000000" + tag,
        "secret/" + tag + "/wJalrXUtnFEMIK7MDENGbPxRfiCY",
        "session+" + tag + "+IQoJb3JpZ2luX2VjEXAMPLE==",
        expiration,
        "123456789012",
        null);
  }

  synchronized ScriptedSource then(Credentials c) {
    answers.add(c);
    return this;
  }

  synchronized ScriptedSource thenFail(String message) {
    answers.add(new ImdsEnvException(ImdsEnvException.Reason.UNREACHABLE, message));
    return this;
  }

  synchronized ScriptedSource thenThrow(RuntimeException e) {
    answers.add(e);
    return this;
  }

  @Override
  public synchronized CredentialSource get() {
    sourcesMade++;
    return new CredentialSource() {
      @Override
      public String describe() {
        return "the scripted source";
      }

      @Override
      public Credentials credentials() {
        synchronized (ScriptedSource.this) {
          fetches++;
          Object next = answers.poll();
          if (next == null) {
            throw new AssertionError("the script has no answer left for fetch " + fetches);
          }
          if (next instanceof RuntimeException e) {
            throw e;
          }
          return (Credentials) next;
        }
      }

      @Override
      public String region() {
        throw new UnsupportedOperationException();
      }
    };
  }
}
