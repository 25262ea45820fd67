package io.github.imdsenv.cli;

import io.github.imdsenv.format.Format;
import io.github.imdsenv.serve.Listen;
import io.github.imdsenv.settings.Settings;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A command as its arguments state it, before the environment is consulted: one type per command,
 * each holding what that command has and nothing else. The export and exec run from this alone, and
 * picocli's annotated fields and {@link Cli#fastPath} make the same one of the same arguments
 * (FastPathTest).
 */
sealed interface Request {

  /** The source options, which every command has. */
  Settings.Flags source();

  /**
   * {@code imds-env [OPTIONS]}: export in {@code format}, to stdout or to {@code output}; {@code
   * minValidity}, {@code mode} and {@code profileName} null where not given.
   */
  record Export(
      Settings.Flags source,
      VariableOptions variables,
      Format format,
      Path output,
      Duration minValidity,
      Set<PosixFilePermission> mode,
      String profileName)
      implements Request {

    public Export {
      mode = mode == null ? null : Set.copyOf(mode);
    }
  }

  /** {@code imds-env exec [OPTIONS] -- COMMAND [ARG...]}. */
  record Exec(Settings.Flags source, VariableOptions variables, List<String> command)
      implements Request {

    public Exec {
      command = List.copyOf(command);
    }
  }

  /** {@code imds-env serve [OPTIONS]}: its addresses (at least one), its token file. */
  record Serve(Settings.Flags source, List<Listen> listens, Path tokenFile, boolean dockerArgs)
      implements Request {

    public Serve {
      listens = List.copyOf(listens);
    }
  }
}
