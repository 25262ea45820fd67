package io.github.imdsenv.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.ImdsEnvException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token file: made in the layout that keeps it from other local users, kept, re-read on a
 * change with the previous token accepted for the grace period. Failure messages never carry a
 * token.
 */
class TokenFileTest {

  @TempDir Path root;

  private Path outer;
  private Path file;
  private final ScriptedSource.ManualClock clock = new ScriptedSource.ManualClock();

  @BeforeEach
  void layout() throws Exception {
    outer = Files.createDirectory(root.resolve("state"));
    Files.setPosixFilePermissions(outer, PosixFilePermissions.fromString("rwx------"));
    file = outer.resolve("token").resolve("token");
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private void write(String token) throws Exception {
    // as an admin rotating it would: a new file renamed over the old one
    Path tmp = file.resolveSibling(".new");
    Files.writeString(tmp, token, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void open_missing_makesA256BitUrlSafeTokenWithoutNewline_fileReadableDirSearchable()
      throws Exception {
    TokenFile t = TokenFile.open(file, clock);
    String token = Files.readString(file);
    assertEquals(43, token.length());
    assertTrue(token.matches("[A-Za-z0-9_-]+"), "URL-safe base64 without padding");
    assertEquals(32, Base64.getUrlDecoder().decode(token).length);
    assertEquals("rw-r--r--", mode(file));
    assertEquals("rwxr-xr-x", mode(file.getParent()));
    assertEquals("rwx------", mode(outer));
    assertTrue(t.accepts(token));
    try (var leftovers = Files.list(file.getParent())) {
      assertEquals(1, leftovers.count(), "no temporary file left");
    }
  }

  @Test
  void open_twice_keepsTheTokenAcrossRestarts() throws Exception {
    TokenFile.open(file, clock);
    String first = Files.readString(file);
    FileTime before = Files.getLastModifiedTime(file);
    TokenFile again = TokenFile.open(file, clock);
    assertEquals(first, Files.readString(file));
    assertEquals(before, Files.getLastModifiedTime(file));
    assertTrue(again.accepts(first));
  }

  @Test
  void newToken_isDifferentEachTime() {
    assertFalse(TokenFile.newToken().equals(TokenFile.newToken()));
  }

  @Test
  void accepts_onlyTheExactToken() throws Exception {
    TokenFile t = TokenFile.open(file, clock);
    String token = Files.readString(file);
    assertFalse(t.accepts(null));
    assertFalse(t.accepts(""));
    assertFalse(t.accepts(token.substring(1)));
    assertFalse(t.accepts(token + "x"));
    assertFalse(t.accepts(token + "\n"));
    assertFalse(t.accepts("Bearer " + token));
    assertFalse(t.accepts(token.toLowerCase(java.util.Locale.ROOT)));
  }

  @Test
  void open_outerDirectorySearchableByOthers_refused_nothingMade() throws Exception {
    Files.setPosixFilePermissions(outer, PosixFilePermissions.fromString("rwxr-xr-x"));
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> TokenFile.open(file, clock));
    assertEquals(ImdsEnvException.Reason.TOKEN_UNUSABLE, e.reason());
    assertTrue(e.getMessage().contains("every local user could read it"), e.getMessage());
    assertTrue(e.getMessage().contains("chmod 700 " + outer), e.getMessage());
    assertFalse(Files.exists(file.getParent()));
  }

  @Test
  void open_throughTheStateDirectorysLink_asSystemdsDynamicUserLaysItOut() throws Exception {
    // /var/lib/imds-env -> private/imds-env, in /var/lib/private (0700): the link's target counts
    Path priv = Files.createDirectory(root.resolve("private"));
    Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rwx------"));
    Path state = Files.createDirectory(priv.resolve("imds-env"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    Path link = Files.createSymbolicLink(root.resolve("imds-env"), Path.of("private/imds-env"));
    TokenFile t = TokenFile.open(link.resolve("token/token"), clock);
    assertTrue(t.accepts(Files.readString(state.resolve("token/token"))));
    assertEquals("rw-r--r--", mode(state.resolve("token/token")));
  }

  @Test
  void open_existingOwnerOnlyFile_inOpenDirectories_isAccepted() throws Exception {
    Files.setPosixFilePermissions(outer, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectory(file.getParent());
    Files.writeString(file, TokenFile.newToken());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertTrue(TokenFile.open(file, clock).accepts(Files.readString(file)));
  }

  @Test
  void open_directoryWritableByOthers_refused() throws Exception {
    Files.createDirectory(file.getParent());
    Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> TokenFile.open(file, clock));
    assertTrue(e.getMessage().contains("may be written by another user"), e.getMessage());
  }

  @Test
  void open_tokenWithTrailingNewline_refusedNamingTheFix_notTheToken() throws Exception {
    Files.createDirectory(file.getParent());
    String token = TokenFile.newToken();
    Files.writeString(file, token + "\n");
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> TokenFile.open(file, clock));
    assertTrue(e.getMessage().contains("ends with a line break"), e.getMessage());
    assertFalse(e.getMessage().contains(token), "the message must not carry the token");
  }

  @Test
  void open_shortOrSpacedToken_refused() throws Exception {
    Files.createDirectory(file.getParent());
    Files.writeString(file, "short");
    assertThrows(ImdsEnvException.class, () -> TokenFile.open(file, clock));
    Files.writeString(file, "a".repeat(20) + " " + "b".repeat(20));
    assertThrows(ImdsEnvException.class, () -> TokenFile.open(file, clock));
  }

  @Test
  void open_fifo_refusedWithoutBlocking() throws Exception {
    Files.createDirectory(file.getParent());
    Process p = new ProcessBuilder("mkfifo", file.toString()).start();
    assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0);
    ImdsEnvException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () -> assertThrows(ImdsEnvException.class, () -> TokenFile.open(file, clock)));
    assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
  }

  @Test
  void reload_unchanged_nothingHappens() throws Exception {
    TokenFile t = TokenFile.open(file, clock);
    assertNull(t.reload());
  }

  @Test
  void reload_changed_newTokenAccepted_previousOneForTheGracePeriodOnly() throws Exception {
    TokenFile t = TokenFile.open(file, clock);
    String old = Files.readString(file);
    String fresh = TokenFile.newToken();
    write(fresh);
    String said = t.reload();
    assertTrue(said != null && said.contains("changed"), said);
    assertFalse(said.contains(fresh) || said.contains(old), "no token in the message");
    assertTrue(t.accepts(fresh));
    assertTrue(t.accepts(old));
    clock.advance(TokenFile.GRACE.minusSeconds(1));
    assertTrue(t.accepts(old));
    clock.advance(Duration.ofSeconds(1));
    assertFalse(t.accepts(old));
    assertTrue(t.accepts(fresh));
  }

  @Test
  void reload_rewrittenInPlace_seenToo() throws Exception {
    TokenFile t = TokenFile.open(file, clock);
    String fresh = TokenFile.newToken();
    Files.writeString(file, fresh);
    // a rewrite within the file system's timestamp granularity is still another size or mtime
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 2000));
    assertTrue(t.reload() != null);
    assertTrue(t.accepts(fresh));
  }

  @Test
  void reload_brokenNewFile_throws_andKeepsTheTokenItHolds() throws Exception {
    TokenFile t = TokenFile.open(file, clock);
    String old = Files.readString(file);
    write(TokenFile.newToken() + "\n");
    assertThrows(ImdsEnvException.class, t::reload);
    assertTrue(t.accepts(old));
    // said once: the same broken file is not read again
    assertNull(t.reload());
  }

  @Test
  void reload_fileRemoved_throws_andKeepsTheTokenItHolds() throws Exception {
    TokenFile t = TokenFile.open(file, clock);
    String old = Files.readString(file);
    Files.delete(file);
    assertThrows(ImdsEnvException.class, t::reload);
    assertTrue(t.accepts(old));
  }
}
