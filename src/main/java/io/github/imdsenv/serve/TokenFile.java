package io.github.imdsenv.serve;

import io.github.imdsenv.FileErrors;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;

/**
 * The token containers must send, in a file: made when missing (256 random bits, URL-safe base64,
 * no newline), kept across restarts, read again when it changes, the previous one accepted for
 * {@link #GRACE}. The layout that lets a container's non-root user read it while no other local
 * user can: {@code PRIVATE/DIR/FILE}, PRIVATE searchable by its owner alone (a systemd
 * StateDirectory, 0700), DIR 0755 and FILE 0644 inside; a container mounts DIR (a directory, so
 * that a token replaced by a rename reaches it; a single-file bind mount would keep the old inode).
 * Compared in constant time; its value never reaches a message.
 */
public final class TokenFile {

  /**
   * Where the systemd unit keeps it (its StateDirectory, 0700); containers mount {@code
   * /var/lib/imds-env/token}.
   */
  public static final Path DEFAULT = Path.of("/var/lib/imds-env/token/token");

  /** How long the token before a change is still accepted. */
  public static final Duration GRACE = Duration.ofMinutes(10);

  /** A token is at least this long (256 bits in base64 are 43 characters). */
  static final int MIN_LENGTH = 32;

  static final int MAX_LENGTH = 4096;

  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-r--r--");

  /** What a change looks like on disk: another inode, size or mtime. */
  private record Stamp(Object fileKey, long size, Instant modified) {}

  private record Tokens(byte[] current, byte[] previous, Instant previousUntil) {}

  private final Path file;
  private final InstantSource clock;
  private volatile Tokens tokens;
  private Stamp stamp;

  private TokenFile(Path file, InstantSource clock) {
    this.file = file;
    this.clock = clock;
  }

  /**
   * The token in {@code file}, made first when it is missing. Throws (TOKEN_UNUSABLE) when it
   * cannot be had, or when its place would let other local users read it.
   */
  public static TokenFile open(Path file, InstantSource clock) {
    Path absolute = file.toAbsolutePath().normalize();
    TokenFile t = new TokenFile(absolute, clock);
    checkPlace(absolute);
    if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
      create(absolute);
    }
    Stamp s = t.stampNow();
    t.tokens = new Tokens(read(absolute), null, null);
    t.stamp = s;
    return t;
  }

  public Path file() {
    return file;
  }

  /**
   * Whether {@code presented} (the Authorization header, verbatim) is the token, in constant time.
   */
  public boolean accepts(String presented) {
    if (presented == null) {
      return false;
    }
    byte[] p = presented.getBytes(StandardCharsets.UTF_8);
    Tokens t = tokens;
    // both compared, always: the time taken says nothing about which one matched
    boolean current = MessageDigest.isEqual(p, t.current());
    boolean previous =
        t.previous() != null
            && MessageDigest.isEqual(p, t.previous())
            && clock.instant().isBefore(t.previousUntil());
    return current | previous;
  }

  /**
   * Reads the file again when it changed: the new token takes over, the one before is accepted
   * until {@link #GRACE} from now. Returns what happened, for the log; null when nothing changed.
   * Throws when the changed file is unusable (the token held is kept).
   */
  public synchronized String reload() {
    Stamp s = stampNow();
    if (s.equals(stamp)) {
      return null;
    }
    // a broken file is read (and reported) once, not at every look
    stamp = s;
    byte[] fresh = read(file);
    Tokens t = tokens;
    if (MessageDigest.isEqual(fresh, t.current())) {
      return null;
    }
    Instant until = clock.instant().plus(GRACE);
    tokens = new Tokens(fresh, t.current(), until);
    return "the token in " + file + " changed; the one before is accepted until " + until;
  }

  private Stamp stampNow() {
    try {
      PosixFileAttributes a =
          Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime().toInstant());
    } catch (IOException e) {
      throw unusable("cannot read the token file " + file + ": " + FileErrors.reason(e), e);
    }
  }

  /** A new token: 32 bytes of SecureRandom, base64url without padding (43 characters). */
  static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * DIR is made (0755) when missing, in a PRIVATE that other users cannot search; FILE is written
   * whole under a temporary name, 0644, and renamed into place.
   */
  private static void create(Path file) {
    Path dir = file.getParent();
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir);
        // not through createDirectory's attribute: the umask would take bits off it
        Files.setPosixFilePermissions(dir, DIR_MODE);
        checkPlace(file);
      }
      Path tmp = dir.resolve("." + file.getFileName() + ".new");
      Files.deleteIfExists(tmp);
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ch.write(java.nio.ByteBuffer.wrap(newToken().getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      Files.setPosixFilePermissions(tmp, FILE_MODE);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
    } catch (FileAlreadyExistsException e) {
      // another serve made it meanwhile: read that one
    } catch (IOException e) {
      throw unusable("cannot create the token file " + file + ": " + FileErrors.reason(e), e);
    }
  }

  /**
   * Refuses a place where the token would be open to other local users: readable by others in a
   * directory others can search inside one others can search, or in a directory that someone else
   * could write (and so swap the token for one of their own).
   */
  static void checkPlace(Path file) {
    Path dir = file.getParent();
    Path outer = dir.getParent();
    if (outer == null) {
      throw unusable(
          "--token-file "
              + file
              + ": put it in a directory of its own inside a private one, e.g. "
              + DEFAULT,
          null);
    }
    try {
      int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      PosixFileAttributes outerAttrs = Files.readAttributes(outer, PosixFileAttributes.class);
      boolean outerOpen = searchable(outerAttrs);
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        if (outerOpen) {
          throw exposed(file, outer, outerAttrs);
        }
        return;
      }
      PosixFileAttributes dirAttrs =
          Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!dirAttrs.isDirectory()) {
        throw unusable("--token-file " + file + ": " + dir + " is not a directory", null);
      }
      int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      Set<PosixFilePermission> p = dirAttrs.permissions();
      if ((owner != me && owner != 0)
          || p.contains(PosixFilePermission.GROUP_WRITE)
          || p.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw unusable(
            "--token-file "
                + file
                + ": its directory "
                + dir
                + " may be written by another user, who could replace the token: make it"
                + " yours (or root's) and not writable by group or others (chmod 755)",
            null);
      }
      boolean fileReadable = true;
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        fileReadable =
            Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                .contains(PosixFilePermission.OTHERS_READ);
      }
      if (fileReadable && searchable(dirAttrs) && outerOpen) {
        throw exposed(file, outer, outerAttrs);
      }
    } catch (IOException e) {
      throw unusable("--token-file " + file + ": " + FileErrors.reason(e), e);
    }
  }

  private static boolean searchable(PosixFileAttributes a) {
    return a.permissions().contains(PosixFilePermission.OTHERS_EXECUTE);
  }

  private static ImdsEnvException exposed(Path file, Path outer, PosixFileAttributes outerAttrs) {
    return unusable(
        "--token-file "
            + file
            + ": every local user could read it ("
            + outer
            + " is "
            + PosixFilePermissions.toString(outerAttrs.permissions())
            + "): keep it in a directory of its own inside one only its owner may enter (chmod 700 "
            + outer
            + "), as the systemd unit's "
            + DEFAULT
            + " is",
        null);
  }

  /** The token in the file: a regular file, capped, one line of visible ASCII, no newline. */
  static byte[] read(Path file) {
    byte[] bytes;
    // checked before it is opened: opening a FIFO would block (only DIR's owner could put one
    // there)
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw unusable("the token file " + file + " is not a regular file", null);
    }
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        InputStream in = Channels.newInputStream(ch)) {
      bytes = in.readNBytes(MAX_LENGTH + 1);
    } catch (NoSuchFileException e) {
      throw unusable("the token file " + file + " is missing", e);
    } catch (IOException e) {
      throw unusable("cannot read the token file " + file + ": " + FileErrors.reason(e), e);
    }
    int n = bytes.length;
    if (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
      throw unusable(
          "the token file "
              + file
              + " ends with a line break, which every SDK sends along and then fails on: write it"
              + " without one (printf '%s' TOKEN > FILE), or delete it to have a new one made",
          null);
    }
    if (n < MIN_LENGTH || n > MAX_LENGTH) {
      throw unusable(
          "the token in "
              + file
              + " is "
              + (n < MIN_LENGTH ? "shorter than " + MIN_LENGTH : "longer than " + MAX_LENGTH)
              + " characters: delete the file to have a new one made",
          null);
    }
    for (byte b : bytes) {
      if (b <= ' ' || b >= 127) {
        throw unusable(
            "the token in "
                + file
                + " has a character other than visible ASCII (a space, a control character):"
                + " delete the file to have a new one made",
            null);
      }
    }
    return bytes;
  }

  private static ImdsEnvException unusable(String message, Throwable cause) {
    return new ImdsEnvException(Reason.TOKEN_UNUSABLE, message, cause);
  }

  @Override
  public String toString() {
    return "TokenFile[" + Objects.toString(file) + "]";
  }
}
