package io.github.imdsenv.sink;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * An output file replaced atomically: a temporary file in the same directory, owner-only from its
 * creation (umask cannot widen it), written, fsynced, renamed over the target, the directory
 * fsynced. Writers of one file serialize on a sibling lock file. On any failure the target is left
 * exactly as it was and the temporary file is removed.
 */
public final class EnvFile implements AutoCloseable {

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final int MAX_READ = 1024 * 1024;

  private final Path file;
  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private EnvFile(Path file, Path dir, FileChannel lockChannel, FileLock lock) {
    this.file = file;
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Takes the lock of {@code file}, waiting for another writer to finish. */
  public static EnvFile lock(Path file) {
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    if (!Files.isDirectory(dir)) {
      throw failure(file, "its directory " + dir + " does not exist");
    }
    if (Files.isDirectory(absolute)) {
      throw failure(file, "it is a directory");
    }
    FileChannel channel = null;
    try {
      Path lockFile = dir.resolve(absolute.getFileName() + ".lock");
      try {
        channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OWNER_ONLY);
      } catch (FileSystemException e) {
        // a read-only directory may still hold a lock file made earlier, or none can be made: lock nothing then
        channel = null;
      }
      FileLock lock = channel == null ? null : channel.lock();
      return new EnvFile(absolute, dir, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw failure(file, describe(e));
    }
  }

  /** The file's current content, or null when it is missing, unreadable or too large. */
  public String read() {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_READ) {
        return null;
      }
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /** Replaces the file with {@code content}, atomically. */
  public void replace(String content) {
    removeLeftovers();
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, tempPrefix(), ".tmp", OWNER_ONLY);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      // never a non-atomic fallback: a reader must see the old file or the new one, whole
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw failure(file, describe(e));
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // the next writer removes it under the lock
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      if (lock != null) {
        lock.release();
      }
    } catch (IOException e) {
      // closing the channel releases it anyway
    }
    closeQuietly(lockChannel);
  }

  private String tempPrefix() {
    return "." + file.getFileName() + ".";
  }

  /** Temporary files of writers killed between creating and renaming them; only lock holders make them. */
  private void removeLeftovers() {
    if (lock == null) {
      return;
    }
    String prefix = tempPrefix();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.startsWith(prefix) && name.endsWith(".tmp")) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // not ours to fail on
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }

  private static String describe(IOException e) {
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
    return new ImdsEnvException(Kind.OUTPUT, "cannot write " + file + ": " + why + "; the file was left as it was");
  }
}
