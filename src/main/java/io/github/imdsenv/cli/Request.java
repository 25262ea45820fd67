package io.github.imdsenv.cli;

import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import io.github.imdsenv.settings.Settings;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An everyday invocation as its arguments state it, before the environment is consulted: what
 * picocli's annotated fields hold after a parse, and what {@link FastPath} builds without picocli.
 * The export and exec run from this alone, so the two parsers agree exactly when their requests are
 * equal (FastPathTest). For exec, {@code command} is COMMAND and the root's own options are null.
 */
record Request(
    Settings.Flags source,
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

  /**
   * The options of {@link ExportOptions}; {@code regionName} is the value of {@code --region
   * REGION}, null for a bare {@code --region} (the source's region) or none.
   */
  record Export(
      boolean region,
      String regionName,
      boolean accountId,
      boolean securityToken,
      boolean allowExpired) {

    Variables.Extras extras() {
      return new Variables.Extras(securityToken, region, accountId);
    }
  }
}
