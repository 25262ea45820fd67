package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.serve.Listen;
import io.github.imdsenv.serve.TokenFile;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The options of {@code imds-env serve} alone, declared here and checked in {@link #validate}. */
final class ServeOptions {

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      converter = ListenConverter.class,
      description =
          "Address to answer on, repeatable; an IP address (IPv6 in brackets) or localhost."
              + " Default 169.254.170.2:80, where "
              + Environment.CONTAINER_RELATIVE_URI
              + " leads every SDK"
              + " (the address must be on this host: ip addr add 169.254.170.2/32 dev lo).")
  List<Listen> listen;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "The token containers must send (made when missing: 256 random bits, no newline, 0644 in a 0755"
              + " directory of its own, inside one only its owner may enter). Default "
              + "/var/lib/imds-env/token/token, the systemd unit's.")
  Path tokenFile;

  @Option(
      names = "--docker-args",
      description =
          "Print the docker run options that point a container at this server (the relative URI, the token's"
              + " directory as a read-only --mount, "
              + Environment.CONTAINER_TOKEN_FILE
              + "; no secret), and exit.")
  boolean dockerArgs;

  /** The request of these options with the source's; the defaults filled in. */
  Request.Serve request(Settings.Flags source) {
    return new Request.Serve(
        source,
        listen == null || listen.isEmpty() ? List.of(Listen.DEFAULT) : listen,
        tokenFile == null ? TokenFile.DEFAULT : tokenFile,
        dockerArgs);
  }

  /** The rules across these options and the source's settings. */
  static void validate(Request.Serve request, Settings settings) {
    List<Listen> listens = request.listens();
    if (new HashSet<>(listens).size() != listens.size()) {
      throw usage("--listen names the same address twice");
    }
    if (request.tokenFile().getFileName() == null) {
      throw usage("--token-file '" + request.tokenFile() + "' is not a file name");
    }
    if (settings.source() == SourceKind.CONTAINER) {
      URI uri = settings.container().uri();
      for (Listen l : listens) {
        if (asksItself(uri, l)) {
          throw usage(
              "the container endpoint "
                  + uri
                  + " ("
                  + settings.sourceReason()
                  + ") is this server's own --listen "
                  + l
                  + ": serve would ask itself; pass --source imds, or unset that variable");
        }
      }
    }
  }

  private static boolean asksItself(URI uri, Listen l) {
    int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
    if (port != l.port()) {
      return false;
    }
    try {
      String host = uri.getHost();
      // only literals compared: no lookup for a check
      return (host.startsWith("[") || Character.isDigit(host.charAt(0)))
          && InetAddress.getByName(host).equals(l.address());
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static ImdsEnvException usage(String message) {
    return new ImdsEnvException(ImdsEnvException.Reason.USAGE, message);
  }

  static final class ListenConverter implements ITypeConverter<Listen> {
    @Override
    public Listen convert(String value) {
      return SourceOptions.convert(value, Listen::parse);
    }
  }
}
