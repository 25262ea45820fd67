package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as a user installs it: unpacked into a prefix, run with nothing but a minimal
 * PATH against the local IMDS simulator; its man page, completions and systemd units checked with
 * the tools that will load them (man, bash, zsh, fish, systemd-analyze). A missing tool fails.
 */
class TarballIT {

  static final Path BASEDIR = Path.of(Proc.LAUNCHER).getParent().getParent();

  @TempDir static Path root;

  static Path prefix;
  static Process simulator;
  static String endpoint;

  @BeforeAll
  static void unpackAndStartTheSimulator() throws Exception {
    prefix = unpack(root.resolve("opt"));
    // the simulator is not in the tarball: it comes from the build's tools jar
    simulator =
        new ProcessBuilder(
                System.getProperty("java.home") + "/bin/java",
                "-jar",
                BASEDIR.resolve("target/imds-env-tools.jar").toString(),
                "--port",
                "0",
                "--quiet")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    endpoint =
        new BufferedReader(
                new InputStreamReader(simulator.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    assertTrue(
        endpoint != null && endpoint.startsWith("http://127.0.0.1:"), "simulator: " + endpoint);
  }

  @AfterAll
  static void stopTheSimulator() throws Exception {
    if (simulator != null) {
      simulator.destroy();
      simulator.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The tarball of this build, unpacked into DIR; returns its top directory (imds-env-VERSION). */
  static Path unpack(Path dir) throws Exception {
    List<Path> tarballs;
    try (var files = Files.list(BASEDIR.resolve("target"))) {
      tarballs =
          files
              .filter(p -> p.getFileName().toString().matches("imds-env-\\d.*\\.tar\\.gz"))
              .toList();
    }
    assertEquals(1, tarballs.size(), "one tarball in target/: " + tarballs);
    Files.createDirectories(dir);
    Proc tar =
        Proc.run(
            List.of("tar", "-xzf", tarballs.get(0).toString(), "-C", dir.toString()),
            Proc.cronEnv(),
            dir);
    assertEquals(0, tar.exit(), tar.err());
    try (var top = Files.list(dir)) {
      return top.findFirst().orElseThrow();
    }
  }

  /** What `env -i PATH=/usr/bin:/bin` leaves. */
  private static Map<String, String> bare() {
    return Map.of("PATH", "/usr/bin:/bin");
  }

  private static Proc launcher(List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of(prefix.resolve("bin/imds-env").toString()));
    command.addAll(args);
    return Proc.run(command, bare(), root);
  }

  @Test
  void layout_isWhatTheReadmeSays() {
    for (String f :
        List.of(
            "bin/imds-env",
            "lib/imds-env/imds-env.jar",
            "README.md",
            "LICENSE",
            "share/man/man1/imds-env.1",
            "share/bash-completion/completions/imds-env",
            "share/zsh/site-functions/_imds-env",
            "share/fish/vendor_completions.d/imds-env.fish",
            "share/imds-env/systemd/imds-env-refresh.service",
            "share/imds-env/systemd/imds-env-refresh.timer",
            "share/imds-env/systemd/imds-env-serve.service")) {
      assertTrue(Files.isRegularFile(prefix.resolve(f)), f);
    }
    assertTrue(Files.isExecutable(prefix.resolve("bin/imds-env")));
  }

  @Test
  void onlyTheRuntimeJar_withoutTheSimulatorOrDatabind() throws Exception {
    try (var files = Files.walk(prefix)) {
      assertEquals(
          List.of("lib/imds-env/imds-env.jar"),
          files
              .filter(f -> f.toString().endsWith(".jar"))
              .map(f -> prefix.relativize(f).toString())
              .toList());
    }
    try (var jar =
        new java.util.zip.ZipFile(prefix.resolve("lib/imds-env/imds-env.jar").toFile())) {
      List<String> tools =
          jar.stream()
              .map(java.util.zip.ZipEntry::getName)
              .filter(
                  n ->
                      n.startsWith("io/github/imdsenv/sim/")
                          || n.startsWith("com/fasterxml/jackson/databind/"))
              .toList();
      assertEquals(List.of(), tools);
    }
  }

  @Test
  void unpacked_runsWithAMinimalEnvironment_throughASymlinkOnPath() throws Exception {
    Path bin = Files.createDirectories(root.resolve("usr-local-bin"));
    Files.deleteIfExists(bin.resolve("imds-env"));
    Files.createSymbolicLink(bin.resolve("imds-env"), prefix.resolve("bin/imds-env"));
    Proc p =
        Proc.run(
            List.of(bin.resolve("imds-env").toString(), "--endpoint", endpoint, "--region"),
            bare(),
            Path.of("/"));
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().startsWith("export AWS_ACCESS_KEY_ID='"), p.out());
    assertTrue(p.out().contains("export AWS_REGION='eu-west-1'\n"), p.out());
    assertEquals("", p.err());

    Proc doctor =
        Proc.run(
            List.of(bin.resolve("imds-env").toString(), "doctor", "--endpoint", endpoint),
            bare(),
            Path.of("/"));
    assertEquals(0, doctor.exit(), doctor.out() + doctor.err());
  }

  @Test
  void manPage_rendersWithEverySection_andEveryOptionOfTheHelp() throws Exception {
    Map<String, String> env = new HashMap<>(bare());
    env.put("LANG", "C");
    env.put("MANWIDTH", "100");
    env.put("MANPAGER", "cat");
    Proc man =
        Proc.run(
            List.of("man", "-l", prefix.resolve("share/man/man1/imds-env.1").toString()),
            env,
            root);
    assertEquals(0, man.exit(), man.err());
    String text = man.out().replaceAll(".\b", "");
    for (String section :
        List.of(
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "COMMANDS",
            "FORMATS",
            "FILES",
            "ENVIRONMENT",
            "EXIT STATUS",
            "EXAMPLES",
            "SECURITY")) {
      assertTrue(
          Pattern.compile("^" + section + "$", Pattern.MULTILINE).matcher(text).find(),
          "section " + section + ":\n" + text);
    }
    Proc help = launcher(List.of("--help"));
    assertEquals(0, help.exit(), help.err());
    TreeSet<String> options = new TreeSet<>();
    Matcher m =
        Pattern.compile("(?m)^\\s+(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)").matcher(help.out());
    while (m.find()) {
      if (m.group(1) != null) {
        options.add(m.group(1));
      }
      options.add(m.group(2));
    }
    assertTrue(options.size() >= 20, "options found in --help: " + options);
    for (String option : options) {
      assertTrue(
          Pattern.compile("(?m)^\\s+(-[A-Za-z], )?" + Pattern.quote(option) + "\\b")
                  .matcher(text)
                  .find()
              || Pattern.compile("(?m)^\\s+" + Pattern.quote(option) + ", ").matcher(text).find(),
          "man page lacks " + option);
    }
    for (String format :
        List.of(
            "env",
            "env-no-export",
            "fish",
            "powershell",
            "windows-cmd",
            "process",
            "json",
            "ini",
            "docker-args")) {
      assertTrue(
          Pattern.compile("(?m)^\\s+" + Pattern.quote(format) + "$").matcher(text).find(),
          "FORMATS lacks " + format);
    }
    for (String code : List.of("0", "1", "2", "3", "4", "5", "6")) {
      assertTrue(
          Pattern.compile("(?m)^\\s+" + code + "$").matcher(text).find(),
          "EXIT STATUS lacks " + code);
    }
  }

  @Test
  void bashCompletion_registersAndCompletesAnOption() throws Exception {
    String file = prefix.resolve("share/bash-completion/completions/imds-env").toString();
    Proc p =
        Proc.run(
            List.of(
                "bash",
                "-c",
                "source \"$1\" && complete -p imds-env"
                    + " && COMP_WORDS=(imds-env --min-v) COMP_CWORD=1 COMP_LINE='imds-env --min-v' && COMP_POINT=${#COMP_LINE}"
                    + " && _complete_imds-env 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"",
                "bash",
                file),
            bare(),
            root);
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().startsWith("complete ") && p.out().contains(" imds-env\n"), p.out());
    assertTrue(p.out().contains("\n--min-validity\n"), p.out());
  }

  @Test
  void zshCompletion_isACompdefFunction_thatParses() throws Exception {
    Path file = prefix.resolve("share/zsh/site-functions/_imds-env");
    assertTrue(Files.readString(file).startsWith("#compdef imds-env\n"));
    Proc p = Proc.run(List.of("zsh", "-n", file.toString()), bare(), root);
    assertEquals(0, p.exit(), p.err());
    assertEquals("", p.err());
    assertTrue(Files.readString(file).contains("'--min-validity=["));

    // and it completes: an interactive zsh on a pseudo-terminal (zpty), compinit with the unpacked
    // site-functions on fpath, "imds-env --min-v" and a TAB typed
    Path script = root.resolve("complete.zsh");
    Files.writeString(
        script,
        String.join(
            "\n",
            "zmodload zsh/zpty",
            "zpty z zsh -f -i",
            "zpty -w z \"PS1='> '; fpath=(${(q)1} \\$fpath); autoload -Uz compinit; compinit -u -d $2; bindkey -e\"",
            "sleep 1",
            "zpty -w -n z $'imds-env --min-v\\t'",
            "sleep 2",
            "out=",
            "while zpty -r -t z chunk; do out+=$chunk; done",
            "print -r -- $out",
            "zpty -d z",
            ""));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", prefix.resolve("bin") + ":/usr/bin:/bin");
    env.put("HOME", Files.createDirectories(root.resolve("zsh-home")).toString());
    env.put("TERM", "dumb");
    Proc tab =
        Proc.run(
            List.of(
                "zsh",
                "-f",
                script.toString(),
                file.getParent().toString(),
                root.resolve("zcompdump").toString()),
            env,
            root);
    assertEquals(0, tab.exit(), tab.err());
    assertTrue(tab.out().contains("imds-env --min-validity="), tab.out());
  }

  @Test
  void fishCompletion_isFoundInTheVendorDirectory_andOffersTheOptionAndTheFormats()
      throws Exception {
    Path home = Files.createDirectories(root.resolve("fish-home"));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", prefix.resolve("bin") + ":/usr/bin:/bin");
    env.put("HOME", home.toString());
    env.put("XDG_DATA_DIRS", prefix.resolve("share").toString());
    Proc p =
        Proc.run(
            List.of("fish", "-c", "complete -C 'imds-env --min-v'; complete -C 'imds-env -f '"),
            env,
            root);
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().startsWith("--min-validity\t"), p.out());
    for (String format :
        List.of(
            "env",
            "env-no-export",
            "fish",
            "powershell",
            "windows-cmd",
            "process",
            "json",
            "ini",
            "docker-args")) {
      assertTrue(p.out().contains("\n" + format + "\t"), format + " in:\n" + p.out());
    }
  }

  @Test
  void systemdUnits_verify_withExecStartAtTheUnpackedLauncher() throws Exception {
    Path units = Files.createDirectories(root.resolve("units"));
    Path systemd = prefix.resolve("share/imds-env/systemd");
    String service = Files.readString(systemd.resolve("imds-env-refresh.service"));
    assertTrue(service.contains("ExecStart=/usr/local/bin/imds-env "), service);
    Files.writeString(
        units.resolve("imds-env-refresh.service"),
        service.replace(
            "ExecStart=/usr/local/bin/imds-env ",
            "ExecStart=" + prefix.resolve("bin/imds-env") + " "));
    Files.copy(systemd.resolve("imds-env-refresh.timer"), units.resolve("imds-env-refresh.timer"));
    String serve = Files.readString(systemd.resolve("imds-env-serve.service"));
    assertTrue(serve.contains("ExecStart=/usr/local/bin/imds-env serve "), serve);
    Files.writeString(
        units.resolve("imds-env-serve.service"),
        serve.replace(
            "ExecStart=/usr/local/bin/imds-env ",
            "ExecStart=" + prefix.resolve("bin/imds-env") + " "));
    Map<String, String> env = new HashMap<>(bare());
    // Documentation=man:imds-env(1) is checked too: with the unpacked man page, as after an install
    env.put("MANPATH", prefix.resolve("share/man").toString());
    Proc p =
        Proc.run(
            List.of(
                "systemd-analyze",
                "verify",
                units.resolve("imds-env-refresh.service").toString(),
                units.resolve("imds-env-refresh.timer").toString(),
                units.resolve("imds-env-serve.service").toString()),
            env,
            root);
    assertEquals(0, p.exit(), p.out() + p.err());
    assertEquals("", p.out() + p.err());
  }
}
