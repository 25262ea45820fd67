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
      // /proc/self belongs to the process's effective user; without /proc, a file made just now
      // does
      caller =
          Files.exists(Path.of("/proc/self")) ? Files.getOwner(Path.of("/proc/self")) : madeNow();
      // UnixUserPrincipals compare by id: "0" is root even where no passwd entry names it
      root =
          Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("0");
    }
    return owner != null && (owner.equals(root) || owner.equals(caller));
  }

  private static UserPrincipal madeNow() throws IOException {
    Path probe = Files.createTempFile("imds-env", ".owner");
    try {
      return Files.getOwner(probe);
    } finally {
      Files.delete(probe);
    }
  }
}
