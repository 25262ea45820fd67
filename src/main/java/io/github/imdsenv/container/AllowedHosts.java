package io.github.imdsenv.container;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.ImdsEnvException.Reason;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.http.Transport;
import io.github.imdsenv.settings.Environment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/** The hosts the {@link ContainerClient} may send its authorization token to over plain http. */
final class AllowedHosts {

  /** The link-local addresses of the ECS and EKS Pod Identity agents. */
  private static final String[] AGENT_ADDRESSES = {
    "169.254.170.2", "169.254.170.23", "fd00:ec2::23"
  };

  private AllowedHosts() {}

  /**
   * Plain http may go only to this host or to the ECS/EKS agents: anyone else would receive the
   * authorization token. Checked before any connection; a name is resolved by {@code transport}
   * within {@code deadlineNanos}.
   */
  static void require(URI uri, Transport transport, long deadlineNanos) {
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      return;
    }
    String host = HttpLink.host(uri);
    try {
      InetAddress[] addresses = transport.resolve(host, deadlineNanos);
      for (InetAddress a : addresses) {
        if (!a.isLoopbackAddress() && !isAgent(a)) {
          throw notAllowed(uri);
        }
      }
    } catch (UnknownHostException e) {
      throw notAllowed(uri);
    } catch (IOException e) {
      throw new ImdsEnvException(
          Reason.UNREACHABLE,
          Environment.CONTAINER_FULL_URI
              + " "
              + uri
              + ": the host could not be"
              + " checked ("
              + e.getMessage()
              + "): check the name and the resolver (/etc/resolv.conf)",
          e);
    }
  }

  private static boolean isAgent(InetAddress a) throws UnknownHostException {
    for (String agent : AGENT_ADDRESSES) {
      if (InetAddress.getByName(agent).equals(a)) {
        return true;
      }
    }
    return false;
  }

  private static ImdsEnvException notAllowed(URI uri) {
    return new ImdsEnvException(
        Reason.HOST_NOT_ALLOWED,
        Environment.CONTAINER_FULL_URI
            + " "
            + uri
            + " is refused: plain http goes only to a loopback address, 169.254.170.2,"
            + " 169.254.170.23 or fd00:ec2::23 (any other host would receive the authorization"
            + " token); use https for another host");
  }
}
