package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's "Try any recipe here", as written: the simulator started in one terminal, the
 * endpoint and PATH set in another in the clone's directory, doctor and a recipe run; then, the
 * simulator stopped, the recipe stops with the export's exit code. Only the port is substituted (a
 * free one for 8080).
 */
class TryItIT {

  @Test
  void theReadmesTryIt_asWritten_works_andTheRecipeStopsOnceTheSimulatorIsDown() throws Exception {
    String port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = String.valueOf(s.getLocalPort());
    }
    Map<String, String> env = Proc.env();
    env.put("PATH", System.getProperty("java.home") + "/bin:/usr/bin:/bin");
    env.put("HOME", Proc.BASEDIR.resolve("target").toString());

    String simulator = Readme.line("java -jar target/imds-env-tools.jar --port 8080");
    ProcessBuilder pb =
        new ProcessBuilder("sh", "-c", "exec " + Readme.substitute(simulator, "8080", port))
            .directory(Proc.BASEDIR.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process sim = pb.start();
    try {
      String url =
          new BufferedReader(new InputStreamReader(sim.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      assertEquals("http://127.0.0.1:" + port, url, "the simulator's first line");

      List<String> terminal2 = Readme.block("export AWS_EC2_METADATA_SERVICE_ENDPOINT=");
      assertTrue(terminal2.get(0).endsWith("=http://127.0.0.1:8080"), terminal2.get(0));
      String script = Readme.substitute(String.join("\n", terminal2), "8080", port);
      Proc up = Proc.run(List.of("bash", "-c", "set -e\n" + script), env, Proc.BASEDIR);
      assertEquals(0, up.exit(), up.out() + up.err());
      assertTrue(up.out().contains("\ndoctor: "), up.out());
      String last = up.out().strip().substring(up.out().strip().lastIndexOf('\n') + 1);
      assertTrue(last.matches("ASIA[0-9A-Z]{16} in eu-west-1"), "the recipe's echo: " + last);
      assertEquals("", up.err());

      sim.destroy();
      assertTrue(sim.waitFor(10, TimeUnit.SECONDS));
      Proc down =
          Proc.run(
              List.of("bash", "-c", Readme.substitute(script, "imds-env doctor\n", "")),
              env,
              Proc.BASEDIR);
      assertEquals(3, down.exit(), down.out() + down.err());
      assertEquals("", down.out());
      assertTrue(down.err().startsWith("imds-env: "), down.err());
    } finally {
      Proc.stop(sim);
    }
  }
}
