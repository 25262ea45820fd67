package io.github.imdsenv.sink;

import static io.github.imdsenv.sink.Fixtures.openUnder;
import static io.github.imdsenv.sink.Fixtures.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link LockFile} and {@link DirEntry#target()}, through {@link OutputFile#lock}: {@code
 * FILE.lock} (its kinds, another process holding it, the wait within the deadline) and the chain of
 * symbolic links at FILE that is followed only where no one else could have redirected it.
 */
class LockAndLinksTest {

  @TempDir Path dir;

  private static OutputFile lock(Path file, Duration wait) {
    return OutputFile.lock(file, wait, w -> {});
  }

  private static void write(Path file, String content) {
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      f.replace(content.getBytes(StandardCharsets.UTF_8), null);
    }
  }

  /** The refusal's whole message, as the user sees it (a FILE that is not there was not "left"). */
  private static String refusal(Path file, String why) {
    return "cannot write "
        + file
        + ": "
        + why
        + (Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? "; the file was left as it was" : "");
  }

  private static String refused(Path file, Duration wait) {
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> lock(file, wait));
    assertEquals(ImdsEnvException.Reason.OUTPUT, e.reason());
    return e.getMessage();
  }

  // ---- the lock file

  enum LockKind {
    SYMBOLIC_LINK("a symbolic link"),
    DIRECTORY("a directory"),
    FIFO("a FIFO"),
    SOCKET("a socket"),
    CHARACTER_DEVICE("a character device");

    final String words;

    LockKind(String words) {
      this.words = words;
    }

    void make(Path at, Path victim) throws Exception {
      switch (this) {
        case SYMBOLIC_LINK -> Files.createSymbolicLink(at, victim);
        case DIRECTORY -> Files.createDirectory(at);
        case FIFO -> Fixtures.run("mkfifo", at.toString());
        case SOCKET -> {
          try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(at));
          }
        }
        case CHARACTER_DEVICE -> {
          assumeTrue(root(), "mknod needs root");
          Fixtures.run("mknod", "-m", "600", at.toString(), "c", "1", "3");
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(LockKind.class)
  void lockFileThatIsNotARegularFile_isRefusedNamingWhatItIs_andNothingIsMade(LockKind kind)
      throws Exception {
    Path file = dir.resolve("aws.env");
    Path lockFile = dir.resolve("aws.env.lock");
    Path victim = dir.resolve("victim");
    kind.make(lockFile, victim);
    Object before = Files.readAttributes(lockFile, "unix:ino,mode", LinkOption.NOFOLLOW_LINKS);
    assertEquals(
        refusal(
            file,
            lockFile
                + " is "
                + kind.words
                + ", not a regular file: refused (remove it: imds-env makes its own lock file)"),
        refused(file, Duration.ofSeconds(1)));
    assertEquals(
        before, Files.readAttributes(lockFile, "unix:ino,mode", LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(victim, LinkOption.NOFOLLOW_LINKS), "the link was followed");
    assertEquals(List.of(), openUnder(dir));
  }

  /**
   * Another process holding FILE.lock as another run does (a POSIX record lock, as Java's), until
   * its stdin closes.
   */
  private static Process holdLock(Path lockFile) throws IOException {
    Process p =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys\n"
                    + "f = open(sys.argv[1], 'a')\n"
                    + "fcntl.lockf(f, fcntl.LOCK_EX)\n"
                    + "print('locked', flush=True)\n"
                    + "sys.stdin.read()\n",
                lockFile.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String said =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    if (!"locked".equals(said)) {
      p.destroyForcibly();
    }
    assertEquals("locked", said);
    return p;
  }

  private static void release(Process holder) throws InterruptedException, IOException {
    holder.getOutputStream().close();
    assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
  }

  /** Whether another process could take the lock right now. */
  private static boolean freeForOthers(Path lockFile) throws Exception {
    Process p =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys\n"
                    + "f = open(sys.argv[1], 'a')\n"
                    + "try:\n"
                    + "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                    + "except OSError:\n"
                    + "    sys.exit(1)\n",
                lockFile.toString())
            .inheritIO()
            .start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    return p.exitValue() == 0;
  }

  @Test
  void lockHeldByAnotherProcess_isPolledWithoutSpinning_thenRefusedNamingTheDeadline()
      throws Exception {
    Path file = dir.resolve("aws.env");
    Path lockFile = dir.resolve("aws.env.lock");
    Process holder = holdLock(lockFile);
    try {
      // once before measuring: loading the classes is not the wait's cost
      refused(file, Duration.ZERO);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long cpuBefore = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      String message = refused(file, Duration.ofMillis(600));
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      long cpu = TimeUnit.NANOSECONDS.toMillis(threads.getCurrentThreadCpuTime() - cpuBefore);
      assertEquals(
          refusal(
              file,
              "its lock file "
                  + lockFile
                  + " stayed locked by another process (another imds-env run?)"
                  + " past the run's 600ms deadline; try again later"),
          message);
      // no busy wait: CPU against the time it waited, a ratio (how long each poll sleeps and when
      // the
      // wait ends are asserted on the fake clock below)
      assertTrue(cpu < waited / 2, cpu + " ms of CPU in " + waited + " ms: a busy wait");
      assertFalse(Files.exists(file));
      assertEquals(List.of(), openUnder(dir), "the lock file is left open");
    } finally {
      release(holder);
    }
    // the holder gone, the next run gets the lock
    write(file, "A=1\n");
    assertEquals("A=1\n", Files.readString(file));
  }

  /** Time that passes only in {@link #sleep}; it starts just before nanoTime's wrap. */
  private static final class FakeClock implements Clock {
    long now = Long.MAX_VALUE - 30_000_000L;
    final List<Long> sleeps = new ArrayList<>();
    Runnable onSleep = () -> {};

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
      sleeps.add(millis);
      now += millis * 1_000_000;
      onSleep.run();
    }
  }

  @ParameterizedTest(name = "wait {0} ms: {1} polls of 20 ms")
  @CsvSource({"0, 0", "20, 0", "21, 1", "100, 4", "101, 5"})
  void lockHeldThroughout_isPolledEvery20ms_whileAnotherAttemptComesBeforeTheDeadline(
      long waitMillis, int sleeps) throws Exception {
    Path file = dir.resolve("aws.env");
    Path lockFile = dir.resolve("aws.env.lock");
    FakeClock clock = new FakeClock();
    Process holder = holdLock(lockFile);
    try (DirEntry place = DirEntry.of(file)) {
      DirEntry.Refused e =
          assertThrows(
              DirEntry.Refused.class,
              () -> LockFile.take(place, Duration.ofMillis(waitMillis), clock));
      assertTrue(
          e.getMessage().endsWith("past the run's " + waitMillis + "ms deadline; try again later"),
          e.getMessage());
      assertEquals(Collections.nCopies(sleeps, 20L), clock.sleeps);
      assertFalse(openUnder(dir).contains(lockFile), "the lock file is left open");
    } finally {
      release(holder);
    }
  }

  @Test
  void lockReleasedDuringTheWait_isTakenAtTheNextPoll() throws Exception {
    Path file = dir.resolve("aws.env");
    Path lockFile = dir.resolve("aws.env.lock");
    FakeClock clock = new FakeClock();
    Process holder = holdLock(lockFile);
    clock.onSleep =
        () -> {
          if (clock.sleeps.size() == 3) {
            try {
              release(holder);
            } catch (IOException | InterruptedException e) {
              throw new AssertionError(e);
            }
          }
        };
    try {
      try (DirEntry place = DirEntry.of(file);
          FileChannel ch = LockFile.take(place, Duration.ofSeconds(10), clock)) {
        assertEquals(List.of(20L, 20L, 20L), clock.sleeps);
        assertFalse(freeForOthers(lockFile), "taken, but not locked against other runs");
      }
      assertTrue(freeForOthers(lockFile), "still locked after the channel was closed");
    } finally {
      // released only in the third sleep: should the test fail before it, the holder still runs
      holder.destroy();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void interruptedWhileWaiting_givesUp_keepsTheInterrupt_andClosesTheLockFile() throws Exception {
    Path file = dir.resolve("aws.env");
    Path lockFile = dir.resolve("aws.env.lock");
    Clock interrupted =
        new Clock() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleep(long millis) throws InterruptedException {
            throw new InterruptedException(); // what Thread.sleep does on an interrupt
          }
        };
    Process holder = holdLock(lockFile);
    try (DirEntry place = DirEntry.of(file)) {
      DirEntry.Refused e =
          assertThrows(
              DirEntry.Refused.class,
              () -> LockFile.take(place, Duration.ofSeconds(10), interrupted));
      assertTrue(Thread.interrupted(), "the interrupt is lost");
      assertEquals("interrupted while waiting for its lock file " + lockFile, e.getMessage());
      assertFalse(openUnder(dir).contains(lockFile), "the lock file is left open");
    } finally {
      Thread.interrupted();
      release(holder);
    }
  }

  /**
   * A directory that refuses new files (to root too: sysfs gives EACCES, or EROFS where it is
   * mounted read-only): the lock cannot be made, and the fix is another directory or user.
   */
  @Test
  void lockFileInADirectoryThatRefusesNewFiles_isRefused_pointingToADirectoryYouMayWrite() {
    Path sys = Path.of("/sys");
    assumeTrue(Files.isDirectory(sys), "no sysfs");
    Path file = sys.resolve("aws.env");
    String advice =
        " (the lock and the new file are made beside FILE): write FILE in a directory you may"
            + " write, or run as a user who may write "
            + sys;
    List<String> either = new ArrayList<>();
    for (String reason : List.of("permission denied", "Read-only file system")) {
      either.add(refusal(file, "cannot open its lock file " + file + ".lock: " + reason + advice));
    }
    String message = refused(file, Duration.ofSeconds(5));
    assertTrue(either.contains(message), message);
  }

  /** A lock that cannot be made for another reason: why it matters, not another directory. */
  @Test
  void lockFileThatCannotBeMadeForAnotherReason_isRefused_sayingWhatTheLockIsFor() {
    // procfs has no such entry and makes none, even for root
    Path file = Path.of("/proc/self/aws.env");
    Path lockFile = Path.of("/proc/" + ProcessHandle.current().pid() + "/aws.env.lock");
    assertEquals(
        refusal(
            file,
            "cannot open its lock file "
                + lockFile
                + ": no such file or directory (without the lock, concurrent runs could"
                + " interleave)"),
        refused(file, Duration.ofSeconds(5)));
  }

  // ---- symbolic links at FILE

  private Path directory(String name, String mode) throws IOException {
    Path d = Files.createDirectory(dir.resolve(name));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
    return d;
  }

  @Test
  void chainOfLinks_throughDirectoriesNoOneElseWrites_isWrittenAtItsEnd_linksKept()
      throws Exception {
    Path a = directory("a", "rwxr-xr-x");
    Path b = directory("b", "rwx------");
    Path c = directory("c", "rwxr-x---");
    Path end = Files.writeString(c.resolve("aws.env"), "old\n");
    Path file = Files.createSymbolicLink(a.resolve("aws.env"), Path.of("../b/hop"));
    Files.createSymbolicLink(b.resolve("hop"), end);
    try (OutputFile f = lock(file, Duration.ofSeconds(5))) {
      assertEquals("old\n", new String(f.read(), StandardCharsets.UTF_8));
      f.replace("A=1\n".getBytes(StandardCharsets.UTF_8), null);
    }
    assertEquals("A=1\n", Files.readString(end));
    assertEquals(Path.of("../b/hop"), Files.readSymbolicLink(file));
    assertEquals(end, Files.readSymbolicLink(b.resolve("hop")));
    assertTrue(Files.exists(a.resolve("aws.env.lock")));
    assertEquals(List.of(), openUnder(dir), "a directory of the chain is left open");
  }

  @ParameterizedTest(name = "{0} links")
  @CsvSource({"40, ", "41, too many symbolic links"})
  void linksAtFile_asManyAsTheKernelFollows_andNoMore(int links, String refusal) throws Exception {
    Path end = Files.writeString(dir.resolve("end"), "old\n");
    Path next = end;
    for (int i = links; i >= 1; i--) {
      next = Files.createSymbolicLink(dir.resolve("link" + i), next.getFileName());
    }
    Path file = next;
    if (refusal == null) {
      write(file, "A=1\n");
      assertEquals("A=1\n", Files.readString(end));
    } else {
      assertEquals(refusal(file, refusal), refused(file, Duration.ofSeconds(5)));
      assertEquals("old\n", Files.readString(end));
    }
    assertEquals(List.of(), openUnder(dir));
  }

  @Test
  void loopOfLinksAtFile_isRefused() throws Exception {
    Path file = Files.createSymbolicLink(dir.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(dir.resolve("b"), Path.of("a"));
    assertEquals(refusal(file, "too many symbolic links"), refused(file, Duration.ofSeconds(5)));
  }

  enum UnsafeLink {
    OWNED_BY_NOBODY,
    IN_A_DIRECTORY_OTHERS_WRITE,
    IN_A_STICKY_DIRECTORY,
    INTO_A_DIRECTORY_OTHERS_WRITE,
    INTO_A_DIRECTORY_OF_NOBODY,
    TO_A_FIFO,
    TO_A_DIRECTORY
  }

  @ParameterizedTest
  @EnumSource(UnsafeLink.class)
  void linkAtFile_thatSomeoneElseCouldHaveRedirected_orToNoRegularFile_isRefused(UnsafeLink c)
      throws Exception {
    Path safe = directory("safe", "rwxr-xr-x");
    Path target = Files.writeString(safe.resolve("target"), "old\n");
    Path link = safe.resolve("aws.env");
    String why;
    switch (c) {
      case OWNED_BY_NOBODY -> {
        assumeTrue(root(), "chown needs root");
        Fixtures.toNobody(Files.createSymbolicLink(link, target));
        why =
            link
                + " is a symbolic link owned by nobody, not root or you;"
                + " pass the file it should point to instead";
      }
      case IN_A_DIRECTORY_OTHERS_WRITE, IN_A_STICKY_DIRECTORY -> {
        Path open = directory("open", "rwxrwxrwx");
        if (c == UnsafeLink.IN_A_STICKY_DIRECTORY) {
          Fixtures.run("chmod", "1777", open.toString());
        }
        link = Files.createSymbolicLink(open.resolve("aws.env"), target);
        why =
            unsafe(
                link,
                "the directory "
                    + open
                    + " is writable by users other than root"
                    + " and you (mode 0777), who could redirect the file");
      }
      case INTO_A_DIRECTORY_OTHERS_WRITE -> {
        Path open = directory("open", "rwxrwxrwx");
        target = Files.writeString(open.resolve("target"), "old\n");
        Files.createSymbolicLink(link, target);
        why =
            unsafe(
                link,
                "the directory "
                    + open
                    + " is writable by users other than root"
                    + " and you (mode 0777), who could redirect the file");
      }
      case INTO_A_DIRECTORY_OF_NOBODY -> {
        assumeTrue(root(), "chown needs root");
        Path theirs = Fixtures.toNobody(directory("theirs", "rwxr-xr-x"));
        target = Files.writeString(theirs.resolve("target"), "old\n");
        Files.createSymbolicLink(link, target);
        why =
            unsafe(
                link,
                "the directory "
                    + theirs
                    + " is owned by nobody, who could redirect"
                    + " the file: only directories of root or yours are trusted on the way");
      }
      case TO_A_FIFO -> {
        target = Fixtures.run("mkfifo", safe.resolve("fifo").toString());
        Files.createSymbolicLink(link, target);
        why =
            target
                + " is a FIFO, not a regular file: refused (imds-env replaces only regular files)";
      }
      case TO_A_DIRECTORY -> {
        target = directory("elsewhere", "rwx------");
        Files.createSymbolicLink(link, target);
        why =
            target
                + " is a directory, not a regular file: refused (imds-env replaces only regular files)";
      }
      default -> throw new AssertionError(c);
    }
    // refused when the lock is taken, before any credentials are fetched
    assertEquals(refusal(link, why), refused(link, Duration.ofSeconds(5)));
    if (Files.isRegularFile(target)) {
      assertEquals("old\n", Files.readString(target));
    }
    assertEquals(List.of(), openUnder(dir), "a directory is left open");
  }

  private static String unsafe(Path link, String why) {
    return link
        + " is a symbolic link that is not safe to follow: "
        + why
        + "; pass a file in a directory no one else can write instead";
  }
}
