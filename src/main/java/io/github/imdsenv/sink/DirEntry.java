package io.github.imdsenv.sink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * A file's name in an open directory: every later operation on it goes through the directory's
 * descriptor ({@code openat}, {@code renameat}, {@code fchown} ...), so no one can redirect it
 * after the checks, whatever they can write in that directory.
 *
 * <p>The directory is reached from {@code /} one name at a time, never following a symbolic link
 * blindly (OpenSSH's StrictModes, done through descriptors): a name is looked up only in a
 * directory owned by root or the caller that no one else can write, or that has the sticky bit
 * (where no one else can rename what root or the caller owns); a symbolic link on the way must be
 * owned by root or the caller. Only the file's own directory may be writable by others, the case
 * root's cron meets in an application's directory; but a symbolic link there is followed only when
 * that directory and the target's are writable by no one else, sticky or not.
 */
final class DirEntry implements Closeable {

  private static final int MAX_LINKS = 40;

  private final SecureDirectoryStream<Path> dir;

  /** The directory's path, for messages and for a sticky bit only a path can show. */
  private final Path dirPath;

  /** A single name, relative: every call on {@link #dir} resolves it against the descriptor. */
  private final Path name;

  private DirEntry(SecureDirectoryStream<Path> dir, Path dirPath, Path name) {
    this.dir = dir;
    this.dirPath = dirPath;
    this.name = name;
  }

  /** {@code file}'s directory, reached safely; its own directory may be writable by others. */
  static DirEntry of(Path file) throws IOException {
    return at(file.toAbsolutePath(), false);
  }

  /**
   * The target of the symbolic link at this place, every directory on the way trusted and no one
   * else's.
   */
  DirEntry followLink() throws IOException {
    requireTrusted(dir, dirPath, true);
    Path target = Files.readSymbolicLink(path());
    return at(dirPath.resolve(target), true);
  }

  private static DirEntry at(Path absolute, boolean strict) throws IOException {
    Path name = absolute.getFileName();
    if (name == null || name.toString().equals("..") || name.toString().equals(".")) {
      throw new Refused(absolute + " is a directory");
    }
    DirEntry d = walk(absolute.getParent());
    if (strict) {
      try {
        requireTrusted(d.dir, d.dirPath, true);
      } catch (IOException | RuntimeException e) {
        d.close();
        throw e;
      }
    }
    return new DirEntry(d.dir, d.dirPath, Path.of(name.toString()));
  }

  /**
   * A private directory beside the name, made through the directory's descriptor where /proc shows
   * it (else through its path, then checked): mode 0700, the caller's, so that no one else can
   * touch what is inside.
   */
  SecureDirectoryStream<Path> makePrivate(Path entry) throws IOException {
    Files.createDirectory(viaDescriptor().resolve(entry), PRIVATE);
    SecureDirectoryStream<Path> p = openDirectory(entry);
    PosixFileAttributes a =
        p == null ? null : p.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
    if (a == null
        || !a.owner().equals(Ids.caller())
        || !a.permissions().equals(PRIVATE_PERMISSIONS)) {
      closeQuietly(p);
      throw new Refused(
          "its temporary directory " + dirPath.resolve(entry) + " was replaced by someone else");
    }
    return p;
  }

  /** The directory {@code entry}, opened as {@link #openAsSeen} does; null when it is none. */
  SecureDirectoryStream<Path> openDirectory(Path entry) throws IOException {
    PosixFileAttributes seen = attributes(entry);
    return seen == null || !seen.isDirectory() ? null : openAsSeen(dir, entry, seen);
  }

  /**
   * The directory {@code entry} of {@code in}, opened as {@code entry/.}: a FIFO put there
   * meanwhile fails at once (not a directory) where the JDK's plain open would wait for a writer
   * forever; and it must be the very directory {@code seen} by name ({@code entry/.} would follow a
   * symbolic link). Null when it is not.
   */
  private static SecureDirectoryStream<Path> openAsSeen(
      SecureDirectoryStream<Path> in, Path entry, PosixFileAttributes seen) throws IOException {
    SecureDirectoryStream<Path> d =
        in.newDirectoryStream(entry.resolve("."), LinkOption.NOFOLLOW_LINKS);
    Object key = d.getFileAttributeView(PosixFileAttributeView.class).readAttributes().fileKey();
    if (key == null || !key.equals(seen.fileKey())) {
      d.close();
      return null;
    }
    return d;
  }

  /** What {@link OutputFile} makes: owner-only from its creation. */
  static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  static final Set<PosixFilePermission> PRIVATE_PERMISSIONS =
      PosixFilePermissions.fromString("rwx------");
  private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
      PosixFilePermissions.asFileAttribute(PRIVATE_PERMISSIONS);

  /**
   * {@code /proc/self/fd/N} for this directory's descriptor (or one to the same directory), else
   * its path.
   */
  private Path viaDescriptor() throws IOException {
    Object key = dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes().fileKey();
    Path fds = Path.of("/proc/self/fd");
    if (key != null && Files.isDirectory(fds)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
        for (Path fd : entries) {
          try {
            if (key.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey())) {
              return fd;
            }
          } catch (IOException e) {
            // closed meanwhile (the directory stream's own descriptor): not this one
          }
        }
      }
    }
    return dirPath;
  }

  /**
   * The attributes of the name itself (a symbolic link is not followed); null when there is
   * nothing.
   */
  PosixFileAttributes attributes() throws IOException {
    return attributes(name);
  }

  PosixFileAttributes attributes(Path entry) throws IOException {
    try {
      return dir.getFileAttributeView(
              entry, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** The name in the directory, a single relative one. */
  Path name() {
    return name;
  }

  /** The directory's path, for messages. */
  Path dirPath() {
    return dirPath;
  }

  Path path() {
    return dirPath.resolve(name);
  }

  /** The directory's own attributes. */
  PosixFileAttributes directoryAttributes() throws IOException {
    return dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
  }

  /** {@code entry} of the directory, opened through its descriptor. */
  FileChannel channel(Path entry, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
      throws IOException {
    return (FileChannel) dir.newByteChannel(entry, options, attrs);
  }

  /** The directory's entries; listed once per instance (a directory stream's iterator). */
  Iterable<Path> entries() {
    return dir;
  }

  /** Renames {@code entry} of {@code from} to this name, atomically. */
  void moveHere(SecureDirectoryStream<Path> from, Path entry) throws IOException {
    from.move(entry, dir, name);
  }

  /** Flushes the directory to disk: a rename in it survives a crash. */
  void syncDirectory() throws IOException {
    try (FileChannel d = channel(Path.of("."), Set.of(StandardOpenOption.READ))) {
      d.force(true);
    }
  }

  void deleteDirectory(Path entry) throws IOException {
    dir.deleteDirectory(entry);
  }

  @Override
  public void close() throws IOException {
    dir.close();
  }

  /**
   * Opens {@code path} as a directory, one component at a time from {@code /}; its real path comes
   * along.
   */
  private static DirEntry walk(Path path) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    for (Path p : path) {
      todo.add(p.toString());
    }
    Path root = path.getRoot();
    SecureDirectoryStream<Path> cur = open(root);
    Path curPath = root;
    int links = 0;
    try {
      while (!todo.isEmpty()) {
        String n = todo.pop();
        if (n.equals(".") || n.isEmpty()) {
          continue;
        }
        if (n.equals("..")) {
          // ".." is the kernel's, no one can replace it
          cur = replace(cur, cur.newDirectoryStream(Path.of(".."), LinkOption.NOFOLLOW_LINKS));
          curPath = curPath.getParent() == null ? curPath : curPath.getParent();
          continue;
        }
        requireTrusted(cur, curPath, false);
        Path entry = Path.of(n);
        PosixFileAttributes a;
        try {
          a =
              cur.getFileAttributeView(
                      entry, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                  .readAttributes();
        } catch (NoSuchFileException e) {
          throw new Refused("its directory " + path + " does not exist");
        }
        if (a.isSymbolicLink()) {
          if (!Ids.trusted(a.owner())) {
            throw new Refused(
                "the symbolic link "
                    + curPath.resolve(n)
                    + " on the way is owned by "
                    + a.owner().getName()
                    + ", not root or you: it could point anywhere");
          }
          if (++links > MAX_LINKS) {
            throw new Refused("too many symbolic links on the way to " + path);
          }
          Path target = Files.readSymbolicLink(curPath.resolve(n));
          Deque<String> next = new ArrayDeque<>();
          for (Path p : target) {
            next.add(p.toString());
          }
          next.addAll(todo);
          todo = next;
          if (target.isAbsolute()) {
            cur = replace(cur, open(root));
            curPath = root;
          }
          continue;
        }
        if (!a.isDirectory()) {
          throw new Refused(curPath.resolve(n) + " is not a directory");
        }
        SecureDirectoryStream<Path> next = openAsSeen(cur, entry, a);
        if (next == null) {
          throw new Refused(curPath.resolve(n) + " was replaced while being opened");
        }
        cur = replace(cur, next);
        curPath = curPath.resolve(n);
      }
      return new DirEntry(cur, curPath, null);
    } catch (IOException | RuntimeException e) {
      cur.close();
      throw e;
    }
  }

  private static SecureDirectoryStream<Path> replace(
      SecureDirectoryStream<Path> old, SecureDirectoryStream<Path> next) throws IOException {
    old.close();
    return next;
  }

  private static SecureDirectoryStream<Path> open(Path dir) throws IOException {
    DirectoryStream<Path> s = Files.newDirectoryStream(dir);
    if (s instanceof SecureDirectoryStream<Path> sds) {
      return sds;
    }
    s.close();
    throw new Refused(
        "this system cannot open files relative to a directory descriptor (openat), which -o needs");
  }

  /** The directory no one but root and the caller can change (or, unless strict, a sticky one). */
  static void requireTrusted(SecureDirectoryStream<Path> d, Path dirPath, boolean strict)
      throws IOException {
    PosixFileAttributes a = d.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
    if (!Ids.trusted(a.owner())) {
      throw new Refused(
          "the directory "
              + dirPath
              + " is owned by "
              + a.owner().getName()
              + ", who could redirect the file: only directories of root or yours are trusted on the way");
    }
    if (writableByOthers(a) && (strict || !sticky(dirPath, a))) {
      throw new Refused(
          "the directory "
              + dirPath
              + " is writable by users other than root and you (mode "
              + octal(a.permissions())
              + "), who could redirect the file");
    }
  }

  /** Group or others may write it (what the mode says; the owner is checked apart). */
  static boolean writableByOthers(PosixFileAttributes a) {
    return a.permissions().contains(PosixFilePermission.GROUP_WRITE)
        || a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
  }

  /**
   * The sticky bit, which only a path shows; the path checked to still be the directory we hold.
   */
  private static boolean sticky(Path dirPath, PosixFileAttributes held) throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(dirPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.fileKey() == null || !a.fileKey().equals(held.fileKey())) {
      return false;
    }
    Object mode = Files.getAttribute(dirPath, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return mode instanceof Integer m && (m & 01000) != 0;
  }

  /**
   * Where the content goes: FILE itself, or the end of a chain of symbolic links that are safe to
   * follow.
   */
  DirEntry target() throws IOException {
    DirEntry at = this;
    try {
      for (int hops = 0; ; hops++) {
        PosixFileAttributes a = at.attributes();
        if (a == null || !a.isSymbolicLink()) {
          requireRegularOrAbsent(a, at.path(), "imds-env replaces only regular files");
          return at;
        }
        if (hops == 40) {
          throw new Refused("too many symbolic links");
        }
        if (!Ids.trusted(a.owner())) {
          throw new Refused(
              at.path()
                  + " is a symbolic link owned by "
                  + a.owner().getName()
                  + ", not root or you; pass the file it should point to instead");
        }
        DirEntry next;
        try {
          next = at.followLink();
        } catch (Refused e) {
          throw new Refused(
              at.path()
                  + " is a symbolic link that is not safe to follow: "
                  + e.getMessage()
                  + "; pass a file in a directory no one else can write instead");
        }
        DirEntry passed = at;
        at = next;
        if (passed != this) {
          passed.close();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (at != this) {
        // a link's target, opened here: the caller closes only what it passed in
        closeQuietly(at);
      }
      throw e;
    }
  }

  static void requireRegularOrAbsent(PosixFileAttributes a, Path shown, String what)
      throws Refused {
    if (a == null || a.isRegularFile()) {
      return;
    }
    throw new Refused(
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

  /** {@code rw-r-----} as {@code 0640}. */
  static String octal(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= 0400 >> p.ordinal();
    }
    return String.format("0%03o", mode);
  }

  static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing more to do
      }
    }
  }

  /** A refusal on safety grounds: the message says why; the file is left as it is. */
  static final class Refused extends IOException {
    Refused(String message) {
      super(message);
    }
  }
}
