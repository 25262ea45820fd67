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
                Proc.TOOLS_JAR.toString(),
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

  /** The tarball of this build. */
  static Path tarball() throws Exception {
    List<Path> tarballs;
    try (var files = Files.list(Proc.BASEDIR.resolve("target"))) {
      tarballs =
          files
              .filter(p -> p.getFileName().toString().matches("imds-env-\\d.*\\.tar\\.gz"))
              .toList();
    }
    assertEquals(1, tarballs.size(), "one tarball in target/: " + tarballs);
    return tarballs.get(0);
  }

  /**
   * The tarball of this build, unpacked into DIR under umask 0, where every mode not in the tarball
   * would be 0777 or 0666; returns its top directory (imds-env-VERSION).
   */
  static Path unpack(Path dir) throws Exception {
    Files.createDirectories(dir);
    Proc tar =
        Proc.run(
            List.of(
                "sh",
                "-c",
                "umask 0 && exec tar -xzf \"$1\" -C \"$2\"",
                "sh",
                tarball().toString(),
                dir.toString()),
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
  void layout_isWhatTheManPageLists() {
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

  /**
   * Unpacked under umask 0 (see unpack): every directory is 0755, every file 0644 but the launcher
   * (0755), top directory included, so no one else can write where the jar is.
   */
  @Test
  void unpackedUnderUmask0_everyDirectoryIs0755_everyFile0644_theLauncher0755() throws Exception {
    // a copy of its own: the other tests' runs may add a class-data archive beside the jar
    Path top = unpack(root.resolve("umask0"));
    List<String> wrong = new ArrayList<>();
    int directories = 0;
    try (var paths = Files.walk(top)) {
      for (Path p : paths.toList()) {
        String name = top.relativize(p).toString();
        String expected =
            Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? "rwxr-xr-x"
                : name.equals("bin/imds-env") ? "rwxr-xr-x" : "rw-r--r--";
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          directories++;
        } else {
          assertTrue(Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), name);
        }
        String mode =
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        if (!mode.equals(expected)) {
          wrong.add("/" + name + " " + mode);
        }
      }
    }
    assertEquals(List.of(), wrong, "modes that are not the tarball's own");
    assertEquals(15, directories, "directories unpacked");
  }

  /**
   * tar -tvzf: each directory has exactly one entry, drwxr-xr-x, before anything inside it; files
   * -rw-r--r--, the launcher -rwxr-xr-x; nothing else (no link, no device).
   */
  @Test
  void listing_hasAnEntryForEveryDirectory_beforeItsContents() throws Exception {
    Proc tar = Proc.run(List.of("tar", "-tvzf", tarball().toString()), Proc.cronEnv(), root);
    assertEquals(0, tar.exit(), tar.err());
    List<String> seen = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String line : tar.out().split("\n")) {
      String[] f = line.split(" +", 6);
      String mode = f[0];
      String name = f[5];
      String parent = name.substring(0, name.lastIndexOf('/', name.length() - 2) + 1);
      if (!parent.isEmpty() && !seen.contains(parent)) {
        problems.add(name + " comes before an entry for " + parent);
      }
      if (name.endsWith("/")) {
        if (seen.contains(name)) {
          problems.add(name + " listed twice");
        }
        seen.add(name);
      }
      String expected =
          name.endsWith("/")
              ? "drwxr-xr-x"
              : name.endsWith("/bin/imds-env") ? "-rwxr-xr-x" : "-rw-r--r--";
      if (!mode.equals(expected)) {
        problems.add(line);
      }
    }
    assertEquals(List.of(), problems, tar.out());
    assertTrue(seen.get(0).matches("imds-env-[0-9][^/]*/"), "the top directory first: " + seen);
    for (String d :
        List.of(
            "bin/",
            "lib/",
            "lib/imds-env/",
            "share/",
            "share/man/man1/",
            "share/imds-env/",
            "share/imds-env/systemd/")) {
      assertTrue(seen.contains(seen.get(0) + d), d + " in\n" + tar.out());
    }
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
            "SECURITY",
            "CREDENTIAL SOURCES")) {
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

  /**
   * Every text the tarball ships, as a user reads it (the README, the man page rendered by man, the
   * completions, the systemd units, --help of each command through the launcher), shows no recipe
   * that hides a failed export; the man page's EXAMPLES show every recipe of cli/Recipes.
   */
  @Test
  void shippedTexts_showNoRecipeThatHidesAFailure_andTheManPageEveryRecipe() throws Exception {
    Map<String, String> texts = new java.util.LinkedHashMap<>();
    for (String f :
        List.of(
            "README.md",
            "share/bash-completion/completions/imds-env",
            "share/zsh/site-functions/_imds-env",
            "share/fish/vendor_completions.d/imds-env.fish",
            "share/imds-env/systemd/imds-env-refresh.service",
            "share/imds-env/systemd/imds-env-refresh.timer")) {
      texts.put(f, Files.readString(prefix.resolve(f)));
    }
    String man = manPage();
    texts.put("man imds-env", man);
    for (List<String> args :
        List.of(
            List.of("--help"),
            List.of("exec", "--help"),
            List.of("doctor", "--help"),
            List.of("completion", "--help"))) {
      Proc help = launcher(args);
      assertEquals(0, help.exit(), help.err());
      texts.put("imds-env " + String.join(" ", args), help.out());
    }
    List<String> found = new ArrayList<>();
    for (Map.Entry<String, String> t : texts.entrySet()) {
      for (String f : io.github.imdsenv.HiddenFailures.in(t.getValue())) {
        found.add(t.getKey() + ": " + f);
      }
    }
    assertEquals(List.of(), found);
    String examples = man.substring(man.indexOf("\nEXAMPLES\n"), man.indexOf("\nSECURITY\n"));
    for (io.github.imdsenv.cli.Recipes.Recipe r : io.github.imdsenv.cli.Recipes.ALL) {
      for (String line : r.text().split("\n")) {
        assertTrue(
            Pattern.compile("(?m)^ +" + Pattern.quote(line) + "$").matcher(examples).find(),
            "EXAMPLES lacks " + line + "\n" + examples);
      }
    }
  }

  /** The tarball's man page as man renders it, in plain text. */
  private static String manPage() throws Exception {
    Map<String, String> env = new HashMap<>(bare());
    env.put("LANG", "C.UTF-8");
    env.put("MANWIDTH", "200");
    env.put("MANPAGER", "cat");
    Proc man =
        Proc.run(
            List.of("man", "-l", prefix.resolve("share/man/man1/imds-env.1").toString()),
            env,
            root);
    assertEquals(0, man.exit(), man.err());
    return man.out().replaceAll(".\b", "");
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

    // after --region, whose value is optional, the next option still completes
    Proc after =
        Proc.run(
            List.of(
                "bash",
                "-c",
                "source \"$1\" && COMP_WORDS=(imds-env --region --min-v) COMP_CWORD=2"
                    + " COMP_LINE='imds-env --region --min-v' && COMP_POINT=${#COMP_LINE}"
                    + " && _complete_imds-env 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"",
                "bash",
                file),
            bare(),
            root);
    assertEquals(0, after.exit(), after.err());
    assertEquals("--min-validity\n", after.out());
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
            // read what the shell wrote until it holds $1, for at most 30 s: no fixed sleep, which
            // a loaded machine outlasts
            "await() { local i; for i in {1..300}; do",
            "  while zpty -r -t z chunk; do out+=$chunk; done",
            "  [[ $out == *$1* ]] && return 0; sleep 0.1; done; return 1; }",
            "out=",
            "zpty z zsh -f -i",
            // the echo of this line reads REA''DY; only its run prints READY
            "zpty -w z \"PS1='> '; fpath=(${(q)1} \\$fpath); autoload -Uz compinit; compinit -u -d $2;"
                + " bindkey -e; print REA''DY\"",
            "await READY",
            "out=",
            "zpty -w -n z $'imds-env --min-v\\t'",
            "await 'imds-env --min-validity='",
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
