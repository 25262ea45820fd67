package io.github.imdsenv.build;

import io.github.imdsenv.cli.Cli;
import io.github.imdsenv.cli.Recipes;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.settings.Environment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build-time only (never in the runtime jar): writes the man page source and the bash, zsh and fish
 * completions of the release tarball from the very picocli model that {@code --help} prints, so the
 * two cannot drift.
 *
 * <p>Usage: {@code Dist OUT_DIR MAN_SECTIONS_DIR}; writes {@code OUT_DIR/man/imds-env.adoc}
 * (rendered to roff by asciidoctor afterwards), {@code OUT_DIR/share/...} completions and the
 * tarball's empty directories under {@code OUT_DIR/layout}.
 */
public final class Dist {

  private static final String NAME = "imds-env";

  /** One line per format for the man page; a format missing here fails the build. */
  private static final Map<Format, String> FORMAT_DOCS = new LinkedHashMap<>();

  static {
    FORMAT_DOCS.put(
        Format.ENV,
        "`export AWS_ACCESS_KEY_ID='...'` lines, for `eval` in sh, dash, bash, zsh, ksh and busybox ash (the default).");
    FORMAT_DOCS.put(
        Format.ENV_NO_EXPORT,
        "`AWS_ACCESS_KEY_ID=...` lines (alias *docker-env*), for `docker run --env-file`, compose `env_file`,"
            + " systemd `EnvironmentFile=` and shell assignment; carries only characters that mean the same to all of them.");
    FORMAT_DOCS.put(
        Format.FISH, "`set -gx AWS_ACCESS_KEY_ID '...'` lines, for fish's `source`; see EXAMPLES.");
    FORMAT_DOCS.put(
        Format.POWERSHELL,
        "`$Env:AWS_ACCESS_KEY_ID = '...'` lines, for PowerShell's `Invoke-Expression`; see EXAMPLES.");
    FORMAT_DOCS.put(Format.WINDOWS_CMD, "`set \"AWS_ACCESS_KEY_ID=...\"` lines, for cmd.exe.");
    FORMAT_DOCS.put(
        Format.PROCESS,
        "credential_process JSON (`\"Version\": 1`), for `credential_process` in `~/.aws/config`.");
    FORMAT_DOCS.put(Format.JSON, "one JSON object of the variables, for jq and other programs.");
    FORMAT_DOCS.put(
        Format.INI,
        "a `[default]` profile (see *--profile-name*) with `aws_access_key_id`, ... for a shared credentials file;"
            + " with *-o* only that profile of FILE is replaced, every other byte kept (see FILES).");
    FORMAT_DOCS.put(
        Format.DOCKER_ARGS,
        "`-e AWS_ACCESS_KEY_ID -e ...`, names only and no request made, for `docker run` after an `eval` of the"
            + " credentials; see EXAMPLES.");
  }

  private Dist() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Path sections = Path.of(args[1]);
    Writer sink = Writer.nullWriter();
    CommandLine cl = Cli.commandLine(Map.of(), new PrintWriter(sink), new PrintWriter(sink));
    write(out.resolve("man/" + NAME + ".adoc"), manPage(cl, sections));
    write(out.resolve("share/bash-completion/completions/" + NAME), bash(cl));
    write(out.resolve("share/zsh/site-functions/_" + NAME), zsh(cl));
    write(out.resolve("share/fish/vendor_completions.d/" + NAME + ".fish"), fish(cl));
    layout(out.resolve("layout"));
  }

  /**
   * picocli's bash completion, but for an option whose value is optional ({@code --region
   * [REGION]}): picocli's script offers nothing at all after it, not even the next option; now a
   * word starting with '-' completes as after any other option, and nothing else is offered (not
   * the subcommands, which may not follow it).
   */
  static String bash(CommandLine cl) {
    String script = AutoComplete.bash(NAME, cl);
    String optionalValue = "    '--region')\n      return\n      ;;\n";
    if (!script.contains(optionalValue)) {
      throw new IllegalStateException("picocli's bash completion no longer has the --region case");
    }
    // an option word completes as after any other option; anything else is the region's to type
    return script.replace(
        optionalValue, "    '--region')\n      [[ ${curr_word} == -* ]] || return\n      ;;\n");
  }

  /**
   * The tarball's directories that no generated file is in, empty, so that src/assembly/tarball.xml
   * gives each its own entry (0755) instead of leaving its mode to the umask at extraction.
   */
  static void layout(Path dir) throws IOException {
    for (String d : List.of("bin", "lib/" + NAME, "share/" + NAME + "/systemd")) {
      Files.createDirectories(dir.resolve(d));
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- man page (AsciiDoc, manpage
  // doctype)

  /**
   * picocli's man page sections (header, name, synopsis, description, options, exit status) in the
   * order man pages use, with the subcommands, the formats and the hand-written sections between.
   */
  public static String manPage(CommandLine cl, Path sections) throws IOException {
    String root = generated(cl.getCommandSpec());
    StringBuilder sb = new StringBuilder();
    sb.append(section(root, "header"))
        .append(section(root, "name"))
        .append(section(root, "synopsis"))
        .append(section(root, "description"))
        .append(section(root, "options"))
        .append(read(sections, "options.adoc"));

    sb.append("== Commands\n\n");
    for (CommandLine sub : cl.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      String page = generated(spec);
      sb.append("=== ").append(spec.name()).append("\n\n");
      sb.append(body(section(page, "synopsis")).replaceFirst("== Synopsis\\s*", "")).append("\n\n");
      sb.append(body(section(page, "description")).replaceFirst("== Description\\s*", ""))
          .append("\n\n");
      String options = body(section(page, "options")).replaceFirst("== Options\\s*", "");
      if (!options.isBlank()) {
        sb.append("Options of *")
            .append(NAME)
            .append(' ')
            .append(spec.name())
            .append("*:\n\n")
            .append(options)
            .append("\n\n");
      }
      // what picocli's model cannot say about a command, when there is more: command-NAME.adoc
      Path more = sections.resolve("command-" + spec.name() + ".adoc");
      if (Files.exists(more)) {
        sb.append(Files.readString(more, StandardCharsets.UTF_8)).append('\n');
      }
    }

    sb.append(
        "== Formats\n\nSelected with *-f* _FORMAT_. Every format reproduces every value byte for byte in its consumer,"
            + " or refuses the run (exit 5, nothing printed). Lines end in LF.\n\n");
    for (Format f : Format.values()) {
      String doc = FORMAT_DOCS.get(f);
      if (doc == null) {
        throw new IllegalStateException(
            "no man page text for format " + f.label() + ": add it to " + Dist.class.getName());
      }
      sb.append('*').append(f.label()).append("*::\n  ").append(doc).append("\n");
    }
    sb.append('\n').append(read(sections, "formats.adoc"));
    sb.append(read(sections, "sources.adoc"));
    sb.append(read(sections, "files.adoc"));
    sb.append(read(sections, "environment.adoc").replace("{imds-env-environment}", environment()));
    sb.append(section(root, "exit-status").replaceFirst("== [^\\n]*", "== Exit status"))
        .append(read(sections, "exit-status.adoc"));
    sb.append(examples(read(sections, "examples.adoc")));
    sb.append(read(sections, "security.adoc"));
    return sb.toString();
  }

  /** A hand-written part of the man page, ending in a blank line. */
  private static String read(Path sections, String name) throws IOException {
    return Files.readString(sections.resolve(name), StandardCharsets.UTF_8).strip() + "\n\n";
  }

  /**
   * EXAMPLES: INTRO, then every recipe of {@link Recipes#ALL} under its caption, as literal blocks
   * (copied as they are: no markup inside).
   */
  static String examples(String intro) {
    StringBuilder sb = new StringBuilder("== Examples\n\n").append(intro);
    for (Recipes.Recipe r : Recipes.ALL) {
      if (!r.caption().isEmpty()) {
        sb.append(r.caption()).append("\n\n");
      }
      sb.append("....\n").append(r.text()).append("\n....\n\n");
    }
    return sb.toString();
  }

  private static String generated(CommandSpec spec) {
    StringWriter page = new StringWriter();
    try (PrintWriter pw = new PrintWriter(page)) {
      ManPageGenerator.writeSingleManPage(pw, spec);
    }
    return page.toString().replace("\r\n", "\n");
  }

  /** The man page's list of the variables imds-env reads, from their one table. */
  static String environment() {
    StringBuilder sb = new StringBuilder();
    for (Environment.Variable v : Environment.TABLE) {
      String meaning = v.meaning().replaceAll("(--[a-z0-9-]+)", "*$1*");
      sb.append('*')
          .append(v.name())
          .append("*::\n  ")
          .append(meaning)
          .append(v.defaultValue() == null ? "" : "; default " + v.defaultValue())
          .append(".\n");
    }
    return sb.toString().strip();
  }

  /** A tagged region of picocli's generated page, tags left out. */
  private static String section(String page, String tag) {
    String name = "picocli-generated-man-section-" + tag;
    Matcher m =
        Pattern.compile(
                "// tag::" + name + "\\[\\]\\n(.*?)// end::" + name + "\\[\\]\\n", Pattern.DOTALL)
            .matcher(page);
    if (!m.find()) {
      throw new IllegalStateException("picocli's man page has no section " + tag);
    }
    return m.group(1) + "\n";
  }

  private static String body(String section) {
    return section.strip();
  }

  // ---------------------------------------------------------------- completions

  private static String firstSentence(OptionSpec o) {
    String d = o.description().length == 0 ? "" : o.description()[0];
    int dot = d.indexOf(". ");
    d = dot > 0 ? d.substring(0, dot) : d;
    return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
  }

  private static String firstLine(CommandSpec spec) {
    String[] d = spec.usageMessage().description();
    String s = d.length == 0 ? "" : d[0];
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * The values an option's argument can take, when the model knows them: a label like a|b|c, or its
   * candidates.
   */
  private static List<String> candidates(OptionSpec o) {
    // the label first: picocli's own candidates of an enum are its constants' names (AUTO), not the
    // words users type
    List<String> values = new ArrayList<>();
    if (o.paramLabel().contains("|")) {
      values.addAll(List.of(o.paramLabel().split("\\|")));
    } else if (o.completionCandidates() != null) {
      o.completionCandidates().forEach(values::add);
    }
    return values;
  }

  private static boolean takesFile(OptionSpec o) {
    return o.type() == Path.class || o.type() == java.io.File.class;
  }

  private static List<OptionSpec> visible(CommandSpec spec) {
    return spec.options().stream().filter(o -> !o.hidden()).toList();
  }

  /** A string in single quotes for fish (which escapes only \ and ' inside them). */
  private static String fishQuote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  static String fish(CommandLine cl) {
    StringBuilder sb =
        new StringBuilder(
            "# fish completion for imds-env, generated at build time from its picocli model\n");
    String subs = String.join(" ", cl.getSubcommands().keySet());
    fishOptions(sb, cl.getCommandSpec(), "not __fish_seen_subcommand_from " + subs);
    for (CommandLine sub : cl.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      sb.append("complete -c ")
          .append(NAME)
          .append(" -n '__fish_use_subcommand' -f -a ")
          .append(spec.name())
          .append(" -d ")
          .append(fishQuote(firstLine(spec)))
          .append('\n');
      fishOptions(sb, spec, "__fish_seen_subcommand_from " + spec.name());
    }
    return sb.toString();
  }

  private static void fishOptions(StringBuilder sb, CommandSpec spec, String condition) {
    for (OptionSpec o : visible(spec)) {
      sb.append("complete -c ").append(NAME).append(" -n ").append(fishQuote(condition));
      for (String name : o.names()) {
        if (name.startsWith("--")) {
          sb.append(" -l ").append(name.substring(2));
        } else {
          sb.append(" -s ").append(name.substring(1));
        }
      }
      if (o.arity().max() > 0) {
        List<String> values = candidates(o);
        if (!values.isEmpty()) {
          // each candidate with its own description where there is one: value\t'description'
          List<String> described = new ArrayList<>();
          for (String v : values) {
            String doc = candidateDoc(v);
            described.add(
                doc == null ? v : v + "\\t'" + doc.replace("\\", "\\\\").replace("'", "\\'") + "'");
          }
          sb.append(" -x -a ").append(fishQuote(String.join(" ", described)));
        } else if (takesFile(o)) {
          sb.append(" -r -F");
        } else {
          // an optional value (--region [REGION]): nothing is required after the option
          sb.append(o.arity().min() == 0 ? " -f" : " -x");
        }
      } else {
        sb.append(" -f");
      }
      sb.append(" -d ").append(fishQuote(firstSentence(o))).append('\n');
    }
  }

  /** What a format name offered for -f does, from the man page's text (its markup left out). */
  private static String candidateDoc(String value) {
    for (Format f : Format.values()) {
      if (f.label().equals(value) && FORMAT_DOCS.containsKey(f)) {
        String doc = FORMAT_DOCS.get(f).replace("`", "").replace("*", "");
        int cut = doc.indexOf("; ");
        return cut > 0
            ? doc.substring(0, cut)
            : doc.endsWith(".") ? doc.substring(0, doc.length() - 1) : doc;
      }
    }
    return null;
  }

  /** A string in single quotes for zsh. */
  private static String shQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  static String zsh(CommandLine cl) {
    StringBuilder sb =
        new StringBuilder(
            "#compdef imds-env\n# zsh completion for imds-env, generated at build time from its picocli model\n\n");
    sb.append(
        "_imds-env() {\n  local curcontext=\"$curcontext\" state line ret=1\n  typeset -A opt_args\n");
    sb.append("  _arguments -C -s \\\n");
    zshOptions(sb, cl.getCommandSpec(), "    ");
    sb.append("    '1: :->command' \\\n    '*:: :->argument' && ret=0\n");
    sb.append("  case $state in\n    command)\n      local -a commands\n      commands=(\n");
    for (CommandLine sub : cl.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      sb.append("        ").append(shQuote(spec.name() + ":" + firstLine(spec))).append('\n');
    }
    sb.append(
        "      )\n      _describe -t commands 'imds-env command' commands && ret=0\n      ;;\n");
    sb.append(
        "    argument)\n      curcontext=${curcontext%:*:*}:imds-env-$line[1]:\n      case $line[1] in\n");
    for (CommandLine sub : cl.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      sb.append("        ").append(spec.name()).append(")\n          _arguments -s \\\n");
      zshOptions(sb, spec, "            ");
      if (!spec.positionalParameters().isEmpty()) {
        sb.append("            '*::command:_normal' \\\n");
      }
      sb.append("            && ret=0\n          ;;\n");
    }
    sb.append("      esac\n      ;;\n  esac\n  return ret\n}\n\n_imds-env \"$@\"\n");
    return sb.toString();
  }

  private static void zshOptions(StringBuilder sb, CommandSpec spec, String indent) {
    for (OptionSpec o : visible(spec)) {
      String exclusive = o.names().length > 1 ? "(" + String.join(" ", o.names()) + ")" : "";
      String help =
          "["
              + firstSentence(o).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
              + "]";
      String action = "";
      if (o.arity().max() > 0) {
        List<String> values = candidates(o);
        String label = o.paramLabel().replace(":", "\\:");
        if (!values.isEmpty()) {
          action = ":" + label + ":(" + String.join(" ", values) + ")";
        } else if (takesFile(o)) {
          action = ":" + label + ":_files";
        } else {
          action = ":" + label + ": ";
        }
        if (o.arity().min() == 0) {
          // an optional value: "::" in zsh's spec
          action = ":" + action;
        }
      }
      for (String name : o.names()) {
        String suffix = o.arity().max() > 0 ? (name.startsWith("--") ? "=" : "+") : "";
        sb.append(indent)
            .append(shQuote(exclusive + name + suffix + help + action))
            .append(" \\\n");
      }
    }
  }
}
