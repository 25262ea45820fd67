package io.github.imdsenv.sink;

import io.github.imdsenv.Clock;
import io.github.imdsenv.FileErrors;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * An output file replaced atomically and safely even in a directory other users can write: a
 * temporary file beside it, owner-only from its creation, written, given the old file's owner,
 * group and mode (never any permission for others), fsynced, renamed over it, the directory
 * fsynced. Writers of one file serialize on {@code FILE.lock}, waiting no longer than the run's
 * deadline. Only a regular file is ever replaced; a symbolic link is written through only when no
 * one else could have redirected it ({@link DirEntry}). Every operation goes through the
 * directory's descriptor. On any failure the file is left exactly as it was and the temporary file
 * removed.
 */
public final class OutputFile implements AutoCloseable {

  /** The most of an existing file read back (a credentials file holding many profiles fits). */
  public static final int MAX_READ = 16 * 1024 * 1024;

  /** The new file's name in the private directory it is made in. */
  private static final Path TMP = Path.of("new");

  private final Path file;
  private final DirEntry lockPlace;
  private final FileChannel lockChannel;
  private final DirEntry target;
  private final Consumer<String> warn;

  private OutputFile(
      Path file,
      DirEntry lockPlace,
      FileChannel lockChannel,
      DirEntry target,
      Consumer<String> warn) {
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
  public static OutputFile lock(Path file, Duration wait, Consumer<String> warn) {
    return lock(file, wait, warn, Clock.SYSTEM);
  }

  static OutputFile lock(Path file, Duration wait, Consumer<String> warn, Clock clock) {
    DirEntry place = null;
    FileChannel lock = null;
    try {
      place = DirEntry.of(file);
      PosixFileAttributes a = place.attributes();
      if (a != null && !a.isSymbolicLink()) {
        // before making a lock file for it
        DirEntry.requireRegularOrAbsent(a, place.path(), "imds-env replaces only regular files");
      }
      lock = LockFile.take(place, wait, clock);
      return new OutputFile(file, place, lock, place.target(), warn);
    } catch (IOException e) {
      DirEntry.closeQuietly(lock);
      DirEntry.closeQuietly(place);
      throw failure(file, FileErrors.reason(e));
    }
  }

  /**
   * The file's current bytes; null when there is no file. A file over {@link #MAX_READ} is refused.
   */
  public byte[] read() {
    try {
      PosixFileAttributes before = target.attributes();
      if (before == null) {
        return null;
      }
      DirEntry.requireRegularOrAbsent(
          before, target.path(), "imds-env replaces only regular files");
      try (FileChannel ch = openForReading()) {
        PosixFileAttributes now = target.attributes();
        if (now == null || !before.fileKey().equals(now.fileKey())) {
          throw new DirEntry.Refused(target.path() + " changed while being opened");
        }
        long size = ch.size();
        if (size > MAX_READ) {
          throw new DirEntry.Refused(
              target.path()
                  + " is over "
                  + (MAX_READ >> 20)
                  + " MiB, more than a credentials file"
                  + " holds");
        }
        // exactly the size seen, then one byte more to find a file that grows meanwhile: one copy
        // in memory
        byte[] bytes = new byte[(int) size];
        InputStream in = Channels.newInputStream(ch);
        if (in.readNBytes(bytes, 0, bytes.length) < bytes.length || in.read() >= 0) {
          throw new DirEntry.Refused(target.path() + " changed size while being read");
        }
        return bytes;
      }
    } catch (IOException e) {
      throw failure(file, FileErrors.reason(e));
    }
  }

  /** Read and write where allowed: a FIFO swapped in meanwhile then does not block the open. */
  private FileChannel openForReading() throws IOException {
    try {
      return target.channel(
          target.name(),
          Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
    } catch (AccessDeniedException e) {
      return target.channel(
          target.name(), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }
  }

  /**
   * Replaces the file with {@code content}, atomically. The new file gets {@code mode} when given,
   * else the old file's mode without any permission for others, else 0600; and the old file's owner
   * and group where they can be trusted ({@link Ownership}).
   *
   * <p>The new file is made and finished in a private directory beside the target (0700, the
   * caller's) and renamed from there: no one else can open, replace or link it on the way.
   */
  public void replace(byte[] content, Set<PosixFilePermission> mode) {
    Path priv = null;
    SecureDirectoryStream<Path> p = null;
    try {
      PosixFileAttributes old = target.attributes();
      DirEntry.requireRegularOrAbsent(old, target.path(), "imds-env replaces only regular files");
      Ownership ownership = new Ownership(target, warn);
      boolean keepOwner = old != null && ownership.keepsOwner(old);
      Set<PosixFilePermission> perms = ownership.permissions(old, keepOwner, mode);
      removeLeftovers();
      priv = Path.of(privatePrefix() + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      p = target.makePrivate(priv);
      try (FileChannel ch =
          (FileChannel)
              p.newByteChannel(
                  TMP,
                  Set.of(
                      StandardOpenOption.CREATE_NEW,
                      StandardOpenOption.WRITE,
                      LinkOption.NOFOLLOW_LINKS),
                  DirEntry.OWNER_ONLY)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        PosixFileAttributeView view =
            p.getFileAttributeView(TMP, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (keepOwner) {
          Ownership.keepOwners(view, old);
        }
        view.setPermissions(perms);
        ch.force(true);
      }
      // never a non-atomic fallback: a reader must see the old file or the new one, whole
      target.moveHere(p, TMP);
      target.syncDirectory();
    } catch (IOException e) {
      throw failure(file, FileErrors.reason(e));
    } finally {
      if (p != null) {
        removePrivate(p, priv);
      }
    }
  }

  @Override
  public void close() {
    // closing the channel releases the lock
    DirEntry.closeQuietly(lockChannel);
    if (target != lockPlace) {
      DirEntry.closeQuietly(target);
    }
    DirEntry.closeQuietly(lockPlace);
  }

  /**
   * The private directories of writers of this file: hidden, named for the file (by hash: any
   * length fits).
   */
  private String privatePrefix() {
    return ".imds-env-" + Integer.toHexString(target.name().toString().hashCode()) + "-";
  }

  /**
   * Private directories of writers killed before they finished (only lock holders make them), by
   * the exact name {@link #replace} gives them; {@link #removePrivate} checks their shape.
   */
  private void removeLeftovers() {
    String prefix = privatePrefix();
    try {
      for (Path entry : target.entries()) {
        String name = entry.getFileName().toString();
        if (name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9a-f]{1,16}")) {
          try {
            SecureDirectoryStream<Path> p = target.openDirectory(Path.of(name));
            if (p != null) {
              removePrivate(p, Path.of(name));
            }
          } catch (IOException e) {
            // not ours to fail on
          }
        }
      }
    } catch (RuntimeException e) {
      // the directory could not be listed: not ours to fail on
    }
  }

  /**
   * Empties and removes a private directory (closing its stream), only when it has exactly the
   * shape {@link #replace} makes: the caller's, mode 0700, holding nothing but a regular file named
   * {@code new}. Anything else under such a name (another user who can write the directory could
   * rename one of root's there) is left as it is; what cannot be removed waits for the next run.
   */
  private void removePrivate(SecureDirectoryStream<Path> p, Path name) {
    try (p) {
      PosixFileAttributes a = p.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
      if (!a.owner().equals(Ids.caller())
          || !a.permissions().equals(DirEntry.PRIVATE_PERMISSIONS)) {
        return;
      }
      boolean hasTmp = false;
      for (Path entry : p) {
        if (!entry.getFileName().equals(TMP)) {
          return;
        }
        hasTmp = true;
      }
      if (hasTmp) {
        // through the directory's descriptor: only the caller (or root) can change what it holds
        PosixFileAttributes f =
            p.getFileAttributeView(TMP, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (!f.isRegularFile()) {
          return;
        }
        p.deleteFile(TMP);
      }
      // by name: still the same directory (a name swapped meanwhile keeps its directory)
      PosixFileAttributes now = target.attributes(name);
      if (now != null && a.fileKey().equals(now.fileKey())) {
        target.deleteDirectory(name);
      }
    } catch (IOException | RuntimeException e) {
      // the next writer tries again
    }
  }

  /**
   * FILE could not be written ({@code why}: a refusal's message or {@link FileErrors#reason}). That
   * it was left as it was is said of a FILE that is there (for the message alone: no decision).
   */
  private static ImdsEnvException failure(Path file, String why) {
    boolean there = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    return new ImdsEnvException(
        Reason.OUTPUT,
        "cannot write " + file + ": " + why + (there ? "; the file was left as it was" : ""));
  }
}
