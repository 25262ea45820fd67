package io.github.imdsenv.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * -o FILE as root's cron runs it, in directories another local user can write, through the real
 * launcher: nothing is followed where it should not go, nothing is lost or widened to others, no
 * run waits past its deadline. The other user is nobody (setpriv); the cases that need root to play
 * them skip, saying so, for a non-root developer (CI runs as root).
 */
class FileSafetyIT {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path base;

  /** A directory every user can traverse, as real configuration directories are. */
  Path dir;

  @BeforeEach
  void setUp() throws Exception {
    Fixtures.healthy(wm);
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    dir = Files.createDirectory(base.resolve("etc-app"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  static void requireRoot(String why) throws Exception {
    if (!Proc.root()) {
      System.out.println("FileSafetyIT: skipped as non-root: " + why);
    }
    Assumptions.assumeTrue(Proc.root(), why);
  }

  static final List<String> NOBODY =
      List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--");

  private List<String> cmd(Path file, String... extra) {
    List<String> c =
        Proc.launcher(
            "--endpoint",
            Fixtures.endpoint(wm),
            "--timeout",
            "2s",
            "-f",
            "env-no-export",
            "-o",
            file.toString());
    c.addAll(List.of(extra));
    return c;
  }

  private Proc run(Path file, String... extra) throws Exception {
    return Proc.run(cmd(file, extra), Proc.cronEnv(), base);
  }

  private static void assertRefused(Proc p, int exit, String... parts) {
    assertEquals(exit, p.exit(), p.err());
    assertEquals("", p.out());
    assertTrue(
        p.err().startsWith("imds-env: ")
            && p.err().endsWith("\n")
            && p.err().indexOf('\n') == p.err().length() - 1,
        "one line: " + p.err());
    for (String part : parts) {
      assertTrue(p.err().contains(part), "'" + part + "' in: " + p.err());
    }
    assertFalse(
        p.err().contains(Fixtures.SECRET) || p.err().contains(Fixtures.SESSION_TOKEN), p.err());
    assertFalse(p.err().contains("\tat "), "no stack trace: " + p.err());
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  private static void chown(Path p, String user, String group) throws Exception {
    PosixFileAttributeView v =
        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    var lookup = p.getFileSystem().getUserPrincipalLookupService();
    v.setOwner(lookup.lookupPrincipalByName(user));
    v.setGroup(lookup.lookupPrincipalByGroupName(group));
  }

  // --- the lock file ---

  @Test
  void symlinkAtTheLock_isNotFollowed_nothingIsCreatedWhereItPoints() throws Exception {
    Path victim = base.resolve("nologin");
    Files.createSymbolicLink(dir.resolve("aws.env.lock"), victim);
    assertRefused(
        run(dir.resolve("aws.env")), 6, dir.resolve("aws.env.lock") + " is a symbolic link");
    assertFalse(
        Files.exists(victim, LinkOption.NOFOLLOW_LINKS), "no file created through the link");
    assertFalse(Files.exists(dir.resolve("aws.env")));
  }

  @Test
  void fifoOrDirectoryAtTheLock_isRefusedAtOnce_neverMeansNoLock() throws Exception {
    Path fifo = dir.resolve("a.env.lock");
    assertEquals(0, Proc.run(List.of("mkfifo", fifo.toString()), Proc.cronEnv(), base).exit());
    long t0 = System.nanoTime();
    assertRefused(run(dir.resolve("a.env")), 6, fifo + " is a FIFO, not a regular file");
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "no wait on the FIFO");
    Files.createDirectory(dir.resolve("b.env.lock"));
    assertRefused(run(dir.resolve("b.env")), 6, dir.resolve("b.env.lock") + " is a directory");
    assertFalse(Files.exists(dir.resolve("a.env")) || Files.exists(dir.resolve("b.env")));
  }

  @Test
  void lockHeldByAnotherProcess_waitsNoLongerThanTheDeadline_exit6NamingIt() throws Exception {
    Path file = dir.resolve("aws.env");
    Files.writeString(file, "old\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    try (FileChannel ch =
            FileChannel.open(
                dir.resolve("aws.env.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {
      long t0 = System.nanoTime();
      Proc p = run(file);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertRefused(
          p,
          6,
          "its lock file " + dir.resolve("aws.env.lock") + " stayed locked by another process",
          "10s deadline");
      assertTrue(ms >= 9_500 && ms < 14_000, "waited " + ms + " ms");
      assertTrue(held.isValid());
    }
    assertEquals("old\n", Files.readString(file));
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE)));
  }

  @Test
  void lockOwnedByAnotherUser_isRefused() throws Exception {
    requireRoot("a lock owned by another user needs root to chown it");
    Path lock = Files.createFile(dir.resolve("aws.env.lock"));
    chown(lock, "nobody", "nogroup");
    assertRefused(run(dir.resolve("aws.env")), 6, "is owned by nobody, not root or you");
  }

  // --- what FILE is ---

  @Test
  void deviceFifoSocketDirectoryOrRoot_areRefused_andLeftAsTheyAre() throws Exception {
    assertRefused(
        run(Path.of("/dev/null")), 6, "/dev/null is a character device, not a regular file");
    assertTrue(
        Files.isRegularFile(Path.of("/dev/null")) == false && Files.exists(Path.of("/dev/null")));
    Path fifo = dir.resolve("fifo");
    assertEquals(0, Proc.run(List.of("mkfifo", fifo.toString()), Proc.cronEnv(), base).exit());
    assertRefused(run(fifo), 6, fifo + " is a FIFO");
    assertTrue(
        Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class).isOther());
    Path sock = dir.resolve("sock");
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(sock));
      assertRefused(run(sock), 6, sock + " is a socket");
    }
    Path sub = Files.createDirectory(dir.resolve("sub"));
    assertRefused(run(sub), 6, sub + " is a directory");
    assertRefused(run(Path.of("/")), 6, "/ is a directory");
    try (var s = Files.list(dir)) {
      assertEquals(
          List.of("fifo", "sock", "sub"),
          s.map(f -> f.getFileName().toString()).sorted().toList(),
          "no lock or temporary file left beside what was refused");
    }
  }

  @Test
  void existingFileOfTheApplication_keepsOwnerGroupAndMode() throws Exception {
    requireRoot("a file owned by another user needs root");
    Path file = dir.resolve("aws.env");
    Files.writeString(file, "old\n");
    chown(file, "nobody", "nogroup");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    Proc p = run(file);
    assertEquals(0, p.exit(), p.err());
    assertEquals("", p.err());
    assertEquals(OutputFileIT.expectedEnvFile(), Files.readString(file));
    assertEquals("rw-r-----", mode(file));
    assertEquals("nobody", Files.getOwner(file).getName());
    assertEquals(
        "nogroup",
        Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class)
            .group()
            .getName());
  }

  @Test
  void modeOption_setsTheMode_butNeverForOthers() throws Exception {
    Path file = dir.resolve("aws.env");
    assertEquals(0, run(file, "--mode", "0640").exit());
    assertEquals("rw-r-----", mode(file));
    assertEquals(0, run(file, "--mode", "600").exit());
    assertEquals("rw-------", mode(file));
    FileTime t = Files.getLastModifiedTime(file);
    Proc p = run(file, "--mode", "0644");
    assertRefused(p, 2, "--mode 0644 would give every user access");
    assertRefused(
        run(file, "--mode", "0000"),
        2,
        "--mode 0000 would keep the owner from reading and writing");
    assertRefused(run(file, "--mode", "rw-r-----"), 2, "is not an octal file mode");
    assertRefused(
        Proc.run(Proc.launcher("--mode", "0600"), Proc.cronEnv(), base),
        2,
        "--mode needs --output");
    assertEquals(t, Files.getLastModifiedTime(file));
  }

  // --- symbolic links at FILE ---

  @Test
  void symlinkAtFile_intoADirectoryNoOneElseCanWrite_isWrittenThrough_linkKept() throws Exception {
    Path real = Files.createDirectory(base.resolve("dotfiles"));
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
    Path target = real.resolve("aws.env");
    Files.writeString(target, "old\n");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
    Path link = dir.resolve("aws.env");
    Files.createSymbolicLink(link, Path.of("../dotfiles/aws.env"));
    Proc p = run(link);
    assertEquals(0, p.exit(), p.err());
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(Path.of("../dotfiles/aws.env"), Files.readSymbolicLink(link));
    assertEquals(OutputFileIT.expectedEnvFile(), Files.readString(target));
    assertEquals("rw-r-----", mode(target));
    try (var s = Files.list(real)) {
      assertEquals(
          List.of("aws.env"),
          s.map(f -> f.getFileName().toString()).toList(),
          "no temporary file left");
    }
  }

  @Test
  void symlinkAtFile_inADirectoryOthersCanWrite_orPointingIntoOne_isRefused() throws Exception {
    Path open = Files.createDirectory(base.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.writeString(open.resolve("target"), "old\n");
    // the link lies where others write: they could have pointed it anywhere
    Files.createSymbolicLink(open.resolve("aws.env"), Path.of("target"));
    assertRefused(
        run(open.resolve("aws.env")),
        6,
        "is a symbolic link that is not safe to follow",
        "the directory " + open + " is writable by users other than root and you (mode 0777)",
        "pass a file");
    // the link is safe but its target's directory is not
    Files.createSymbolicLink(dir.resolve("aws.env"), open.resolve("target"));
    assertRefused(run(dir.resolve("aws.env")), 6, "not safe to follow", open + " is writable");
    assertEquals("old\n", Files.readString(open.resolve("target")));
  }

  @Test
  void symlinkAtFile_ownedByAnotherUser_isRefused() throws Exception {
    requireRoot("a link owned by another user needs root to make");
    Path secret = Files.writeString(base.resolve("shadow"), "root's\n");
    Path link = Files.createSymbolicLink(dir.resolve("aws.env"), secret);
    chown(link, "nobody", "nogroup");
    assertRefused(run(link), 6, "is a symbolic link owned by nobody, not root or you");
    assertEquals("root's\n", Files.readString(secret));
  }

  // --- the way to FILE's directory ---

  @Test
  void directoryOnTheWay_writableByOthers_isRefused_butFilesOwnDirectoryMayBe() throws Exception {
    Path shared = Files.createDirectory(base.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
    Path app = Files.createDirectory(shared.resolve("app"));
    assertRefused(
        run(app.resolve("aws.env")),
        6,
        "the directory "
            + shared
            + " is writable by users other than root"
            + " and you (mode 0775), who could redirect the file");
    assertFalse(Files.exists(app.resolve("aws.env")));
    // the file's own directory may be writable by the application: the case root's cron is for
    assertEquals(0, run(shared.resolve("aws.env")).exit());
    assertEquals(OutputFileIT.expectedEnvFile(), Files.readString(shared.resolve("aws.env")));
  }

  @Test
  void directoryOfAnotherUser_swappedForASymlink_isNotFollowed() throws Exception {
    requireRoot("another user's directory needs root to chown it");
    Path sticky = Files.createDirectory(base.resolve("tmp"));
    assertEquals(
        0, Proc.run(List.of("chmod", "1777", sticky.toString()), Proc.cronEnv(), base).exit());
    Path protect = Files.createDirectory(base.resolve("protected"));
    // what nobody did: replaced its directory by a link to root's
    Path app = Files.createSymbolicLink(sticky.resolve("app"), protect);
    chown(app, "nobody", "nogroup");
    assertRefused(
        run(app.resolve("aws.env")),
        6,
        "the symbolic link " + app + " on the way is owned by nobody");
    assertFalse(Files.exists(protect.resolve("aws.env")));
  }

  @Test
  void asAnotherUser_inItsOwnDirectory_underAStickyOne_works() throws Exception {
    requireRoot("running as nobody needs root");
    Path sticky = Files.createDirectory(base.resolve("tmp"));
    assertEquals(
        0, Proc.run(List.of("chmod", "1777", sticky.toString()), Proc.cronEnv(), base).exit());
    Path install =
        OutputFileIT.worldReadableInstall(Files.createDirectory(base.resolve("install")));
    Path mine = sticky.resolve("mine");
    assertEquals(
        0,
        Proc.run(
                new ArrayList<>(
                    List.of(
                        "setpriv",
                        "--reuid=nobody",
                        "--regid=nogroup",
                        "--clear-groups",
                        "mkdir",
                        mine.toString())),
                Proc.cronEnv(),
                base)
            .exit());
    List<String> c = new ArrayList<>(NOBODY);
    c.addAll(cmd(mine.resolve("aws.env")));
    c.set(NOBODY.size(), install.toString());
    Proc p = Proc.run(c, Proc.cronEnv(), Path.of("/"));
    assertEquals(0, p.exit(), p.err());
    assertEquals("nobody", Files.getOwner(mine.resolve("aws.env")).getName());
    assertEquals("rw-------", mode(mine.resolve("aws.env")));
  }

  // --- the shared credentials file ---

  private List<String> ini(Path file, String profile) {
    List<String> c = cmd(file, "--profile-name", profile);
    c.set(c.indexOf("env-no-export"), "ini");
    return c;
  }

  /** botocore's parser on the file: the sections, and one key of each. */
  private static Proc configparser(Path file, String encoding) throws Exception {
    return Proc.run(
        List.of(
            "python3",
            "-c",
            "import configparser,sys\n"
                + "c = configparser.RawConfigParser()\nc.read(sys.argv[1], encoding=sys.argv[2])\n"
                + "for s in c.sections(): print(s, c[s].get('aws_access_key_id'))\n",
            file.toString(),
            encoding),
        Proc.cronEnv(),
        Path.of("/"));
  }

  @Test
  void ini_nonUtf8_crlf_commentedHeader_roundTripThroughConfigparser_everyOtherByteKept()
      throws Exception {
    Path creds = dir.resolve("credentials");
    byte[] pre =
        "# caf\u00e9 accounts\r\n[default] ; main account\r\naws_access_key_id = AKIAMAIN\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] old = "[imds]\r\naws_access_key_id = OLD\r\n".getBytes(StandardCharsets.ISO_8859_1);
    // blank lines and comments before the next header belong to it
    byte[] kept =
        "\r\n; the rest\r\n[\u00e9t\u00e9]\r\naws_access_key_id = AKIASUMMER"
            .getBytes(StandardCharsets.ISO_8859_1);
    Files.write(creds, concat(concat(pre, old), kept));
    Proc p = Proc.run(ini(creds, "imds"), Proc.cronEnv(), base);
    assertEquals(0, p.exit(), p.err());
    byte[] section =
        ("[imds]\r\naws_access_key_id = "
                + Fixtures.ACCESS_KEY_ID
                + "\r\naws_secret_access_key = "
                + Fixtures.SECRET
                + "\r\naws_session_token = "
                + Fixtures.SESSION_TOKEN
                + "\r\nx_security_token_expires = "
                + Fixtures.EXPIRES
                + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(
        new String(concat(concat(pre, section), kept), StandardCharsets.ISO_8859_1),
        new String(Files.readAllBytes(creds), StandardCharsets.ISO_8859_1));
    Proc py = configparser(creds, "latin-1");
    assertEquals(0, py.exit(), py.err());
    assertEquals(
        "default AKIAMAIN\nimds " + Fixtures.ACCESS_KEY_ID + "\n\u00e9t\u00e9 AKIASUMMER\n",
        py.out());
  }

  @Test
  void ini_duplicateProfile_orOver16MiB_exit6_fileUntouched() throws Exception {
    Path creds = dir.resolve("credentials");
    String dup = "[imds]\naws_access_key_id = A\n[other]\n[imds]\naws_access_key_id = B\n";
    Files.writeString(creds, dup);
    assertRefused(
        Proc.run(ini(creds, "imds"), Proc.cronEnv(), base), 6, "the profile [imds] appears twice");
    assertEquals(dup, Files.readString(creds));
    Proc py = configparser(creds, "utf-8");
    assertTrue(py.err().contains("DuplicateSectionError"), "botocore refuses it too: " + py.err());

    try (RandomAccessFile big = new RandomAccessFile(creds.toFile(), "rw")) {
      big.setLength(16 * 1024 * 1024 + 1);
    }
    assertRefused(Proc.run(ini(creds, "imds"), Proc.cronEnv(), base), 6, "is over 16 MiB");
    assertEquals(16 * 1024 * 1024 + 1, Files.size(creds));
  }

  @Test
  void ini_bigFileUnder16MiB_keepsEveryOtherProfile() throws Exception {
    Path creds = dir.resolve("credentials");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < 2 * 1024 * 1024; i++) {
      sb.append("[p").append(i).append("]\naws_access_key_id = AKIA").append(i).append("\n\n");
    }
    Files.writeString(creds, sb);
    assertEquals(0, Proc.run(ini(creds, "imds"), Proc.cronEnv(), base).exit());
    String after = Files.readString(creds);
    assertTrue(
        after.startsWith(sb.toString()) && after.substring(sb.length()).startsWith("[imds]\n"));
  }

  @Test
  void ini_sixteenMiBOfShortProfiles_mergeInTheLaunchersHeap() throws Exception {
    Path creds = dir.resolve("credentials");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < 16 * 1024 * 1024 - 64; i++) {
      sb.append("[p").append(i).append("]\nk=1\n");
    }
    Files.writeString(creds, sb);
    Proc p = Proc.run(ini(creds, "imds"), Proc.cronEnv(), base);
    assertEquals(0, p.exit(), p.err());
    String after = Files.readString(creds);
    assertTrue(
        after.startsWith(sb.toString()) && after.substring(sb.length()).startsWith("\n[imds]\n"));
  }

  /** A file of 16 MiB less {@code less} bytes: {@code head}, then {@code fill} over and over. */
  private static byte[] sixteenMiB(String head, byte[] fill, int less) {
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[16 * 1024 * 1024 - less];
    System.arraycopy(h, 0, b, 0, h.length);
    for (int i = h.length; i < b.length; i++) {
      b[i] = fill[(i - h.length) % fill.length];
    }
    return b;
  }

  static List<Arguments> filesUnderTheCap() {
    byte[] ff = {(byte) 0xff};
    byte[] u0100 = "\u0100".getBytes(StandardCharsets.UTF_8);
    List<Arguments> cases = new ArrayList<>();
    for (String profile : List.of("a", "imds")) {
      for (boolean minValidity : List.of(false, true)) {
        // one 16 MiB line of bytes that are no UTF-8: 32 MiB as a Java String
        cases.add(Arguments.of("ini", profile, minValidity, sixteenMiB("[a]\nx = ", ff, 0)));
        cases.add(Arguments.of("ini", profile, minValidity, sixteenMiB("[a]\nx = ", u0100, 8)));
      }
    }
    // four million short lines in the profile's own section
    cases.add(Arguments.of("ini", "p", true, sixteenMiB("[p]\n", "x=1\n".getBytes(), 0)));
    cases.add(Arguments.of("env-no-export", null, true, sixteenMiB("X=", u0100, 2)));
    cases.add(Arguments.of("env-no-export", null, true, sixteenMiB("", "x=1\n".getBytes(), 0)));
    cases.add(Arguments.of("json", null, true, sixteenMiB("{\n  \"X\" : \"", ff, 0)));
    return cases;
  }

  /**
   * Any file under the 16 MiB cap is read in the launcher's 64 MiB heap: on its bytes, a line at a
   * time, never decoded whole (each of these was an OutOfMemoryError and exit 1).
   */
  @ParameterizedTest
  @MethodSource("filesUnderTheCap")
  void fileUnderTheCap_isReadInTheLaunchersHeap_whateverItsLines(
      String format, String profile, boolean minValidity, byte[] content) throws Exception {
    Path file = dir.resolve("file");
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    List<String> c = cmd(file);
    c.set(c.indexOf("env-no-export"), format);
    if (profile != null) {
      c.addAll(List.of("--profile-name", profile));
    }
    if (minValidity) {
      c.addAll(List.of("--min-validity", "15m"));
    }
    Proc p = Proc.run(c, Proc.cronEnv(), base);
    assertEquals(0, p.exit(), p.err());
    assertEquals("", p.err());
    assertEquals("", p.out());
    byte[] after = Files.readAllBytes(file);
    String text = new String(after, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains(Fixtures.ACCESS_KEY_ID), "the credentials are written");
    if ("imds".equals(profile)) {
      assertTrue(
          java.util.Arrays.equals(after, 0, content.length, content, 0, content.length),
          "every byte of the other profile kept");
    }
  }

  @Test
  void ini_headerThatOlderPythonsReadDifferently_exit6_beforeAnyFetch() throws Exception {
    Path creds = dir.resolve("credentials");
    String before = "[imds] ; see [wiki]\naws_access_key_id = OLD\n";
    Files.writeString(creds, before);
    wm.resetRequests();
    assertRefused(
        Proc.run(ini(creds, "imds"), Proc.cronEnv(), base),
        6,
        "line 1 reads as [imds] ; see [wiki] to Python 3.10 and later but as [imds] to older ones");
    assertEquals(before, Files.readString(creds));
    wm.verify(exactly(0), getRequestedFor(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE)));
  }

  // --- files another user planted or races with ---

  @Test
  void fileAnotherUserPlantedInASharedDirectory_isNotHandedTheCredentials() throws Exception {
    requireRoot("another user's file needs root to chown it");
    Path shared = Files.createDirectory(base.resolve("tmp"));
    assertEquals(
        0, Proc.run(List.of("chmod", "1777", shared.toString()), Proc.cronEnv(), base).exit());
    Path planted = Files.writeString(shared.resolve("root-creds.env"), "");
    chown(planted, "nobody", "nogroup");
    Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rw-r-----"));
    Proc p = run(planted);
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.err().contains("belonged to nobody, who could have put it in " + shared), p.err());
    assertEquals("root", Files.getOwner(planted).getName());
    assertEquals("rw-------", mode(planted));
    assertEquals(OutputFileIT.expectedEnvFile(), Files.readString(planted));
  }

  /**
   * Another user who can write FILE's directory renames, replaces and links whatever appears there
   * while root writes FILE over and over: root's file is never theirs, never a FIFO, never late.
   */
  /**
   * Another user who can write FILE's directory renames root's data/ to the name of a writer's
   * private directory: root's next run leaves it and its files alone (issue 17 item 5). A leftover
   * of the exact shape a killed writer leaves is still cleared.
   */
  @Test
  void rootsDirectoryRenamedToThePrivateName_byAnotherUser_isLeftWithItsFiles() throws Exception {
    requireRoot("the other user is nobody, which needs root");
    Path app = Files.createDirectory(base.resolve("app"));
    chown(app, "nobody", "nogroup");
    String prefix = ".imds-env-" + Integer.toHexString("aws.env".hashCode()) + "-";
    int n = 0;
    for (List<String> files :
        List.<List<String>>of(List.of("db", "new"), List.of("new/"), List.of())) {
      for (String mode : List.of("rwx------", "rwxr-xr-x")) {
        if (files.isEmpty() && mode.equals("rwx------")) {
          continue; // an empty private directory of root's is the shape a writer leaves
        }
        Path data = Files.createDirectory(app.resolve("data"));
        for (String f : files) {
          if (f.endsWith("/")) {
            Files.createDirectory(data.resolve(f));
          } else {
            Files.writeString(data.resolve(f), "root's");
          }
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString(mode));
        Path renamed = app.resolve(prefix + n++);
        List<String> mv = new ArrayList<>(NOBODY);
        mv.addAll(List.of("mv", data.toString(), renamed.toString()));
        assertEquals(0, Proc.run(mv, Proc.cronEnv(), base).exit(), "nobody renames root's data/");
        Proc p = run(app.resolve("aws.env"));
        assertEquals(0, p.exit(), p.err());
        assertTrue(Files.isDirectory(renamed), files + " " + mode + ": left as it was");
        for (String f : files) {
          assertTrue(Files.exists(renamed.resolve(f)), files + " " + mode + ": " + f + " kept");
        }
      }
    }
    // what a writer killed mid-write leaves: the caller's, 0700, one regular file "new"
    Path leftover = Files.createDirectory(app.resolve(prefix + "dead"));
    Files.writeString(leftover.resolve("new"), "half");
    Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("rwx------"));
    assertEquals(0, run(app.resolve("aws.env")).exit());
    assertFalse(Files.exists(leftover));
  }

  @Test
  void anotherUserRacingInTheDirectory_neverGetsTheCredentials_norHoldsTheRun() throws Exception {
    requireRoot("the racing user is nobody, which needs root");
    Path app = Files.createDirectory(base.resolve("app"));
    chown(app, "nobody", "nogroup");
    Path stolen = Files.createDirectory(base.resolve("stolen"));
    chown(stolen, "nobody", "nogroup");
    // inotify through ctypes: the racer acts the moment a name appears, as a real attacker would
    String racer =
        String.join(
            "\n",
            "import ctypes, os, struct, sys, time",
            "d, out = sys.argv[1], sys.argv[2]",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "fd = libc.inotify_init1(os.O_NONBLOCK)",
            "libc.inotify_add_watch(fd, d.encode(), 0x100 | 0x80)", // IN_CREATE | IN_MOVED_TO
            "end = time.time() + 25",
            "n = 0",
            "while time.time() < end and not os.path.exists(os.path.join(out, 'stop')):",
            "    try:",
            "        buf = os.read(fd, 65536)",
            "    except BlockingIOError:",
            "        time.sleep(0.0002)",
            "        continue",
            "    i = 0",
            "    while i < len(buf):",
            "        wd, mask, cookie, ln = struct.unpack_from('iIII', buf, i)",
            "        name = buf[i + 16:i + 16 + ln].rstrip(b'\\0').decode()",
            "        i += 16 + ln",
            "        if not name.startswith('.'):",
            "            continue",
            "        p = os.path.join(d, name)",
            "        try:",
            "            os.rename(p, os.path.join(out, 'x%d' % n)); n += 1",
            "            [os.mkfifo, os.mkdir, lambda q: open(q, 'w').close()][n % 3](p)",
            "        except OSError:",
            "            pass");
    Process attacker =
        Proc.start(
            List.of(
                "setpriv",
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "python3",
                "-c",
                racer,
                app.toString(),
                stolen.toString()),
            Proc.cronEnv(),
            null,
            null,
            null);
    Thread.sleep(500); // its watch is in place
    try {
      for (int i = 0; i < 12; i++) {
        long t0 = System.nanoTime();
        Proc p = run(app.resolve("aws.env"));
        assertTrue(System.nanoTime() - t0 < 12_000_000_000L, "no run held past its deadline");
        assertTrue(p.exit() == 0 || p.exit() == 6, p.err());
        assertFalse(p.err().contains(Fixtures.SECRET));
        Path f = app.resolve("aws.env");
        if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
          assertTrue(Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS), "FILE is a regular file");
          assertEquals("root", Files.getOwner(f, LinkOption.NOFOLLOW_LINKS).getName());
          assertEquals("rw-------", mode(f));
        }
      }
    } finally {
      Files.writeString(stolen.resolve("stop"), "");
      attacker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      Proc.stop(attacker);
    }
    // whatever nobody took away holds no credential it could read
    Proc grep =
        Proc.run(
            List.of(
                "setpriv",
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "grep",
                "-rqs",
                "-D",
                "skip",
                "-e",
                Fixtures.SECRET,
                stolen.toString(),
                app.toString()),
            Proc.cronEnv(),
            base);
    // -q: 0 only for a match (1 none, 2 none but an unreadable file, such as root's own FILE)
    assertTrue(
        grep.exit() == 1 || grep.exit() == 2, "nothing nobody can read holds the secret key");
  }

  // --- --min-validity ---

  private Path freshFileWith(String content) throws Exception {
    Path file = dir.resolve("aws.env");
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    wm.resetRequests();
    return file;
  }

  private void assertFetched(Path file, boolean fetched) throws Exception {
    wm.verify(
        exactly(fetched ? 1 : 0), getRequestedFor(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE)));
    if (fetched) {
      assertEquals(OutputFileIT.expectedEnvFile(), Files.readString(file));
    }
  }

  private static String vars(String expiry) {
    return "AWS_ACCESS_KEY_ID=A\nAWS_SECRET_ACCESS_KEY=B\nAWS_SESSION_TOKEN=C\nAWS_CREDENTIAL_EXPIRATION="
        + expiry
        + "\n";
  }

  @Test
  void minValidity_readsTheExpiryOnlyFromItsOwnLine() throws Exception {
    String inOneHour =
        Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
    // the genuine article: fresh
    Path file = freshFileWith(vars(inOneHour));
    assertEquals(0, run(file, "--min-validity", "15m").exit());
    assertFetched(file, false);
    // only comments, or the key inside another value: no credentials at all
    file =
        freshFileWith(
            "# AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_SESSION_TOKEN=\n# AWS_CREDENTIAL_EXPIRATION="
                + inOneHour
                + "\n");
    assertEquals(0, run(file, "--min-validity", "15m").exit());
    assertFetched(file, true);
    file =
        freshFileWith(
            vars("2000-01-01T00:00:00Z")
                .replace(
                    "AWS_SESSION_TOKEN=C",
                    "AWS_SESSION_TOKEN=xAWS_CREDENTIAL_EXPIRATION=" + inOneHour));
    assertEquals(0, run(file, "--min-validity", "15m").exit());
    assertFetched(file, true);
    // the key twice: which one would a reader take?
    file = freshFileWith(vars(inOneHour) + "AWS_CREDENTIAL_EXPIRATION=2000-01-01T00:00:00Z\n");
    assertEquals(0, run(file, "--min-validity", "15m").exit());
    assertFetched(file, true);
  }

  @Test
  void minValidity_emptyValues_areNoCredentials() throws Exception {
    String inOneHour =
        Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
    Path file =
        freshFileWith(vars(inOneHour).replace("AWS_SECRET_ACCESS_KEY=B", "AWS_SECRET_ACCESS_KEY="));
    assertEquals(0, run(file, "--min-validity", "15m").exit());
    assertFetched(file, true);
  }

  @Test
  void minValidity_farFutureExpiry_isNotBelieved() throws Exception {
    Path file = freshFileWith(vars("2099-01-01T00:00:00Z"));
    Proc p = run(file, "--min-validity", "15m", "-v");
    assertEquals(0, p.exit(), p.err());
    assertTrue(
        p.err()
            .contains("longer than any metadata credential lives (12h 0m): not believed, fetching"),
        p.err());
    assertFetched(file, true);
    // 11 hours ahead is believed
    file =
        freshFileWith(
            vars(
                Instant.now()
                    .plus(11, ChronoUnit.HOURS)
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toString()));
    assertEquals(0, run(file, "--min-validity", "15m").exit());
    assertFetched(file, false);
  }

  @Test
  void minValidity_asAUserWhoMayOnlyReadTheFile_readsItBack() throws Exception {
    // its own file made read-only (0400): opened for reading alone, not refused
    requireRoot("running as nobody needs root");
    Path sticky = Files.createDirectory(base.resolve("tmp"));
    assertEquals(
        0, Proc.run(List.of("chmod", "1777", sticky.toString()), Proc.cronEnv(), base).exit());
    Path install =
        OutputFileIT.worldReadableInstall(Files.createDirectory(base.resolve("install")));
    Path mine = Files.createDirectory(sticky.resolve("mine"));
    chown(mine, "nobody", "nogroup");
    Path file = mine.resolve("aws.env");
    String fresh =
        vars(Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString());
    Files.writeString(file, fresh);
    chown(file, "nobody", "nogroup");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    wm.resetRequests();
    List<String> c = new ArrayList<>(NOBODY);
    c.addAll(cmd(file, "--min-validity", "15m"));
    c.set(NOBODY.size(), install.toString());
    Proc p = Proc.run(c, Proc.cronEnv(), Path.of("/"));
    assertEquals(0, p.exit(), p.err());
    assertEquals("", p.err());
    assertFetched(file, false);
    assertEquals(fresh, Files.readString(file));
  }

  @Test
  void minValidity_withAccountId_fromASourceWithoutOne_doesNotFetchEveryRun() throws Exception {
    Fixtures.healthy(
        wm,
        Fixtures.json(
            Fixtures.ACCESS_KEY_ID,
            Fixtures.SECRET,
            Fixtures.SESSION_TOKEN,
            Fixtures.EXPIRES.toString(),
            null));
    Path file = dir.resolve("aws.env");
    assertEquals(0, run(file, "--account-id", "--min-validity", "15m").exit());
    wm.resetRequests();
    assertEquals(0, run(file, "--account-id", "--min-validity", "15m").exit());
    assertFetched(file, false);
  }

  // --- the container token file ---

  private Proc container(Path tokenFile) throws Exception {
    Map<String, String> env = Proc.env();
    env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", Fixtures.endpoint(wm) + "/creds");
    env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile.toString());
    return Proc.run(Proc.launcher(), env, base);
  }

  @Test
  void tokenFile_fifoDeviceOrHuge_exit2AtOnce_noStackTrace() throws Exception {
    Path fifo = base.resolve("token-fifo");
    assertEquals(0, Proc.run(List.of("mkfifo", fifo.toString()), Proc.cronEnv(), base).exit());
    long t0 = System.nanoTime();
    assertRefused(
        container(fifo),
        2,
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (" + fifo + "): not a regular file");
    assertRefused(container(Path.of("/dev/zero")), 2, "not a regular file");
    assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "no wait");
    Path huge = base.resolve("token-huge");
    Files.writeString(huge, "a".repeat(16 * 1024 + 1));
    assertRefused(container(huge), 2, "larger than 16 KiB");
    // a kernel file says size 0 and may block (/proc/kmsg): an empty file is refused alike
    assertRefused(container(Files.createFile(base.resolve("token-empty"))), 2, "it is empty");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
