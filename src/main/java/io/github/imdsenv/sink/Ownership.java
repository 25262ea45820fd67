package io.github.imdsenv.sink;

import io.github.imdsenv.FileErrors;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The owner, group and mode {@link OutputFile} gives the file it writes in place of an existing
 * one.
 */
final class Ownership {

  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final DirEntry target;
  private final Consumer<String> warn;

  Ownership(DirEntry target, Consumer<String> warn) {
    this.target = target;
    this.warn = warn;
  }

  /**
   * An existing file's owner is kept when no one else could have put it there: it is root's or the
   * caller's, or that of the directory's owner, or the directory is writable by no one else. A file
   * another user planted in a shared directory (/tmp) is not given the credentials: it is replaced
   * by the caller's own, with a warning.
   */
  boolean keepsOwner(PosixFileAttributes old) throws IOException {
    PosixFileAttributes d = target.directoryAttributes();
    if (Ids.trusted(old.owner())
        || old.owner().equals(d.owner())
        || (Ids.trusted(d.owner()) && !DirEntry.writableByOthers(d))) {
      return true;
    }
    warn.accept(
        "warning: "
            + target.path()
            + " belonged to "
            + old.owner().getName()
            + ", who could have put it in "
            + target.dirPath()
            + " (writable by others) and is neither you nor that directory's owner: it is written as"
            + " yours instead");
    return false;
  }

  Set<PosixFilePermission> permissions(
      PosixFileAttributes old, boolean keepOwner, Set<PosixFilePermission> mode) {
    if (mode != null) {
      return mode;
    }
    if (old == null || !keepOwner) {
      return PosixFilePermissions.fromString("rw-------");
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    perms.addAll(old.permissions());
    if (perms.removeAll(OTHERS)) {
      warn.accept(
          "warning: "
              + target.path()
              + " gave other users access (mode "
              + DirEntry.octal(old.permissions())
              + "); it is written "
              + DirEntry.octal(perms)
              + ": credentials are never readable by every user");
    }
    return perms;
  }

  static void keepOwners(PosixFileAttributeView view, PosixFileAttributes old) throws IOException {
    PosixFileAttributes now = view.readAttributes();
    try {
      if (!now.owner().equals(old.owner())) {
        view.setOwner(old.owner());
      }
      if (!now.group().equals(old.group())) {
        view.setGroup(old.group());
      }
    } catch (FileSystemException e) {
      throw new DirEntry.Refused(
          "it is owned by "
              + old.owner().getName()
              + ":"
              + old.group().getName()
              + ", which this user cannot give a new file ("
              + FileErrors.reason(e)
              + "); run as root or as its owner");
    }
  }
}
