package io.github.imdsenv.sink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;

/** Root and the caller: the owners a path may have on the way. */
final class Ids {
  private static UserPrincipal root;
  private static UserPrincipal caller;

  private Ids() {}

  static UserPrincipal caller() throws IOException {
    trusted(null);
    return caller;
  }

  static synchronized boolean trusted(UserPrincipal owner) throws IOException {
    if (caller == null) {
      caller = effectiveUser(Path.of("/proc/self"), Path.of(System.getProperty("java.io.tmpdir")));
      // UnixUserPrincipals compare by id: "0" is root even where no passwd entry names it
      root =
          Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("0");
    }
    return owner != null && (owner.equals(root) || owner.equals(caller));
  }

  /**
   * The process's effective user: the owner of {@code proc} (/proc/self belongs to it); where there
   * is no such path, the owner of a file made just now in {@code probeDir}, and removed.
   */
  static UserPrincipal effectiveUser(Path proc, Path probeDir) throws IOException {
    return Files.exists(proc) ? Files.getOwner(proc) : madeNow(probeDir);
  }

  private static UserPrincipal madeNow(Path probeDir) throws IOException {
    Path probe = Files.createTempFile(probeDir, "imds-env", ".owner");
    try {
      return Files.getOwner(probe);
    } finally {
      Files.delete(probe);
    }
  }
}
