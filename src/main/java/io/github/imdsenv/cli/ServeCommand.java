package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.serve.DockerArgs;
import io.github.imdsenv.serve.EcsAgent;
import io.github.imdsenv.serve.Endpoint;
import io.github.imdsenv.serve.Listen;
import io.github.imdsenv.serve.Refresher;
import io.github.imdsenv.serve.Report;
import io.github.imdsenv.serve.Server;
import io.github.imdsenv.serve.TokenFile;
import io.github.imdsenv.serve.Upkeep;
import io.github.imdsenv.settings.Settings;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code imds-env serve}: the container credentials endpoint for the containers of this host,
 * answered from memory, refreshed beside the requests from the export's own source.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serve the instance role's credentials to this host's containers, as ECS does: GET /v1/credentials"
          + " with the token in Authorization. Answered from memory; the source is asked again every few"
          + " minutes (every 30 s once under 20 minutes are left), what is held is kept through an outage"
          + " while valid, and expired credentials are never served (503). Runs until stopped (SIGTERM: exit 0).",
      "",
      "  # as the systemd unit imds-env-serve.service does:",
      "  sudo ip addr add 169.254.170.2/32 dev lo",
      "  sudo imds-env serve &",
      "  args=$(imds-env serve --docker-args) || exit; eval \"docker run $args IMAGE\"",
      ""
    })
final class ServeCommand implements Callable<Integer> {

  @Mixin SourceOptions source;

  @Mixin ServeOptions serve;

  @Spec CommandSpec spec;

  private final Map<String, String> env;

  ServeCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws InterruptedException {
    Cli.rejectOptionsBefore(spec);
    Request.Serve request = serve.request(source.flags());
    Settings settings = Settings.resolve(request.source(), env);
    ServeOptions.validate(request, settings);
    if (request.dockerArgs()) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(DockerArgs.render(request.listens(), request.tokenFile()));
      out.flush();
      return 0;
    }
    return run(request, settings, spec.commandLine().getErr());
  }

  /** Listens until the process is stopped; returns only on a failure to start. */
  private int run(Request.Serve request, Settings settings, PrintWriter err)
      throws InterruptedException {
    List<Listen> listens = request.listens();
    if (listens.stream().anyMatch(Listen::ecsAddress)) {
      String agent = EcsAgent.detect();
      if (agent != null) {
        throw new ImdsEnvException(
            ImdsEnvException.Reason.LISTEN,
            "this looks like an ECS container instance ("
                + agent
                + "): the ECS agent answers "
                + Listen.ECS_HOST
                + " here through a NAT rule, so containers would never reach serve; give the tasks"
                + " a task role instead");
      }
    }
    TokenFile token = TokenFile.open(request.tokenFile(), InstantSource.system());
    Log log = Log.create(settings.verbose());
    Report report = new Report(err, log, settings.quiet());
    Refresher refresher =
        new Refresher(
            () -> CredentialsFetch.source(settings, log),
            InstantSource.system(),
            new SplittableRandom(),
            report);
    // before the first HttpServer is made: the JDK reads its limits once
    Server.configureJdk();
    Server server =
        Server.start(listens, new Endpoint(refresher, token, InstantSource.system(), log));
    // SIGTERM (systemctl stop, docker stop) and SIGINT end it at once, with status 0
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0), "serve-stop"));
    Upkeep.start(refresher, token, report);
    for (InetSocketAddress a : server.addresses()) {
      String host = a.getAddress().getHostAddress();
      report.info(
          "serving http://"
              + (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host)
              + ":"
              + a.getPort()
              + Endpoint.PATH
              + " (token: "
              + token.file()
              + ")");
    }
    new CountDownLatch(1).await();
    return 0;
  }
}
