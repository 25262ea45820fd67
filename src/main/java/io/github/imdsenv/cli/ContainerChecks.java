package io.github.imdsenv.cli;

import io.github.imdsenv.Log;
import io.github.imdsenv.container.ContainerClient;
import io.github.imdsenv.http.HttpLink;
import io.github.imdsenv.settings.Environment;
import io.github.imdsenv.settings.Settings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;

/**
 * Doctor's container checks: the container client's host, token and credentials steps as it reports
 * them, doctor's TCP probe once the host is allowed, and the region from the environment.
 */
final class ContainerChecks {

  private final DoctorReport report;
  private final Map<String, String> env;
  private final InetSocketAddress serveAddress;

  /**
   * @param serveAddress where imds-env serve answers containers on a plain EC2 host
   *     (169.254.170.2:80, {@link io.github.imdsenv.serve.Listen#DEFAULT}): an endpoint there that
   *     does not answer names serve in its fix
   */
  ContainerChecks(DoctorReport report, Map<String, String> env, InetSocketAddress serveAddress) {
    this.report = report;
    this.env = env;
    this.serveAddress = serveAddress;
  }

  /** The fix when nothing answers at {@code uri}. */
  String unreachableFix(URI uri) {
    int port =
        uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    if (port == serveAddress.getPort()
        && HttpLink.host(uri).equals(serveAddress.getAddress().getHostAddress())) {
      return "on a plain EC2 host running Docker, run `imds-env serve` on the host (serve in"
          + " `man imds-env`) and start the container with the options `imds-env serve --docker-args` prints;"
          + " on ECS the agent answers here: check it is running";
    }
    return "run this inside the ECS task or EKS pod, and check the agent is running";
  }

  void run(Settings settings, Log log) {
    report.line("ok", "source", "container credentials endpoint (" + settings.sourceReason() + ")");
    report.check("endpoint");
    ContainerClient client =
        ContainerClient.create(
            settings.container(), settings.budget(), log, new ContainerSteps(settings));
    report.credentials(report.observe(client::credentials));
    if (settings.container().regionFromEnvironment() != null) {
      report.line(
          "ok",
          "region",
          settings.container().regionFromEnvironment()
              + " (from "
              + Environment.REGION
              + " / "
              + Environment.DEFAULT_REGION
              + ")");
    } else {
      report.line(
          "warn",
          "region",
          Environment.REGION + " is not set in this container: --region cannot be used");
    }
  }

  /**
   * Doctor's lines from the container client's steps, with doctor's TCP probe once the host is
   * allowed.
   */
  private final class ContainerSteps implements ContainerClient.Listener {
    private final Settings settings;

    ContainerSteps(Settings settings) {
      this.settings = settings;
    }

    @Override
    public void hostAllowed(URI uri) {
      report.line("ok", "endpoint", uri + " (an allowed host)");
      report.reachable(settings.budget().timeout(), uri, unreachableFix(uri));
      report.check("token");
    }

    @Override
    public void authorization(String source, int length) {
      if (source != null) {
        report.line(
            "ok",
            "token",
            "sent as Authorization (" + length + " characters, from " + source + ")");
      } else if (env.get(Environment.CONTAINER_RELATIVE_URI) == null) {
        report.line(
            "warn", "token", "none: EKS Pod Identity needs " + Environment.CONTAINER_TOKEN_FILE);
      } else {
        report.line("ok", "token", "none (an ECS task needs none)");
      }
      report.check("credentials");
    }

    @Override
    public void refused(int status, String code, String message) {
      report.explain(
          null,
          "the endpoint answered "
              + status
              + (code == null ? "" : ": " + code)
              + (message == null ? "" : " (" + message + ")")
              + (status == 401 || status == 403
                  ? ": the authorization token was refused; check the token file"
                  : ""));
    }
  }
}
