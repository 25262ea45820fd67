package io.github.imdsenv.cli;

import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.EndpointMode;
import io.github.imdsenv.settings.Settings;
import io.github.imdsenv.settings.SourceKind;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An everyday invocation as its arguments state it, before the environment is consulted: what
 * picocli's annotated fields hold after a parse, and what {@link FastPath} builds without picocli.
 * The export and exec run from this alone, so the two parsers agree exactly when their requests are
 * equal (FastPathTest). For exec, {@code command} is COMMAND and the root's own options are null.
 */
record Request(
    Source source,
    Export export,
    Format format,
    Path output,
    Duration minValidity,
    Set<PosixFilePermission> mode,
    String profileName,
    List<String> command) {

  Request {
    mode = mode == null ? null : Set.copyOf(mode);
    command = command == null ? null : List.copyOf(command);
  }

  boolean exec() {
    return command != null;
  }

  /** The options of {@link SourceOptions}. */
  record Source(
      String endpoint,
      EndpointMode endpointMode,
      String role,
      Duration timeout,
      Integer attempts,
      boolean noImdsv1,
      SourceKind source,
      boolean verbose,
      boolean quiet) {

    /** The settings of this run: these options over the environment over the defaults. */
    Settings settings(Map<String, String> env) {
      if (verbose && quiet) {
        throw new ImdsEnvException(
            ImdsEnvException.Reason.USAGE, "--verbose and --quiet exclude each other");
      }
      return Settings.resolve(
          new Settings.Flags(
              endpoint, endpointMode, role, timeout, attempts, noImdsv1, source, verbose, quiet),
          env);
    }
  }

  /** The options of {@link ExportOptions}. */
  record Export(boolean region, boolean accountId, boolean securityToken, boolean allowExpired) {

    Variables.Extras extras() {
      return new Variables.Extras(securityToken, region, accountId);
    }
  }
}
