package io.github.imdsenv.sink;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.settings.Durations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * An output file replaced atomically and safely even in a directory other users can write: a
 * temporary file beside it, owner-only from its creation, written, given the old file's owner,
 * group and mode (never any permission for others), fsynced, renamed over it, the directory
 * fsynced. Writers of one file serialize on {@code FILE.lock}, waiting no longer than the run's
 * deadline. Only a regular file is ever replaced; a symbolic link is written through only when no
 * one else could have redirected it ({@link Place}). Every operation goes through the directory's
 * descriptor. On any failure the file is left exactly as it was and the temporary file removed.
 */
public final class EnvFile implements AutoCloseable {

  /** The most of an existing file read back (a credentials file holding many profiles fits). */
  public static final int MAX_READ = 16 * 1024 * 1024;

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  private static final long LOCK_POLL_MILLIS = 20;

  private final Path file;
  private final Place lockPlace;
  private final FileChannel lockChannel;
  private final Place target;
  private final Consumer<String> warn;

  private EnvFile(Path file, Place lockPlace, FileChannel lockChannel, Place target, Consumer<String> warn) {
    this.file = file;
    this.lockPlace = lockPlace;
    this.lockChannel = lockChannel;
    this.target = target;
    this.warn = warn;
  }

  /**
   * Takes {@code FILE.lock}, waiting for another writer no longer than {@code wait}, and finds
   * where the content will go.
   */
  public static EnvFile lock(Path file, Duration wait, Consumer<String> warn) {
    Place place = null;
    FileChannel lock = null;
    Place target = null;
    try {
      place = Place.of(file);
      PosixFileAttributes a = place.attributes();
      if (a != null && !a.isSymbolicLink()) {
        // before making a lock file for it
        requireRegularOrAbsent(a, place.path(), "imds-env replaces only regular files");
      }
      lock = takeLock(place, wait);
      target = target(place);
      return new EnvFile(file, place, lock, target, warn);
    } catch (IOException e) {
      if (target != place) {
        closeQuietly(target);
      }
      closeQuietly(lock);
      closeQuietly(place);
      throw failure(file, describe(e));
    }
  }

  private static FileChannel takeLock(Place place, Duration wait) throws IOException {
    long deadlineNanos = System.nanoTime() + wait.toNanos();
    Path name = Path.of(place.name + ".lock");
    Path shown = place.dirPath.resolve(name);
    requireRegularOrAbsent(place.attributes(name), shown, "remove it: imds-env makes its own lock file");
    FileChannel ch;
    try {
      // read and write: a FIFO put there does not block the open (and is refused just below)
      ch = (FileChannel) place.dir.newByteChannel(name, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), OWNER_ONLY);
    } catch (IOException e) {
      throw new Place.Refused("cannot open its lock file " + shown + ": " + describe(e)
          + " (without the lock, concurrent runs could interleave)");
    }
    try {
      PosixFileAttributes a = place.attributes(name);
      requireRegularOrAbsent(a, shown, "remove it: imds-env makes its own lock file");
      if (a == null || !Place.Ids.trusted(a.owner())) {
        throw new Place.Refused("its lock file " + shown + " is owned by " + (a == null ? "no one" : a.owner().getName())
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
        if (System.nanoTime() + LOCK_POLL_MILLIS * 1_000_000 - deadlineNanos >= 0) {
          throw new Place.Refused("its lock file " + shown + " stayed locked by another process (another imds-env run?)"
              + " past the run's " + Durations.human(wait) + " deadline; try again later");
        }
        Thread.sleep(LOCK_POLL_MILLIS);
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      throw e;
    } catch (InterruptedException e) {
      closeQuietly(ch);
      Thread.currentThread().interrupt();
      throw new Place.Refused("interrupted while waiting for its lock file " + shown);
    }
  }

  /** Where the content goes: FILE itself, or the end of a chain of symbolic links that are safe to follow. */
  private static Place target(Place place) throws IOException {
    Place at = place;
    for (int hops = 0; ; hops++) {
      PosixFileAttributes a = at.attributes();
      if (a == null || !a.isSymbolicLink()) {
        requireRegularOrAbsent(a, at.path(), "imds-env replaces only regular files");
        return at;
      }
      if (hops == 40) {
        throw new Place.Refused("too many symbolic links");
      }
      if (!Place.Ids.trusted(a.owner())) {
        throw new Place.Refused(at.path() + " is a symbolic link owned by " + a.owner().getName()
            + ", not root or you; pass the file it should point to instead");
      }
      Place next;
      try {
        next = at.followLink();
      } catch (Place.Refused e) {
        throw new Place.Refused(at.path() + " is a symbolic link that is not safe to follow: " + e.getMessage()
            + "; pass a file in a directory no one else can write instead");
      }
      if (at != place) {
        at.close();
      }
      at = next;
    }
  }

  private static void requireRegularOrAbsent(PosixFileAttributes a, Path shown, String what) throws Place.Refused {
    if (a == null || a.isRegularFile()) {
      return;
    }
    throw new Place.Refused(shown + " is " + kind(a, shown) + ", not a regular file: refused (" + what + ")");
  }

  /** What a path that is not a regular file is, in a user's words (the message's only use of the path). */
  private static String kind(PosixFileAttributes a, Path shown) {
    if (a.isDirectory()) {
      return "a directory";
    }
    if (a.isSymbolicLink()) {
      return "a symbolic link";
    }
    try {
      int type = (Integer) Files.getAttribute(shown, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
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

  /** The file's current bytes; null when there is no file. A file over {@link #MAX_READ} is refused. */
  public byte[] read() {
    try {
      PosixFileAttributes before = target.attributes();
      if (before == null) {
        return null;
      }
      requireRegularOrAbsent(before, target.path(), "imds-env replaces only regular files");
      try (FileChannel ch = openForReading()) {
        PosixFileAttributes now = target.attributes();
        if (now == null || !before.fileKey().equals(now.fileKey())) {
          throw new Place.Refused(target.path() + " changed while being opened");
        }
        long size = ch.size();
        if (size > MAX_READ) {
          throw new Place.Refused(target.path() + " is over " + (MAX_READ >> 20) + " MiB, more than a credentials file"
              + " holds");
        }
        // exactly the size seen, then one byte more to find a file that grows meanwhile: one copy in memory
        byte[] bytes = new byte[(int) size];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
          // to the size seen
        }
        if (buf.hasRemaining() || ch.read(ByteBuffer.allocate(1)) > 0) {
          throw new Place.Refused(target.path() + " changed size while being read");
        }
        return bytes;
      }
    } catch (IOException e) {
      throw failure(file, describe(e));
    }
  }

  /** Read and write where allowed: a FIFO swapped in meanwhile then does not block the open. */
  private FileChannel openForReading() throws IOException {
    try {
      return (FileChannel) target.dir.newByteChannel(target.name,
          Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
    } catch (AccessDeniedException e) {
      return (FileChannel) target.dir.newByteChannel(target.name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }
  }

  /**
   * Replaces the file with {@code content}, atomically. The new file gets {@code mode} when given,
   * else the old file's mode without any permission for others, else 0600; and the old file's
   * owner and group where they can be trusted ({@link #keepsOwner}).
   *
   * <p>The new file is made and finished in a private directory beside the target (0700, the
   * caller's) and renamed from there: no one else can open, replace or link it on the way.
   */
  public void replace(byte[] content, Set<PosixFilePermission> mode) {
    Path priv = null;
    SecureDirectoryStream<Path> p = null;
    Path tmp = Path.of("new");
    try {
      PosixFileAttributes old = target.attributes();
      requireRegularOrAbsent(old, target.path(), "imds-env replaces only regular files");
      boolean keepOwner = old != null && keepsOwner(old);
      Set<PosixFilePermission> perms = permissions(old, keepOwner, mode);
      removeLeftovers();
      priv = Path.of(privatePrefix() + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
      p = target.makePrivate(priv);
      try (FileChannel ch = (FileChannel) p.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), OWNER_ONLY)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        PosixFileAttributeView view = p.getFileAttributeView(tmp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (keepOwner) {
          keepOwners(view, old);
        }
        view.setPermissions(perms);
        ch.force(true);
      }
      // never a non-atomic fallback: a reader must see the old file or the new one, whole
      p.move(tmp, target.dir, target.name);
      try (FileChannel d = (FileChannel) target.dir.newByteChannel(Path.of("."), Set.of(StandardOpenOption.READ))) {
        d.force(true);
      }
    } catch (IOException e) {
      throw failure(file, describe(e));
    } finally {
      if (p != null) {
        removePrivate(p, priv);
      }
    }
  }

  /**
   * An existing file's owner is kept when no one else could have put it there: it is root's or the
   * caller's, or that of the directory's owner, or the directory is writable by no one else. A file
   * another user planted in a shared directory (/tmp) is not given the credentials: it is replaced
   * by the caller's own, with a warning.
   */
  private boolean keepsOwner(PosixFileAttributes old) throws IOException {
    PosixFileAttributes d = target.dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
    boolean dirWritableByOthers = d.permissions().contains(PosixFilePermission.GROUP_WRITE)
        || d.permissions().contains(PosixFilePermission.OTHERS_WRITE);
    if (Place.Ids.trusted(old.owner()) || old.owner().equals(d.owner())
        || (Place.Ids.trusted(d.owner()) && !dirWritableByOthers)) {
      return true;
    }
    warn.accept("warning: " + target.path() + " belonged to " + old.owner().getName() + ", who could have put it in "
        + target.dirPath + " (writable by others) and is neither you nor that directory's owner: it is written as"
        + " yours instead");
    return false;
  }

  private Set<PosixFilePermission> permissions(PosixFileAttributes old, boolean keepOwner, Set<PosixFilePermission> mode) {
    if (mode != null) {
      return mode;
    }
    if (old == null || !keepOwner) {
      return PosixFilePermissions.fromString("rw-------");
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    perms.addAll(old.permissions());
    if (perms.removeAll(OTHERS)) {
      warn.accept("warning: " + target.path() + " gave other users access (mode " + octal(old.permissions())
          + "); it is written " + octal(perms) + ": credentials are never readable by every user");
    }
    return perms;
  }

  private void keepOwners(PosixFileAttributeView view, PosixFileAttributes old) throws IOException {
    PosixFileAttributes now = view.readAttributes();
    try {
      if (!now.owner().equals(old.owner())) {
        view.setOwner(old.owner());
      }
      if (!now.group().equals(old.group())) {
        view.setGroup(old.group());
      }
    } catch (FileSystemException e) {
      throw new Place.Refused("it is owned by " + old.owner().getName() + ":" + old.group().getName()
          + ", which this user cannot give a new file (" + describe(e) + "); run as root or as its owner");
    }
  }

  @Override
  public void close() {
    // closing the channel releases the lock
    closeQuietly(lockChannel);
    if (target != lockPlace) {
      closeQuietly(target);
    }
    closeQuietly(lockPlace);
  }

  /** The private directories of writers of this file: hidden, named for the file (by hash: any length fits). */
  private String privatePrefix() {
    return ".imds-env-" + Integer.toHexString(target.name.toString().hashCode()) + "-";
  }

  /** Private directories of writers killed before they finished; only lock holders make them. */
  private void removeLeftovers() {
    String prefix = privatePrefix();
    try {
      for (Path entry : target.dir) {
        String name = entry.getFileName().toString();
        PosixFileAttributes a = name.startsWith(prefix) ? target.attributes(Path.of(name)) : null;
        if (a != null && a.isDirectory() && a.owner().equals(Place.Ids.caller())) {
          removePrivate(target.dir.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS), Path.of(name));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not ours to fail on
    }
  }

  /** Empties and removes a private directory (closing its stream); what cannot be removed waits for the next run. */
  private void removePrivate(SecureDirectoryStream<Path> p, Path name) {
    try (p) {
      for (Path entry : p) {
        p.deleteFile(entry.getFileName());
      }
    } catch (IOException | RuntimeException e) {
      // the next writer tries again
    }
    try {
      target.dir.deleteDirectory(name);
    } catch (IOException e) {
      // the next writer tries again
    }
  }

  /** {@code rw-r-----} as {@code 0640}. */
  static String octal(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= 0400 >> p.ordinal();
    }
    return String.format("0%03o", mode);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing more to do
      }
    }
  }

  private static String describe(IOException e) {
    if (e instanceof Place.Refused) {
      return e.getMessage();
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static ImdsEnvException failure(Path file, String why) {
    return new ImdsEnvException(Reason.OUTPUT, "cannot write " + file + ": " + why + "; the file was left as it was");
  }
}
