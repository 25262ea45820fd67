package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.imdsenv.ImdsEnvException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link OutputFile} in-process: the lock, the kinds of file it refuses, owner and mode, the
 * private write, the read cap.
 */
class OutputFileTest {

  @TempDir Path dir;

  private final List<String> warnings = new ArrayList<>();

  private OutputFile lock(Path file, Duration wait) {
    return OutputFile.lock(file, wait, warnings::add);
  }

  private void write(Path file, String content) {
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      f.replace(content.getBytes(StandardCharsets.UTF_8), null);
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void mkfifo(Path p) throws Exception {
    Fixtures.run("mkfifo", p.toString());
  }

  private static void chown(Path p, String user) throws IOException {
    UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
    PosixFileAttributeView view =
        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    UserPrincipal owner = users.lookupPrincipalByName(user);
    GroupPrincipal group =
        users.lookupPrincipalByGroupName(user.equals("nobody") ? "nogroup" : user);
    view.setOwner(owner);
    view.setGroup(group);
  }

  // ---- the lock

  @Test
  void lockHeldByAnother_isWaitedForNoLongerThanTheWait() throws Exception {
    Path file = dir.resolve("aws.env");
    try (FileChannel held =
            FileChannel.open(
                dir.resolve("aws.env.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = held.lock()) {
      // refused once the wait is over (how long it polls: LockAndLinksTest, on a fake clock)
      RuntimeException e =
          assertThrows(RuntimeException.class, () -> lock(file, Duration.ofMillis(300)));
      assertTrue(e.getMessage().contains("stayed locked"), e.getMessage());
    }
    assertFalse(Files.exists(file));
  }

  @Test
  void lockReleased_letsTheNextWriterIn() throws Exception {
    Path file = dir.resolve("aws.env");
    write(file, "A=1\n");
    write(file, "A=2\n");
    assertEquals("A=2\n", Files.readString(file));
    assertEquals("rw-------", mode(dir.resolve("aws.env.lock")));
  }

  @Test
  void lockFileThatIsAFifoOrAnotherUsers_isRefused() throws Exception {
    Path file = dir.resolve("aws.env");
    mkfifo(dir.resolve("aws.env.lock"));
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> lock(file, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("a FIFO"), e.getMessage());
    Files.delete(dir.resolve("aws.env.lock"));
    assumeTrue(root(), "chown needs root");
    Files.writeString(dir.resolve("aws.env.lock"), "");
    chown(dir.resolve("aws.env.lock"), "nobody");
    e = assertThrows(RuntimeException.class, () -> lock(file, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("owned by nobody"), e.getMessage());
  }

  // ---- what is never replaced

  @Test
  void fifoAtFile_isRefusedAndLeftAsItIs() throws Exception {
    Path file = dir.resolve("aws.env");
    mkfifo(file);
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> lock(file, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("a FIFO, not a regular file"), e.getMessage());
    assertTrue(
        Files.readAttributes(file, "unix:mode", LinkOption.NOFOLLOW_LINKS).get("mode")
                instanceof Integer m
            && (m & 0170000) == 0010000);
  }

  @Test
  void directoryAtFile_isRefused() throws Exception {
    Path file = Files.createDirectory(dir.resolve("aws.env"));
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> lock(file, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("a directory, not a regular file"), e.getMessage());
    assertTrue(Files.isDirectory(file));
  }

  @Test
  void deviceAtFile_isRefused() throws Exception {
    // a run that gets this wrong (a mutant, say) makes /dev/null.lock: removed here either way
    Path lock = Path.of("/dev/null.lock");
    boolean existed = Files.exists(lock, LinkOption.NOFOLLOW_LINKS);
    try {
      RuntimeException e =
          assertThrows(
              RuntimeException.class, () -> lock(Path.of("/dev/null"), Duration.ofSeconds(1)));
      assertTrue(e.getMessage().contains("a character device, not a regular file"), e.getMessage());
    } finally {
      if (!existed) {
        assertFalse(Files.deleteIfExists(lock), "a lock file was made beside /dev/null");
      }
    }
  }

  /**
   * What another user who can write the directory puts at FILE after the lock was taken: still
   * never read (a FIFO would block the run) nor replaced (a FIFO or a directory is theirs).
   */
  @ParameterizedTest
  @CsvSource({"FIFO, read", "FIFO, replace", "directory, read", "directory, replace"})
  @Timeout(20)
  void fifoOrDirectorySwappedInAfterTheLock_isRefused_andLeftAsItIs(String kind, String op)
      throws Exception {
    Path file = dir.resolve("aws.env");
    Files.writeString(file, "A=0\n");
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      Files.delete(file);
      if (kind.equals("FIFO")) {
        mkfifo(file);
      } else {
        Files.createDirectory(file);
      }
      ImdsEnvException e =
          assertThrows(
              ImdsEnvException.class,
              () -> {
                if (op.equals("read")) {
                  f.read();
                } else {
                  f.replace("A=1\n".getBytes(StandardCharsets.UTF_8), null);
                }
              });
      assertEquals(
          "cannot write "
              + file
              + ": "
              + file
              + " is a "
              + kind
              + ", not a regular file: refused (imds-env replaces only regular files);"
              + " the file was left as it was",
          e.getMessage());
    }
    assertEquals(
        kind.equals("FIFO"),
        !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(file));
    assertEquals(kind.equals("directory"), Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void directoryRemovedDuringTheRun_isNoSuchFileOrDirectory() throws Exception {
    Path app = Files.createDirectory(dir.resolve("app"));
    Path file = app.resolve("aws.env");
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      // a deploy tears the application's directory down while the credentials are fetched
      Files.delete(app.resolve("aws.env.lock"));
      Files.delete(app);
      ImdsEnvException e =
          assertThrows(
              ImdsEnvException.class,
              () -> f.replace("A=1\n".getBytes(StandardCharsets.UTF_8), null));
      // FILE never existed: nothing is said of leaving it as it was
      assertEquals("cannot write " + file + ": no such file or directory", e.getMessage());
      assertEquals(ImdsEnvException.Reason.OUTPUT, e.reason());
    }
    assertFalse(Files.exists(app));
  }

  // ---- owner and mode

  @Test
  void newFile_isOwnerOnly_whateverTheUmask() throws Exception {
    Path file = dir.resolve("aws.env");
    write(file, "A=1\n");
    assertEquals("rw-------", mode(file));
    assertEquals(List.of(), warnings);
  }

  @Test
  void existingFile_keepsItsMode_withoutOthersPermissions_andSaysSo() throws Exception {
    Path file = dir.resolve("aws.env");
    Files.writeString(file, "old\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    write(file, "A=1\n");
    assertEquals("rw-r-----", mode(file));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(
        warnings.get(0).contains("mode 0644") && warnings.get(0).contains("0640"), warnings.get(0));
  }

  @Test
  void modeGiven_isTheMode() throws Exception {
    Path file = dir.resolve("aws.env");
    Files.writeString(file, "old\n");
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      f.replace(
          "A=1\n".getBytes(StandardCharsets.UTF_8), PosixFilePermissions.fromString("rw-r-----"));
    }
    assertEquals("rw-r-----", mode(file));
  }

  @Test
  void anotherUsersFile_inADirectoryNoOneElseWrites_keepsItsOwner() throws Exception {
    assumeTrue(root(), "chown needs root");
    Path file = dir.resolve("aws.env");
    Files.writeString(file, "old\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    chown(file, "nobody");
    write(file, "A=1\n");
    assertEquals("nobody", Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName());
    assertEquals("rw-r-----", mode(file));
    assertEquals(List.of(), warnings);
  }

  @Test
  void anotherUsersFile_inADirectoryOthersWrite_isReplacedByTheCallersOwn() throws Exception {
    assumeTrue(root(), "chown needs root");
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path file = shared.resolve("aws.env");
    Files.writeString(file, "planted\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
    chown(file, "nobody");
    write(file, "A=1\n");
    assertEquals("root", Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName());
    assertEquals("rw-------", mode(file));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("belonged to nobody"), warnings.get(0));
  }

  @Test
  void existingFile_keepsItsGroup() throws Exception {
    assumeTrue(root(), "chgrp needs root");
    // a file root writes for a service's group to read
    Path file = dir.resolve("aws.env");
    Files.writeString(file, "old\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    GroupPrincipal nogroup =
        FileSystems.getDefault()
            .getUserPrincipalLookupService()
            .lookupPrincipalByGroupName("nogroup");
    Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setGroup(nogroup);
    write(file, "A=1\n");
    PosixFileAttributes a =
        Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    assertEquals("root", a.owner().getName());
    assertEquals(nogroup, a.group());
    assertEquals("rw-r-----", PosixFilePermissions.toString(a.permissions()));
    assertEquals(List.of(), warnings);
  }

  // ---- the write itself

  @Test
  void newContent_isMadeInAPrivateDirectory_thenRenamedIn_leavingNothingBehind() throws Exception {
    Path file = dir.resolve("aws.env");
    Files.writeString(file, "old\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Object before = Files.readAttributes(file, "unix:ino").get("ino");
    // a private directory left by a writer killed mid-write
    Path leftover =
        Files.createDirectory(
            dir.resolve(".imds-env-" + Integer.toHexString("aws.env".hashCode()) + "-dead"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.writeString(leftover.resolve("new"), "half");
    List<String> created = new ArrayList<>();
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
      write(file, "A=1\n");
      WatchKey key;
      while ((key = watch.poll(300, TimeUnit.MILLISECONDS)) != null) {
        for (WatchEvent<?> event : key.pollEvents()) {
          created.add(String.valueOf(event.context()));
        }
        key.reset();
      }
    }
    assertEquals("A=1\n", Files.readString(file));
    assertFalse(
        before.equals(Files.readAttributes(file, "unix:ino").get("ino")),
        "replaced by a rename, not rewritten");
    for (String name : created) {
      // the content never appears under any other name in the directory itself
      assertTrue(
          name.equals("aws.env") || name.equals("aws.env.lock") || name.startsWith(".imds-env-"),
          created.toString());
    }
    assertTrue(
        created.stream().anyMatch(n -> n.startsWith(".imds-env-")),
        "no private directory seen: " + created);
    try (var entries = Files.list(dir)) {
      assertEquals(
          List.of("aws.env", "aws.env.lock"),
          entries.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  /** A directory under the private directories' name for aws.env, with this mode. */
  private Path planted(String suffix, String mode) throws IOException {
    return Files.createDirectory(
        dir.resolve(".imds-env-" + Integer.toHexString("aws.env".hashCode()) + "-" + suffix),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
  }

  /**
   * Only what has the exact shape a killed writer leaves is removed: the caller's directory, 0700,
   * holding nothing but a regular file "new". Anything else under such a name (another user who can
   * write the directory renames one of root's there) is left whole; a FIFO does not hold the run.
   */
  @Test
  @Timeout(20)
  void leftoverPrivateDirectories_onlyTheWritersExactShapeIsRemoved() throws Exception {
    Path file = dir.resolve("aws.env");
    Path outside = Files.createDirectory(dir.resolve("outside"));
    Files.writeString(outside.resolve("keep"), "kept");
    Path killed = planted("1", "rwx------");
    Files.writeString(killed.resolve("new"), "half");
    Path empty = planted("2", "rwx------");
    Path withOthers = planted("3", "rwx------");
    Files.writeString(withOthers.resolve("new"), "x");
    Files.writeString(withOthers.resolve("data"), "x");
    Path otherName = planted("4", "rwx------");
    Files.writeString(otherName.resolve("data"), "x");
    Path linkInside = planted("5", "rwx------");
    Files.createSymbolicLink(linkInside.resolve("new"), outside.resolve("keep"));
    Path subdirectory = planted("6", "rwx------");
    Files.createDirectory(subdirectory.resolve("new"));
    Path open = planted("7", "rwxr-xr-x");
    Files.writeString(open.resolve("new"), "x");
    Path notHex = planted("data", "rwx------");
    Path link =
        Files.createSymbolicLink(
            dir.resolve(".imds-env-" + Integer.toHexString("aws.env".hashCode()) + "-8"), outside);
    Path fifo = dir.resolve(".imds-env-" + Integer.toHexString("aws.env".hashCode()) + "-9");
    mkfifo(fifo);

    write(file, "A=1\n");

    assertEquals("A=1\n", Files.readString(file));
    assertFalse(Files.exists(killed, LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(empty, LinkOption.NOFOLLOW_LINKS));
    for (Path kept :
        List.of(
            withOthers.resolve("new"),
            withOthers.resolve("data"),
            otherName.resolve("data"),
            linkInside.resolve("new"),
            subdirectory.resolve("new"),
            open.resolve("new"),
            notHex,
            link,
            fifo,
            outside.resolve("keep"))) {
      assertTrue(Files.exists(kept, LinkOption.NOFOLLOW_LINKS), kept + " left as it was");
    }
    assertEquals("kept", Files.readString(outside.resolve("keep")));
  }

  @Test
  void leftoverPrivateDirectoryOfAnotherUser_isLeftAsItIs() throws Exception {
    assumeTrue(root(), "chown needs root");
    Path other = planted("1", "rwx------");
    Files.writeString(other.resolve("new"), "theirs");
    chown(other.resolve("new"), "nobody");
    chown(other, "nobody");
    write(dir.resolve("aws.env"), "A=1\n");
    assertEquals("theirs", Files.readString(other.resolve("new")));
  }

  @Test
  void symbolicLinkNoOneElseCouldRedirect_isWrittenThrough() throws Exception {
    Path real = Files.createDirectory(dir.resolve("real")).resolve("aws.env");
    Files.writeString(real, "old\n");
    Path link = Files.createSymbolicLink(dir.resolve("aws.env"), Path.of("real/aws.env"));
    write(link, "A=1\n");
    assertEquals("A=1\n", Files.readString(real));
    assertEquals(Path.of("real/aws.env"), Files.readSymbolicLink(link));
    assertTrue(Files.exists(dir.resolve("aws.env.lock")), "the lock is the link's");
  }

  /**
   * A process that writes again and again (a test, a long-lived caller) keeps no descriptor and no
   * lock, whether the file was written or refused.
   */
  @Test
  void everyDescriptorIsClosed_writtenOrRefused_throughLinksOrNot() throws Exception {
    Path real = Files.createDirectory(dir.resolve("real")).resolve("aws.env");
    Path link = Files.createSymbolicLink(dir.resolve("link.env"), real);
    Path chain = Files.createSymbolicLink(dir.resolve("chain.env"), Path.of("link.env"));
    Path plain = dir.resolve("plain.env");
    // refused before the lock is taken, and once it is
    Path directory = Files.createDirectory(dir.resolve("dir.env"));
    mkfifo(dir.resolve("real").resolve("fifo"));
    Path toFifo = Files.createSymbolicLink(dir.resolve("fifo.env"), Path.of("real/fifo"));
    for (int i = 1; i <= 2; i++) {
      writeAndRefuse(List.of(link, chain, plain), List.of(directory, toFifo), i);
    }
    // only this test's directory: other tests' and threads' descriptors come and go meanwhile
    assertEquals(List.of(), Fixtures.openUnder(dir));
    assertEquals("A=2\n", Files.readString(real));
  }

  private void writeAndRefuse(List<Path> written, List<Path> refused, int i) throws IOException {
    for (Path file : written) {
      try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
        f.read();
        f.replace(("A=" + i + "\n").getBytes(StandardCharsets.UTF_8), null);
      }
    }
    for (Path file : refused) {
      ImdsEnvException e =
          assertThrows(ImdsEnvException.class, () -> lock(file, Duration.ofSeconds(1)));
      assertTrue(e.getMessage().contains(", not a regular file"), e.getMessage());
    }
  }

  // ---- reading back

  @Test
  void read_absentFile_isNull_andAFileUpToTheCap_isReadWhole() throws Exception {
    Path file = dir.resolve("aws.env");
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      assertNull(f.read());
    }
    byte[] big = new byte[OutputFile.MAX_READ];
    big[big.length - 1] = 'x';
    Files.write(file, big);
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      assertArrayEquals(big, f.read());
    }
  }

  @Test
  void read_fileOverSixteenMebibytes_isRefused_andLeftAsItIs() throws Exception {
    Path file = dir.resolve("aws.env");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(OutputFile.MAX_READ + 1L);
    }
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      RuntimeException e = assertThrows(RuntimeException.class, f::read);
      assertTrue(e.getMessage().contains("over 16 MiB"), e.getMessage());
    }
    assertEquals(OutputFile.MAX_READ + 1L, Files.size(file));
  }
}
