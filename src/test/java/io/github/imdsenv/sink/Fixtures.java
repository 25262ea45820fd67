package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the file-sink tests make and look at: other users' files, FIFOs, open descriptors. */
final class Fixtures {

  private Fixtures() {}

  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Gives {@code p} (a symbolic link itself, not its target) to nobody:nogroup. */
  static Path toNobody(Path p) throws IOException {
    UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
    PosixFileAttributeView view =
        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    view.setOwner(users.lookupPrincipalByName("nobody"));
    view.setGroup(users.lookupPrincipalByGroupName("nogroup"));
    return p;
  }

  static Path run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + ": still running after 60 s");
    }
    assertEquals(0, p.exitValue(), String.join(" ", command));
    return Path.of(command[command.length - 1]);
  }

  /** The paths this process's descriptors refer to that lie under {@code dir}. */
  static List<Path> openUnder(Path dir) throws IOException {
    List<Path> open = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          Path to = Files.readSymbolicLink(fd);
          if (to.startsWith(dir)) {
            open.add(to);
          }
        } catch (IOException e) {
          // closed meanwhile (the listing's own descriptor)
        }
      }
    }
    return open;
  }
}
