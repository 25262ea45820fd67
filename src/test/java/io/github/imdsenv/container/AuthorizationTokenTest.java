package io.github.imdsenv.container;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static java.nio.file.attribute.PosixFilePermission.GROUP_READ;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_READ;
import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Run;
import io.github.imdsenv.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an Authorization header may carry: printable ASCII and the space inside (0x20..0x7e; HTTP
 * trims it at the ends); the controls below and DEL above are refused before any request, the edges
 * themselves are sent as they are.
 */
class AuthorizationTokenTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  static final String PATH = "/v2/credentials/task-1234";

  private static Map<String, String> env(String token) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", Fixtures.endpoint(wm) + PATH);
    env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
    return env;
  }

  private static String token(Map<String, String> env) {
    Settings.Flags none = Settings.Flags.none();
    Settings settings = Settings.resolve(none, env);
    return AuthorizationToken.of(settings.container(), settings.budget().deadline());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mid\u0020dle", "a b c", "tilde~", "~", "!", "Bearer abc.DEF-123_=+/"})
  void printableAsciiAndSpace_areSentAsTheyAre(String value) {
    wm.stubFor(get(urlEqualTo(PATH)).willReturn(ok(Fixtures.credentialsJson())));
    assertTrue(value.equals(token(env(value))), "the token read differs from the variable");
    // a generous timeout: a retry after a cold start would send the header twice
    Run.cli(env(value), "--timeout", "5s").assertSuccess();
    wm.verify(
        exactly(1), getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo(value)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "unit\u001fsep",
        "del\u007f",
        "\u0000nul",
        "tab\tbed",
        "esc\u001b[0m",
        "c1\u0085",
        "nbsp\u00a0",
        "caf\u00e9",
        "bidi\u202e"
      })
  void controlsDelAndNonAscii_areRefused_beforeAnyRequest(String value) {
    wm.stubFor(get(urlEqualTo(PATH)).willReturn(ok(Fixtures.credentialsJson())));
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> token(env(value)));
    assertTrue(
        e.getMessage().contains("contains a character no HTTP header can carry"), e.getMessage());
    Run r =
        Run.cli(env(value), "--timeout", "500ms")
            .assertFailure(2, "AWS_CONTAINER_AUTHORIZATION_TOKEN contains a character");
    assertTrue(!r.err().contains(value), "the token is shown in the error output");
    assertEquals(0, wm.getAllServeEvents().size());
  }

  @Test
  void noToken_sendsNoAuthorizationHeader() {
    Map<String, String> env = new HashMap<>(env("x"));
    env.remove("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    assertNull(token(env));
  }

  // ---- the token file

  @TempDir Path dir;

  private static String tokenFromFile(Path file) {
    Map<String, String> env = env("from-the-variable");
    env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file.toString());
    return token(env);
  }

  private static String refusal(Path file) {
    ImdsEnvException e = assertThrows(ImdsEnvException.class, () -> tokenFromFile(file));
    assertEquals(ImdsEnvException.Reason.TOKEN_UNUSABLE, e.reason());
    String prefix = "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (" + file + "): ";
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    return e.getMessage().substring(prefix.length());
  }

  @Test
  void tokenFile_ofExactly16KiB_isRead_oneByteMoreIsRefused() throws Exception {
    Path file = dir.resolve("token");
    String token = "t".repeat(16 * 1024);
    Files.writeString(file, token);
    assertTrue(token.equals(tokenFromFile(file)), "the token read differs from the file");
    Files.writeString(file, token + "t");
    assertEquals("larger than 16 KiB, which no token is", refusal(file));
  }

  @Test
  void tokenFile_throughASymbolicLink_isRead() throws Exception {
    // how the agents rotate it: the link is swapped, the file behind it replaced
    Files.writeString(dir.resolve("token-1"), "rotated");
    Path link = Files.createSymbolicLink(dir.resolve("token"), dir.resolve("token-1"));
    assertTrue("rotated".equals(tokenFromFile(link)), "the token read differs from the file");
  }

  @Test
  void tokenFile_emptyOrNotARegularFile_isRefused_withoutBlocking() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty"));
    assertEquals("it is empty", refusal(empty));
    assertEquals("not a regular file", refusal(Files.createDirectory(dir.resolve("a-dir"))));
    // a FIFO nobody writes to would block a read forever
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    assertEquals("not a regular file", refusal(fifo));
    assertEquals("no such file or directory", refusal(dir.resolve("missing")));
  }

  @Test
  void tokenFile_thatCannotBeOpened_saysWhy() throws Exception {
    Path loop = dir.resolve("loop");
    Files.createSymbolicLink(loop, loop);
    assertTrue(refusal(loop).startsWith("Too many levels of symbolic links"), refusal(loop));
  }

  @Test
  void tokenFile_thatMayNotBeRead_saysPermissionDenied() throws Exception {
    Path unreadable;
    if ("root".equals(System.getProperty("user.name"))) {
      // root may open any file but a write-only sysfs one
      unreadable = Path.of("/sys/bus/platform/uevent");
      Assumptions.assumeTrue(
          Files.isRegularFile(unreadable)
              && Collections.disjoint(
                  Files.getPosixFilePermissions(unreadable),
                  Set.of(OWNER_READ, GROUP_READ, OTHERS_READ)),
          "running as root, and /sys/bus/platform/uevent, the write-only file root cannot read,"
              + " is missing or readable here (no sysfs?)");
    } else {
      unreadable = Files.writeString(dir.resolve("token"), "unreadable");
      Files.setPosixFilePermissions(unreadable, Set.of());
    }
    assertEquals("permission denied", refusal(unreadable));
  }
}
