package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imds-env serve}'s options and refusals, in process (nothing here starts a server: that is
 * ServeIT's, in a process of its own), and {@code --docker-args}.
 */
class ServeCommandTest {

  @TempDir Path dir;

  @Test
  void dockerArgs_default_relativeUriTokenDirectoryMountedReadOnly_tokenByNameOnly() {
    Run r = Run.cli(Map.of(), "serve", "--docker-args").assertSuccess();
    assertEquals(
        "-e AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v1/credentials"
            + " --mount type=bind,source=/var/lib/imds-env/token,target=/run/imds-env,readonly"
            + " -e AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/imds-env/token"
            + " -e AWS_CONTAINER_AUTHORIZATION_TOKEN\n",
        r.out());
    assertEquals("", r.err());
  }

  @Test
  void dockerArgs_tokenFileElsewhere_mountsItsDirectory() {
    Run r =
        Run.cli(Map.of(), "serve", "--docker-args", "--token-file", "/srv/imds/t/creds-token")
            .assertSuccess();
    assertTrue(
        r.out()
            .contains(
                " --mount type=bind,source=/srv/imds/t,target=/run/imds-env,readonly"
                    + " -e AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/imds-env/creds-token "),
        r.out());
  }

  @Test
  void dockerArgs_loopbackOnly_fullUriForTheHostsNetwork() {
    Run r =
        Run.cli(Map.of(), "serve", "--docker-args", "--listen", "127.0.0.1:9911").assertSuccess();
    assertTrue(
        r.out()
            .startsWith(
                "-e AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9911/v1/credentials "),
        r.out());
  }

  @Test
  void dockerArgs_anAddressNoSdkAccepts_refused() {
    Run.cli(Map.of(), "serve", "--docker-args", "--listen", "10.1.2.3:80")
        .assertFailure(2, "--docker-args: containers find serve at 169.254.170.2:80");
  }

  @Test
  void dockerArgs_pathThatWordSplittingWouldChange_refused() {
    Run.cli(Map.of(), "serve", "--docker-args", "--token-file", "/srv/my dir/token")
        .assertFailure(2, "choose a plain path");
    Run.cli(Map.of(), "serve", "--docker-args", "--token-file", "/srv/a,b/token")
        .assertFailure(2, "choose a plain path");
  }

  @Test
  void listen_notALiteral_usageError() {
    Run.cli(Map.of(), "serve", "--listen", "example.com:80")
        .assertFailure(2, "--listen 'example.com:80': HOST must be an IP address");
  }

  @Test
  void listen_twice_usageError() {
    Run.cli(Map.of(), "serve", "--listen", "127.0.0.1:1", "--listen", "127.0.0.1:1")
        .assertFailure(2, "--listen names the same address twice");
  }

  @Test
  void containerSourceIsServeItself_usageError() {
    Run.cli(
            Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9911/v1/credentials"),
            "serve",
            "--listen",
            "127.0.0.1:9911",
            "--docker-args")
        .assertFailure(2, "serve would ask itself; pass --source imds");
  }

  @Test
  void optionsBeforeServe_refused() {
    Run.cli(Map.of(), "--role", "x", "serve").assertFailure(2, "options before 'serve'");
  }

  @Test
  void tokenFileOpenToEveryone_refusedBeforeListening() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run r =
        Run.cli(
                Map.of(),
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--token-file",
                open.resolve("t/token").toString())
            .assertFailure(2, "every local user could read it");
    assertFalse(Files.exists(open.resolve("t")));
    assertEquals("", r.out());
  }

  @Test
  void help_namesTheOptions() {
    Run r = Run.cli(Map.of(), "serve", "--help").assertSuccess();
    for (String o : new String[] {"--listen", "--token-file", "--docker-args", "--endpoint"}) {
      assertTrue(r.out().contains(o), o + " in:\n" + r.out());
    }
  }
}
