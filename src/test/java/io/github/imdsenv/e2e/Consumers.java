package io.github.imdsenv.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The real programs the README's recipes feed (docker, the AWS CLI, botocore's python3), found
 * where the distribution installs them, and a bin directory that puts them and the launcher (as
 * `imds-env`) on a recipe's PATH. A missing program fails the test that needs it: never a skip.
 */
final class Consumers {

  /**
   * The distribution's directories first: /usr/local/bin may hold another docker or a pyenv-less
   * aws.
   */
  private static final List<String> DIRS =
      List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin");

  static final String PACKAGES = "docker.io runc busybox-static awscli python3-botocore strace";

  private Consumers() {}

  /** The absolute path of NAME, or a failure saying which package brings it. */
  static Path require(String name, String debianPackage) {
    for (String d : DIRS) {
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError(
        name
            + " is not installed (looked in "
            + DIRS
            + "): the README recipe tests run the real program;"
            + " install it with apt-get install -y "
            + debianPackage
            + " (.ci/run installs "
            + PACKAGES
            + ")");
  }

  /**
   * DIR/bin holding `imds-env` (running the launcher, as the README's install link does) and each
   * TOOL by its name. Small exec scripts rather than symlinks: JUnit warns about a link out of a
   * temporary directory, and LauncherIT covers the launcher through symlinks.
   */
  static Path binDir(Path dir, Path... tools) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    wrapper(bin.resolve("imds-env"), Path.of(Proc.LAUNCHER));
    for (Path t : tools) {
      wrapper(bin.resolve(t.getFileName().toString()), t);
    }
    return bin;
  }

  private static void wrapper(Path at, Path target) throws IOException {
    Files.writeString(
        at, "#!/bin/sh\nexec '" + target.toString().replace("'", "'\\''") + "' \"$@\"\n");
    Files.setPosixFilePermissions(
        at, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * A recipe's environment: the cron-like minimum, PATH through BIN, and the endpoint the way a
   * user sets it.
   */
  static Map<String, String> env(Path bin, Path home, String endpoint) {
    return Proc.env(
        "PATH",
        bin + ":/usr/bin:/bin",
        "HOME",
        home.toString(),
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        endpoint);
  }

  /** SHA-256 of the UTF-8 bytes, hex: how values are compared and reported without being shown. */
  static String sha256(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
