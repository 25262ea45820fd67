package io.github.imdsenv.container;

import io.github.imdsenv.FileErrors;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.settings.ContainerSource;
import io.github.imdsenv.settings.Durations;
import io.github.imdsenv.settings.Environment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link ContainerClient}'s Authorization header value: the token file, read with care, or the
 * token variable; checked for what an HTTP header can carry.
 */
final class AuthorizationToken {

  /** The most a token file may hold: a projected service-account token is about 1 KiB. */
  static final int MAX_TOKEN_FILE = 16 * 1024;

  private AuthorizationToken() {}

  /**
   * The Authorization header value: the token file (read on every request, as the agents rotate it)
   * or else AWS_CONTAINER_AUTHORIZATION_TOKEN; null for none. Never shown in a message.
   */
  static String of(ContainerSource settings, Duration deadline) {
    String token;
    String from;
    if (settings.authTokenFile() != null) {
      from = Environment.CONTAINER_TOKEN_FILE + " (" + settings.authTokenFile() + ")";
      token = readTokenFile(Path.of(settings.authTokenFile()), from, deadline);
    } else if (settings.authToken() != null) {
      from = Environment.CONTAINER_TOKEN;
      token = settings.authToken();
    } else {
      return null;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '\r' || c == '\n') {
        throw new ImdsEnvException(
            Reason.TOKEN_UNUSABLE,
            "the authorization token from "
                + from
                + " contains a line break, which no HTTP header can carry: refused");
      }
      if (c < 0x20 || c > 0x7e) {
        throw new ImdsEnvException(
            Reason.TOKEN_UNUSABLE,
            "the authorization token from "
                + from
                + " contains a character no HTTP header can carry: refused");
      }
    }
    return token;
  }

  /**
   * A regular file only (a FIFO would block the run, a device never end), not empty (a kernel file
   * such as /proc/kmsg says size 0 and may block), read up to a cap, within {@code within}. The
   * token agent writes it through a symbolic link, which is followed.
   */
  private static String readTokenFile(Path file, String from, Duration within) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      throw tokenFileError(from, e);
    }
    if (!a.isRegularFile() || a.size() == 0) {
      throw new ImdsEnvException(
          Reason.TOKEN_UNUSABLE,
          "cannot read "
              + from
              + ": "
              + (a.isRegularFile() ? "it is empty" : "not a regular file"));
    }
    // read on a daemon thread: a file swapped for a FIFO after the check cannot hold the run past
    // the deadline
    FutureTask<byte[]> read =
        new FutureTask<>(
            () -> {
              try (InputStream in = Files.newInputStream(file)) {
                return in.readNBytes(MAX_TOKEN_FILE + 1); // to the end, or one byte past the cap
              }
            });
    Thread reader = new Thread(read, "token-file");
    reader.setDaemon(true);
    reader.start();
    byte[] bytes;
    try {
      bytes = read.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ImdsEnvException(
          Reason.TOKEN_UNUSABLE,
          "cannot read "
              + from
              + ": no end within the run's "
              + Durations.human(within)
              + " deadline (not a plain file?)",
          e);
    } catch (ExecutionException e) {
      throw tokenFileError(
          from, e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImdsEnvException(Reason.TOKEN_UNUSABLE, "cannot read " + from + ": interrupted", e);
    }
    if (bytes.length > MAX_TOKEN_FILE) {
      throw new ImdsEnvException(
          Reason.TOKEN_UNUSABLE,
          "cannot read "
              + from
              + ": larger than "
              + (MAX_TOKEN_FILE / 1024)
              + " KiB, which no token is");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static ImdsEnvException tokenFileError(String from, IOException e) {
    return new ImdsEnvException(
        Reason.TOKEN_UNUSABLE, "cannot read " + from + ": " + FileErrors.reason(e), e);
  }
}
