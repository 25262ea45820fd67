package io.github.imdsenv.sink;

import static io.github.imdsenv.sink.Fixtures.openUnder;
import static io.github.imdsenv.sink.Fixtures.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.imdsenv.ImdsEnvException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link DirEntry}: the way from {@code /} to FILE's directory, one name at a time (symbolic links
 * on the way, dots, directories others can write, sticky ones), and a directory held by its
 * descriptor whatever is done to its path afterwards.
 */
class DirEntryTest {

  @TempDir Path dir;

  private static OutputFile lock(Path file) {
    return OutputFile.lock(file, Duration.ofSeconds(5), w -> {});
  }

  private static void write(Path file, String content) {
    try (OutputFile f = lock(file)) {
      f.replace(content.getBytes(StandardCharsets.UTF_8), null);
    }
  }

  private static String refused(Path file) {
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> lock(file));
    assertEquals(ImdsEnvException.Reason.OUTPUT, e.reason());
    String prefix = "cannot write " + file + ": ";
    // said only of a FILE that is there
    String suffix =
        Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? "; the file was left as it was" : "";
    assertTrue(
        e.getMessage().startsWith(prefix) && e.getMessage().endsWith(suffix), e.getMessage());
    return e.getMessage().substring(prefix.length(), e.getMessage().length() - suffix.length());
  }

  private Path directory(Path parent, String name, String mode) throws IOException {
    Path d = Files.createDirectory(parent.resolve(name));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
    return d;
  }

  // ---- a directory beside FILE, opened

  /**
   * openDirectory opens only the directory seen by name: not a link to one, not a file; and the
   * open it rests on ({@code name/.}) fails at once on a FIFO, where the JDK's plain open of a
   * directory (O_RDONLY) would wait for a writer forever.
   */
  @Test
  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void openDirectory_onlyTheDirectoryItself_neverWaitsOnAFifo() throws Exception {
    Files.createDirectory(dir.resolve("d"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("d"));
    Files.writeString(dir.resolve("file"), "x");
    Fixtures.run("mkfifo", dir.resolve("fifo").toString());
    try (DirEntry place = DirEntry.of(dir.resolve("aws.env"))) {
      try (var d = place.openDirectory(Path.of("d"))) {
        assertTrue(d != null);
      }
      for (String name : List.of("link", "file", "fifo", "absent")) {
        assertEquals(null, place.openDirectory(Path.of(name)), name);
      }
      assertThrows(
          IOException.class,
          () -> Files.newDirectoryStream(dir.resolve("fifo").resolve(".")).close());
    }
  }

  // ---- symbolic links and dots on the way

  enum Way {
    PLAIN,
    RELATIVE_LINK,
    ABSOLUTE_LINK,
    LINK_UP_AND_OVER,
    LINK_TO_A_LINK,
    DOTS,
    ABOVE_THE_ROOT
  }

  @ParameterizedTest
  @EnumSource(Way.class)
  void linksAndDotsOnTheWay_ofRootOrTheCaller_leadToTheRealDirectory(Way way) throws Exception {
    Path real = directory(dir, "real", "rwxr-xr-x");
    Path sub = directory(dir, "sub", "rwxr-xr-x");
    Path via =
        switch (way) {
          case PLAIN -> real;
          case RELATIVE_LINK -> Files.createSymbolicLink(dir.resolve("rel"), Path.of("real"));
          case ABSOLUTE_LINK -> Files.createSymbolicLink(dir.resolve("abs"), real);
          case LINK_UP_AND_OVER -> Files.createSymbolicLink(sub.resolve("up"), Path.of("../real"));
          case LINK_TO_A_LINK -> {
            Path abs = Files.createSymbolicLink(sub.resolve("abs"), real);
            yield Files.createSymbolicLink(dir.resolve("hop"), dir.relativize(abs));
          }
          case DOTS -> dir.resolve("sub/./../real/.");
          case ABOVE_THE_ROOT -> Path.of("/../.." + real);
        };
    Path file = via.resolve("aws.env");
    write(file, "A=1\n");
    write(file, "A=2\n");
    assertEquals("A=2\n", Files.readString(real.resolve("aws.env")));
    try (Stream<Path> s = Files.list(real)) {
      assertEquals(
          List.of("aws.env", "aws.env.lock"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    try (Stream<Path> s = Files.list(sub)) {
      assertTrue(
          s.noneMatch(p -> p.getFileName().toString().startsWith("aws.env")), "written on the way");
    }
    assertEquals(List.of(), openUnder(dir), "a directory on the way is left open");
  }

  @Test
  void linkOnTheWay_ownedByAnotherUser_isNotFollowed() throws Exception {
    assumeTrue(root(), "chown needs root");
    Path protect = directory(dir, "protected", "rwx------");
    Path app = Fixtures.toNobody(Files.createSymbolicLink(dir.resolve("app"), protect));
    assertEquals(
        "the symbolic link "
            + app
            + " on the way is owned by nobody, not root or you: it could point anywhere",
        refused(app.resolve("aws.env")));
    try (Stream<Path> s = Files.list(protect)) {
      assertEquals(0, s.count());
    }
    assertEquals(List.of(), openUnder(dir), "a directory on the way is left open");
  }

  @ParameterizedTest(name = "{0} links")
  @CsvSource({"40, false", "41, true"})
  void linksOnTheWay_asManyAsTheKernelFollows_andNoMore(int links, boolean tooMany)
      throws Exception {
    Path real = directory(dir, "real", "rwx------");
    Path next = real;
    for (int i = links; i >= 1; i--) {
      next = Files.createSymbolicLink(dir.resolve("w" + i), next.getFileName());
    }
    Path file = next.resolve("aws.env");
    if (tooMany) {
      assertEquals("too many symbolic links on the way to " + next, refused(file));
      assertFalse(Files.exists(real.resolve("aws.env")));
    } else {
      write(file, "A=1\n");
      assertEquals("A=1\n", Files.readString(real.resolve("aws.env")));
    }
    assertEquals(List.of(), openUnder(dir), "a directory on the way is left open");
  }

  @Test
  void loopOnTheWay_isRefused() throws Exception {
    Path loop = Files.createSymbolicLink(dir.resolve("loop"), Path.of("loop"));
    assertEquals("too many symbolic links on the way to " + loop, refused(loop.resolve("aws.env")));
  }

  // ---- directories on the way

  enum OnTheWay {
    OTHERS_WRITE("rwxrwxrwx", false, false),
    GROUP_WRITES("rwxrwxr-x", false, false),
    STICKY_AS_TMP("rwxrwxrwx", true, false),
    NOBODYS("rwxr-xr-x", false, true),
    NOBODYS_STICKY("rwxrwxrwx", true, true);

    final String mode;
    final boolean sticky;
    final boolean nobodys;

    OnTheWay(String mode, boolean sticky, boolean nobodys) {
      this.mode = mode;
      this.sticky = sticky;
      this.nobodys = nobodys;
    }
  }

  @ParameterizedTest
  @EnumSource(OnTheWay.class)
  void directoryOnTheWay_isTrustedOnlyIfNoOneElseCanRedirect_butFilesOwnDirectoryMayBeShared(
      OnTheWay kind) throws Exception {
    assumeTrue(root() || !kind.nobodys, "chown needs root");
    Path shared = directory(dir, "shared", kind.mode);
    if (kind.sticky) {
      Fixtures.run("chmod", "+t", shared.toString());
    }
    if (kind.nobodys) {
      Fixtures.toNobody(shared);
    }
    Path app = directory(shared, "app", "rwxr-xr-x");
    Path file = app.resolve("aws.env");
    String mode = "0" + Integer.toOctalString(0777 & modeOf(shared));
    if (kind.nobodys) {
      assertEquals(
          "the directory "
              + shared
              + " is owned by nobody, who could redirect the file:"
              + " only directories of root or yours are trusted on the way",
          refused(file));
      assertFalse(Files.exists(file));
    } else if (!kind.sticky) {
      assertEquals(
          "the directory "
              + shared
              + " is writable by users other than root and you (mode "
              + mode
              + "), who could redirect the file",
          refused(file));
      assertFalse(Files.exists(file));
    } else {
      // /tmp: no one else can rename what root made there
      write(file, "A=1\n");
      assertEquals("A=1\n", Files.readString(file));
    }
    assertEquals(List.of(), openUnder(dir), "a directory on the way is left open");
    // FILE's own directory may be anyone's and writable by all: the case root's cron is for
    write(shared.resolve("aws.env"), "A=2\n");
    assertEquals("A=2\n", Files.readString(shared.resolve("aws.env")));
    assertEquals(
        System.getProperty("user.name"), Files.getOwner(shared.resolve("aws.env")).getName());
  }

  private static int modeOf(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  // ---- the directory held

  @Test
  void directorySwappedForALinkAfterTheLock_getsNothing_theFileGoesWhereItWasLocked()
      throws Exception {
    Path app = directory(dir, "app", "rwxr-xr-x");
    Path elsewhere = directory(dir, "elsewhere", "rwxr-xr-x");
    Path file = app.resolve("aws.env");
    try (OutputFile f = lock(file)) {
      // what the owner of a shared FILE's directory could do meanwhile
      Files.move(app, dir.resolve("moved"));
      Files.createSymbolicLink(app, elsewhere);
      f.replace("A=1\n".getBytes(StandardCharsets.UTF_8), null);
    }
    assertEquals("A=1\n", Files.readString(dir.resolve("moved/aws.env")));
    try (Stream<Path> s = Files.list(elsewhere)) {
      assertEquals(List.of(), s.toList(), "made where the link points");
    }
  }
}
