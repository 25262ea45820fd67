package io.github.imdsenv.sink;

import io.github.imdsenv.Clock;
import io.github.imdsenv.FileErrors;
import io.github.imdsenv.settings.Durations;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.Set;

/**
 * What {@link OutputFile} may lock and replace: {@code FILE.lock} (a regular file of root's or the
 * caller's, waited for within the deadline), only a regular file, and a chain of symbolic links
 * only where no one else could have redirected it.
 */
final class Guard {

  static final long LOCK_POLL_MILLIS = 20;

  private Guard() {}

  /**
   * {@code FILE.lock}, polled every {@link #LOCK_POLL_MILLIS} ms while the next attempt still comes
   * before the deadline.
   */
  static FileChannel takeLock(Place place, Duration wait, Clock clock) throws IOException {
    long deadlineNanos = clock.nanoTime() + wait.toNanos();
    Path name = Path.of(place.name + ".lock");
    Path shown = place.dirPath.resolve(name);
    requireRegularOrAbsent(
        place.attributes(name), shown, "remove it: imds-env makes its own lock file");
    FileChannel ch;
    try {
      // read and write: a FIFO put there does not block the open (and is refused just below)
      ch =
          (FileChannel)
              place.dir.newByteChannel(
                  name,
                  Set.of(
                      StandardOpenOption.CREATE,
                      StandardOpenOption.READ,
                      StandardOpenOption.WRITE,
                      LinkOption.NOFOLLOW_LINKS),
                  OutputFile.OWNER_ONLY);
    } catch (IOException e) {
      throw new Place.Refused(
          "cannot open its lock file "
              + shown
              + ": "
              + FileErrors.reason(e)
              + (cannotWriteHere(e)
                  ? " (the lock and the new file are made beside FILE): write FILE in a directory"
                      + " you may write, or run as a user who may write "
                      + place.dirPath
                  : " (without the lock, concurrent runs could interleave)"));
    }
    try {
      PosixFileAttributes a = place.attributes(name);
      requireRegularOrAbsent(a, shown, "remove it: imds-env makes its own lock file");
      if (a == null || !Ids.trusted(a.owner())) {
        throw new Place.Refused(
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
        if (clock.nanoTime() + LOCK_POLL_MILLIS * 1_000_000 - deadlineNanos >= 0) {
          throw new Place.Refused(
              "its lock file "
                  + shown
                  + " stayed locked by another process (another imds-env run?)"
                  + " past the run's "
                  + Durations.human(wait)
                  + " deadline; try again later");
        }
        clock.sleep(LOCK_POLL_MILLIS);
      }
    } catch (IOException | RuntimeException e) {
      OutputFile.closeQuietly(ch);
      throw e;
    } catch (InterruptedException e) {
      OutputFile.closeQuietly(ch);
      Thread.currentThread().interrupt();
      throw new Place.Refused("interrupted while waiting for its lock file " + shown);
    }
  }

  /** The directory refuses new files to this user: no permission, or a read-only file system. */
  private static boolean cannotWriteHere(IOException e) {
    return e instanceof AccessDeniedException
        || (e instanceof FileSystemException f && "Read-only file system".equals(f.getReason()));
  }

  /**
   * Where the content goes: FILE itself, or the end of a chain of symbolic links that are safe to
   * follow.
   */
  static Place target(Place place) throws IOException {
    Place at = place;
    try {
      for (int hops = 0; ; hops++) {
        PosixFileAttributes a = at.attributes();
        if (a == null || !a.isSymbolicLink()) {
          requireRegularOrAbsent(a, at.path(), "imds-env replaces only regular files");
          return at;
        }
        if (hops == 40) {
          throw new Place.Refused("too many symbolic links");
        }
        if (!Ids.trusted(a.owner())) {
          throw new Place.Refused(
              at.path()
                  + " is a symbolic link owned by "
                  + a.owner().getName()
                  + ", not root or you; pass the file it should point to instead");
        }
        Place next;
        try {
          next = at.followLink();
        } catch (Place.Refused e) {
          throw new Place.Refused(
              at.path()
                  + " is a symbolic link that is not safe to follow: "
                  + e.getMessage()
                  + "; pass a file in a directory no one else can write instead");
        }
        Place passed = at;
        at = next;
        if (passed != place) {
          passed.close();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (at != place) {
        // a link's target, opened here: the caller closes only what it passed in
        OutputFile.closeQuietly(at);
      }
      throw e;
    }
  }

  static void requireRegularOrAbsent(PosixFileAttributes a, Path shown, String what)
      throws Place.Refused {
    if (a == null || a.isRegularFile()) {
      return;
    }
    throw new Place.Refused(
        shown + " is " + kind(a, shown) + ", not a regular file: refused (" + what + ")");
  }

  /**
   * What a path that is not a regular file is, in a user's words (the message's only use of the
   * path).
   */
  private static String kind(PosixFileAttributes a, Path shown) {
    if (a.isDirectory()) {
      return "a directory";
    }
    if (a.isSymbolicLink()) {
      return "a symbolic link";
    }
    try {
      int type =
          (Integer) Files.getAttribute(shown, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
      return switch (type) {
        case 0010000 -> "a FIFO";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        default -> "a special file";
      };
    } catch (IOException | RuntimeException e) {
      return "a special file";
    }
  }
}
