package io.github.imdsenv.sink;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.Durations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code -o FILE} whole: FILE locked within the run's deadline, read back, refused when it holds
 * another format's output, left alone when its credentials are still fresh enough ({@code
 * --min-validity}), else replaced atomically with what {@link Content} renders; for ini, only the
 * profile's section of a credentials file is replaced, every other byte kept.
 */
public final class FileSink {

  /** What goes into FILE. */
  public interface Content {

    /** The variables asked for, by name: the freshness check needs every one of them in FILE. */
    Variables names();

    /**
     * Fetches the credentials and renders them in the format, within {@code left}: what the wait
     * for the lock left of the run's deadline.
     */
    String render(Duration left);
  }

  private FileSink() {}

  /**
   * Writes {@code file} in {@code format} ({@code profile} names the ini section), with {@code
   * mode} (null: as {@link OutputFile#replace} decides), unless the credentials there stay valid
   * for longer than {@code minValidity} (null: always written). Nothing is fetched before the file
   * was found fit to take the output. Failures are {@link ImdsEnvException}s, the file left as it
   * was.
   */
  public static void write(
      Path file,
      Format format,
      String profile,
      Set<PosixFilePermission> mode,
      Duration minValidity,
      Duration deadline,
      Consumer<String> warn,
      Log log,
      Content content) {
    write(file, format, profile, mode, minValidity, deadline, warn, log, content, Clock.SYSTEM);
  }

  static void write(
      Path file,
      Format format,
      String profile,
      Set<PosixFilePermission> mode,
      Duration minValidity,
      Duration deadline,
      Consumer<String> warn,
      Log log,
      Content content,
      Clock clock) {
    long started = clock.nanoTime();
    try (OutputFile out = OutputFile.lock(file, deadline, warn, clock)) {
      // the lock wait counts against the run's deadline
      Duration left = deadline.minusNanos(clock.nanoTime() - started);
      byte[] existing = out.read();
      String mismatch = existing == null ? null : FileKind.mismatch(file, format, existing);
      if (mismatch != null) {
        throw new ImdsEnvException(ImdsEnvException.Reason.OUTPUT, mismatch);
      }
      // a profile merged into a credentials file that is there
      boolean merge = format == Format.INI && existing != null;
      try {
        // read before any fetch: a profile that appears twice is refused at once
        CredentialsFile.Section section = merge ? CredentialsFile.section(existing, profile) : null;
        if (minValidity != null
            && existing != null
            && fresh(
                file,
                validUntil(format, existing, section, content),
                minValidity,
                clock.now(),
                log)) {
          return;
        }
        String text = content.render(left);
        out.replace(
            merge
                ? CredentialsFile.merge(existing, profile, text)
                : text.getBytes(StandardCharsets.UTF_8),
            mode);
      } catch (CredentialsFile.Unsafe e) {
        throw new ImdsEnvException(
            ImdsEnvException.Reason.OUTPUT,
            "cannot write " + file + ": " + e.getMessage() + "; the file was left as it was");
      }
      log.debug("wrote " + file);
    }
  }

  /** When the credentials in FILE (for ini: in its profile's section) expire; null for none. */
  private static Instant validUntil(
      Format format, byte[] existing, CredentialsFile.Section section, Content content) {
    if (format != Format.INI) {
      return Expiry.validUntil(format, existing, 0, existing.length, content.names());
    }
    return section == null
        ? null
        : Expiry.validUntil(format, existing, section.from(), section.to(), content.names());
  }

  /**
   * True when the credentials FILE holds, valid {@code until} (null: none, or not every variable
   * asked for), are valid for longer than {@code minValidity} after {@code now}.
   */
  private static boolean fresh(
      Path file, Instant until, Duration minValidity, Instant now, Log log) {
    if (until == null) {
      log.debug(file + " holds no readable credentials: fetching");
      return false;
    }
    Duration left = Duration.between(now, until);
    if (left.compareTo(Expiry.MAX_PLAUSIBLE) > 0) {
      log.debug(
          file
              + " says its credentials expire in "
              + Durations.human(left)
              + ", longer than any metadata"
              + " credential lives ("
              + Durations.human(Expiry.MAX_PLAUSIBLE)
              + "): not believed, fetching");
      return false;
    }
    if (left.compareTo(minValidity) > 0) {
      log.debug(
          file
              + " holds credentials valid for "
              + Durations.human(left)
              + " more, over --min-validity "
              + Durations.human(minValidity)
              + ": nothing fetched, the file left as it is");
      return true;
    }
    log.debug(
        file
            + " holds credentials valid for only "
            + (left.isNegative() ? "0s" : Durations.human(left))
            + ": fetching");
    return false;
  }
}
