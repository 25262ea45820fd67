package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing, as a new user would run it, inside a network namespace of this test's own ({@code
 * unshare --net --mount}; the machine's network untouched, nothing sent outside it): the IMDS
 * simulator on its 127.0.0.1 (credentials living 19 minutes, rotated every 5 s, an outage switch),
 * 169.254.170.2/32 on its lo, {@code imds-env serve} on 169.254.170.2:80 as the systemd unit runs
 * it, and a private dockerd with its default bridge (no iptables rules). Containers (busybox with
 * the host's /usr mounted read-only, so that Debian's python3 and botocore 1.29 run in them) get
 * the options {@code imds-env serve --docker-args} prints. Needs root, as CI runs.
 */
class ServeDockerIT {

  /** One botocore read in the container: the key's SHA-256 and its last four characters. */
  static final String ONCE =
      String.join(
          "\n",
          "import botocore.session, hashlib",
          "try:",
          "    c = botocore.session.get_session().get_credentials()",
          "    f = c.get_frozen_credentials()",
          "    print('ok', c.method, hashlib.sha256(f.secret_key.encode()).hexdigest(), f.access_key[-4:], flush=True)",
          "except Exception as e:",
          "    print('error', type(e).__name__, flush=True)",
          "");

  /**
   * A long-running workload: a new session every 2 s (as a service creating clients would), one
   * line per read.
   */
  static final String LOOP =
      "import time\nwhile True:\n" + ONCE.replaceAll("(?m)^", "    ") + "\n    time.sleep(2)\n";

  @TempDir static Path dir;

  private static Process holder;
  private static List<String> nsenter;
  private static Process simulator;
  private static Process serve;
  private static Path serveErr;
  private static Path outage;
  private static Path tokenFile;
  private static DockerDaemon docker;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(
        Proc.root(),
        "serve's Docker test makes a network namespace and runs dockerd: run it as root (CI does)");
    Consumers.require("unshare", "util-linux");
    Consumers.require("nsenter", "util-linux");
    Path ip = Consumers.require("ip", "iproute2");
    Consumers.require("python3", "python3-botocore");
    // the namespace: held by a sleeping process, entered by everything below
    holder =
        new ProcessBuilder(
                "unshare", "--net", "--mount", "--propagation", "private", "sleep", "3600")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Thread.sleep(200);
    assertTrue(holder.isAlive(), "unshare failed");
    nsenter =
        List.of("nsenter", "--target", String.valueOf(holder.pid()), "--net", "--mount", "--");
    in(List.of(ip.toString(), "link", "set", "lo", "up"));
    in(List.of(ip.toString(), "addr", "add", "169.254.170.2/32", "dev", "lo"));

    outage = dir.resolve("outage");
    Path simOut = dir.resolve("sim.out");
    simulator =
        background(
            List.of(
                java(),
                "-jar",
                Proc.TOOLS_JAR.toString(),
                "--quiet",
                "--ttl",
                "19m",
                "--rotate",
                "5s",
                "--outage-file",
                outage.toString()),
            simOut);
    String sim = await(simOut, Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)"), 30);

    Path state = Files.createDirectory(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    tokenFile = state.resolve("token/token");
    serveErr = dir.resolve("serve.err");
    Map<String, String> env = Proc.env("JAVA_HOME", System.getProperty("java.home"));
    serve =
        background(
            Proc.launcher(
                "serve",
                "-v",
                "--listen",
                "169.254.170.2:80",
                "--token-file",
                tokenFile.toString(),
                "--endpoint",
                sim),
            serveErr,
            env);
    await(serveErr, Pattern.compile("imds-env: serving credentials (…\\w{4})"), 30);

    docker = DockerDaemon.start(nsenter, true);
  }

  @AfterAll
  static void stop() throws Exception {
    if (docker != null) {
      docker.close();
    }
    for (Process p : Arrays.asList(serve, simulator, holder)) {
      if (p != null) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          Proc.stop(p);
        }
      }
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void in(List<String> command) throws Exception {
    List<String> c = new ArrayList<>(nsenter);
    c.addAll(command);
    Map<String, String> env = Proc.env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    Proc p = Proc.run(c, env, dir);
    assertEquals(0, p.exit(), command + ": " + p.err());
  }

  private static Process background(List<String> command, Path output) throws Exception {
    return background(command, output, Proc.cronEnv());
  }

  private static Process background(List<String> command, Path output, Map<String, String> env)
      throws Exception {
    List<String> c = new ArrayList<>(nsenter);
    c.addAll(command);
    Map<String, String> withPath = new HashMap<>(env);
    withPath.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    return Proc.start(c, withPath, null, output, output);
  }

  /** The first group of {@code pattern} once {@code file} shows it. */
  private static String await(Path file, Pattern pattern, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      Matcher m = pattern.matcher(text);
      if (m.find()) {
        return m.group(1);
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "no " + pattern + " in " + file + " within " + seconds + " s:\n" + Files.readString(file));
  }

  /** What {@code imds-env serve --docker-args} prints, as the words docker gets. */
  private static List<String> dockerArgs() throws Exception {
    Map<String, String> env = Proc.env("JAVA_HOME", System.getProperty("java.home"));
    Proc p =
        Proc.run(
            Proc.launcher("serve", "--docker-args", "--token-file", tokenFile.toString()),
            env,
            dir);
    assertEquals(0, p.exit(), p.err());
    return List.of(p.out().trim().split(" "));
  }

  /**
   * docker run with the host's /usr; with {@code serveArgs} the printed options, and the token's
   * value in the docker client's environment for botocore 1.29, which knows no _TOKEN_FILE (docker
   * takes it from there: {@code -e NAME}).
   */
  private static Proc run(List<String> serveArgs, boolean tokenInEnv, String... rest)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("run", "--rm", "--mount", "type=bind,source=/usr,target=/usr,readonly"));
    args.addAll(serveArgs);
    args.add(DockerDaemon.IMAGE);
    args.addAll(List.of(rest));
    List<String> c = new ArrayList<>();
    c.add(docker.docker.toString());
    c.addAll(args);
    Map<String, String> env = Proc.env();
    env.putAll(docker.clientEnv());
    if (tokenInEnv) {
      env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", Files.readString(tokenFile));
    }
    return Proc.run(c, env, dir);
  }

  @Test
  void container_withTheDockerArgs_getsTheCredentialsThroughTheRelativeUri() throws Exception {
    Proc p = run(dockerArgs(), true, "/usr/bin/python3", "-c", ONCE);
    assertEquals(0, p.exit(), p.err() + docker.logTail());
    assertTrue(p.out().startsWith("ok container-role "), p.out());
    // the server saw the container's own address on the bridge
    await(
        serveErr,
        Pattern.compile("GET /v1/credentials from (172\\.17\\.\\d+\\.\\d+):\\d+: 200"),
        10);
  }

  @Test
  void container_tokenFileOnly_readByTheJsSdk() throws Exception {
    Path modules = ServeConsumersIT.NODE_MODULES;
    assertTrue(Files.isDirectory(modules), "scripts/test installs " + modules);
    List<String> args = new ArrayList<>(dockerArgs());
    args.addAll(
        List.of(
            "--mount",
            "type=bind,source=" + modules + ",target=/node_modules,readonly",
            "-e",
            "NODE_PATH=/node_modules"));
    Proc p = run(args, false, "/usr/bin/node", "-e", ServeConsumersIT.NODE);
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().contains("\"access_key\""), p.out());
  }

  @Test
  void container_withoutTheToken_getsNone() throws Exception {
    Proc p =
        run(
            List.of("-e", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v1/credentials"),
            false,
            "/usr/bin/python3",
            "-c",
            ONCE);
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().startsWith("error "), p.out());
    await(
        serveErr,
        Pattern.compile("GET /v1/credentials from (172\\.17\\.\\d+\\.\\d+):\\d+: 401"),
        10);
  }

  @Test
  void longRunningContainer_seesRotatedKeys_andKeepsWorkingThroughAnImdsOutage() throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", "imds-env-loop"));
    args.addAll(List.of("--mount", "type=bind,source=/usr,target=/usr,readonly"));
    args.addAll(dockerArgs());
    args.addAll(List.of(DockerDaemon.IMAGE, "/usr/bin/python3", "-c", LOOP));
    List<String> c = new ArrayList<>();
    c.add(docker.docker.toString());
    c.addAll(args);
    Map<String, String> env = Proc.env();
    env.putAll(docker.clientEnv());
    env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", Files.readString(tokenFile));
    Proc started = Proc.run(c, env, dir);
    assertEquals(0, started.exit(), started.err());
    try {
      // serve takes the simulator's newer keys every 30 s (its backstop: under 20 minutes left)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      Set<String> keys = new LinkedHashSet<>();
      while (keys.size() < 2) {
        assertTrue(System.nanoTime() < deadline, "no rotated key within 120 s: " + keys);
        Thread.sleep(2000);
        for (String line : logs()) {
          assertFalse(line.startsWith("error"), line);
          keys.add(line.split(" ")[3]);
        }
      }
      // an outage: serve's refreshes fail, and the container keeps reading what serve holds
      Files.createFile(outage);
      await(serveErr, Pattern.compile("(cannot refresh the credentials)"), 60);
      int before = logs().size();
      Thread.sleep(7000);
      List<String> after = logs();
      assertTrue(after.size() >= before + 2, "the container stopped reading: " + after.size());
      for (String line : after) {
        assertTrue(line.startsWith("ok container-role "), line);
      }
    } finally {
      Files.deleteIfExists(outage);
      docker.docker(List.of("rm", "-f", "imds-env-loop"));
    }
  }

  private static List<String> logs() throws Exception {
    Proc p = docker.docker(List.of("logs", "imds-env-loop"));
    return p.out().lines().filter(l -> !l.isBlank()).toList();
  }
}
