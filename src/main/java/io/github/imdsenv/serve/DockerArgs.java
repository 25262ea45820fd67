package io.github.imdsenv.serve;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.settings.Environment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code imds-env serve --docker-args}: the {@code docker run} options that point a container's SDK
 * at serve. No secret: the token reaches the container as a read-only bind mount of its directory
 * (so that a replaced token reaches it too), named by {@code
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}; {@code -e AWS_CONTAINER_AUTHORIZATION_TOKEN} is a name
 * only, its value taken by docker from the caller's environment, for SDKs that know no _TOKEN_FILE
 * (botocore 1.29, AWS CLI 2.9), and left unset in the container when the caller has none.
 */
public final class DockerArgs {

  /** Where the token's directory appears in the container. */
  public static final String MOUNT_TARGET = "/run/imds-env";

  private DockerArgs() {}

  /**
   * One line of plain words (no path that quoting would change is accepted), for {@code
   * args=$(imds-env serve --docker-args) || exit; eval "docker run $args IMAGE"}.
   */
  public static String render(List<Listen> listens, Path tokenFile) {
    Path file = tokenFile.toAbsolutePath().normalize();
    String dir = file.getParent().toString();
    String name = file.getFileName().toString();
    for (String s : List.of(dir, name)) {
      if (!s.matches("[A-Za-z0-9._/+@%-]+")) {
        throw new ImdsEnvException(
            Reason.USAGE,
            "--docker-args: the token file's path "
                + file
                + " has a character (a space, comma, quote, glob …) that docker's --mount or the"
                + " shell's word splitting would change: choose a plain path");
      }
    }
    List<String> words = new ArrayList<>();
    words.add("-e");
    words.add(uriVariable(listens));
    words.add("--mount");
    words.add("type=bind,source=" + dir + ",target=" + MOUNT_TARGET + ",readonly");
    words.add("-e");
    words.add(Environment.CONTAINER_TOKEN_FILE + "=" + MOUNT_TARGET + "/" + name);
    words.add("-e");
    words.add(Environment.CONTAINER_TOKEN);
    return String.join(" ", words) + "\n";
  }

  /**
   * The relative URI when serve is on 169.254.170.2:80 (every SDK, old and new, knows it); else the
   * full URI of a 127.0.0.1 address, which only containers on the host's network reach.
   */
  private static String uriVariable(List<Listen> listens) {
    for (Listen l : listens) {
      if (l.equals(Listen.DEFAULT)) {
        return Environment.CONTAINER_RELATIVE_URI + "=" + Endpoint.PATH;
      }
    }
    for (Listen l : listens) {
      if (l.address().getHostAddress().equals("127.0.0.1")) {
        return Environment.CONTAINER_FULL_URI + "=http://" + l.authority() + Endpoint.PATH;
      }
    }
    throw new ImdsEnvException(
        Reason.USAGE,
        "--docker-args: containers find serve at "
            + Listen.DEFAULT
            + " ("
            + Environment.CONTAINER_RELATIVE_URI
            + ") or, on the host's network, at a 127.0.0.1"
            + " address (the SDKs refuse a full URI elsewhere): listen on one of them");
  }
}
