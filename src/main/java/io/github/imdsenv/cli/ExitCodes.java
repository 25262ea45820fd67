package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException.Reason;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one table of exit codes: which failure reasons end in which code, and what each code means,
 * as {@code --help}, {@code exec --help} and the man page list them (a test holds the man page to
 * it). Plain Java, no picocli: a failed fast-path run looks its code up here too.
 */
final class ExitCodes {

  static final int USAGE = 2;

  /**
   * A code, what it means (markdown: backticks), the reasons that end in it (none: not a failure of
   * ours).
   */
  record Row(int code, String meaning, Set<Reason> reasons) {}

  static final List<Row> TABLE =
      List.of(
          new Row(0, "success; exec: the command's own status", Set.of()),
          new Row(
              1,
              "unexpected internal error (or no Java 17+, or a `JAVA_HOME` without `bin/java`)",
              Set.of()),
          new Row(
              USAGE,
              "usage error: an option, argument or environment variable, an unusable container token file,"
                  + " or (serve) an address it cannot listen on",
              Set.of(Reason.USAGE, Reason.TOKEN_UNUSABLE, Reason.LISTEN)),
          new Row(
              3,
              "metadata service unreachable, disabled, timed out, kept failing, or answered with an HTTP error"
                  + " (a redirect, 400, 403...)",
              Set.of(
                  Reason.DISABLED,
                  Reason.UNREACHABLE,
                  Reason.REFUSED,
                  Reason.NO_TOKEN,
                  Reason.HOST_NOT_ALLOWED,
                  Reason.NO_REGION)),
          new Row(
              4,
              "no role / instance profile attached, or the named role not found",
              Set.of(Reason.NO_ROLE, Reason.ROLE_NOT_FOUND)),
          new Row(
              5,
              "the service answered, but not with usable credentials (bad JSON, Code other than Success, expired"
                  + " without `--allow-expired`, over 64 KiB, a value the format cannot carry)",
              Set.of(
                  Reason.BAD_RESPONSE, Reason.BAD_ANSWER, Reason.EXPIRED, Reason.UNREPRESENTABLE)),
          new Row(
              6,
              "the output file could not be written, or was refused as unsafe or as holding another format's"
                  + " output (FILE untouched; see FILES), or stdout is closed",
              Set.of(Reason.OUTPUT, Reason.STDOUT)),
          new Row(126, "exec: the command was found but is not executable", Set.of()),
          new Row(127, "exec: the command was not found", Set.of()));

  private ExitCodes() {}

  /** The exit code a failure for {@code reason} ends with. */
  static int of(Reason reason) {
    for (Row row : TABLE) {
      if (row.reasons().contains(reason)) {
        return row.code();
      }
    }
    throw new IllegalStateException("no exit code for " + reason);
  }

  /** The list {@code --help} and {@code exec --help} show, code to meaning, in order. */
  static Map<String, String> helpList() {
    Map<String, String> list = new LinkedHashMap<>();
    for (Row row : TABLE) {
      String code = String.valueOf(row.code());
      list.put(" ".repeat(3 - code.length()) + code, row.meaning().replace("`", ""));
    }
    return list;
  }
}
