package io.github.imdsenv.sink;

import io.github.imdsenv.Clock;
import io.github.imdsenv.FileErrors;
import io.github.imdsenv.settings.Durations;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.Set;

/**
 * {@code FILE.lock}, which writers of one FILE serialize on: a regular file of root's or the
 * caller's, made owner-only beside FILE, waited for within the run's deadline.
 */
final class LockFile {

  static final long POLL_MILLIS = 20;

  private LockFile() {}

  /**
   * {@code FILE.lock}, polled every {@link #POLL_MILLIS} ms while the next attempt still comes
   * before the deadline.
   */
  static FileChannel take(DirEntry place, Duration wait, Clock clock) throws IOException {
    long deadlineNanos = clock.nanoTime() + wait.toNanos();
    Path name = Path.of(place.name() + ".lock");
    Path shown = place.dirPath().resolve(name);
    DirEntry.requireRegularOrAbsent(
        place.attributes(name), shown, "remove it: imds-env makes its own lock file");
    FileChannel ch;
    try {
      // read and write: a FIFO put there does not block the open (and is refused just below)
      ch =
          place.channel(
              name,
              Set.of(
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              DirEntry.OWNER_ONLY);
    } catch (IOException e) {
      throw new DirEntry.Refused(
          "cannot open its lock file "
              + shown
              + ": "
              + FileErrors.reason(e)
              + (cannotWriteHere(e)
                  ? " (the lock and the new file are made beside FILE): write FILE in a directory"
                      + " you may write, or run as a user who may write "
                      + place.dirPath()
                  : " (without the lock, concurrent runs could interleave)"));
    }
    try {
      PosixFileAttributes a = place.attributes(name);
      DirEntry.requireRegularOrAbsent(a, shown, "remove it: imds-env makes its own lock file");
      if (a == null || !Ids.trusted(a.owner())) {
        throw new DirEntry.Refused(
            "its lock file "
                + shown
                + " is owned by "
                + (a == null ? "no one" : a.owner().getName())
                + ", not root or you: remove it");
      }
      while (true) {
        try {
          if (ch.tryLock() != null) {
            return ch;
          }
        } catch (OverlappingFileLockException e) {
          // held by this very process: wait like for any other holder
        }
        if (clock.nanoTime() + POLL_MILLIS * 1_000_000 - deadlineNanos >= 0) {
          throw new DirEntry.Refused(
              "its lock file "
                  + shown
                  + " stayed locked by another process (another imds-env run?)"
                  + " past the run's "
                  + Durations.human(wait)
                  + " deadline; try again later");
        }
        clock.sleep(POLL_MILLIS);
      }
    } catch (IOException | RuntimeException e) {
      DirEntry.closeQuietly(ch);
      throw e;
    } catch (InterruptedException e) {
      DirEntry.closeQuietly(ch);
      Thread.currentThread().interrupt();
      throw new DirEntry.Refused("interrupted while waiting for its lock file " + shown);
    }
  }

  /** The directory refuses new files to this user: no permission, or a read-only file system. */
  private static boolean cannotWriteHere(IOException e) {
    return e instanceof AccessDeniedException
        || (e instanceof FileSystemException f && "Read-only file system".equals(f.getReason()));
  }
}
