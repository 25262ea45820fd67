package io.github.imdsenv.sink;

import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code exec}: what the launcher (scripts/imds-env) needs to replace itself with COMMAND, as one
 * sh script written to the channel it reads (a pipe, {@code -Dimdsenv.handoff=/dev/fd/3}), never to
 * stdout, an argv or a file of ours. The script shifts away imds-env's own arguments (so COMMAND's
 * words reach the exec byte for byte, never decoded by Java), unsets the scrubbed variables,
 * exports the credentials in single quotes ({@link Format#ENV}, which refuses a NUL) and ends by
 * setting {@code imds_env_handoff=ready}. Anything else a run prints to stdout (help, version) is
 * handed back as {@code printf} and {@code exit 0}. Nothing is written on failure: the launcher
 * exits with the code.
 */
public final class Handoff {

  private final Path channel;
  private final List<String> args;
  private String script;

  /** For a run with these arguments, through the launcher's {@code channel}. */
  public Handoff(Path channel, String[] args) {
    this.channel = channel;
    this.args = Arrays.asList(args.clone());
  }

  /** How many of the arguments are imds-env's own, before {@code command} (their tail). */
  public int shift(List<String> command) {
    int shift = args.size() - command.size();
    if (shift < 0 || !args.subList(shift, args.size()).equals(command)) {
      // a parser that rewrote COMMAND's words (an @file): the launcher would exec other ones
      throw new IllegalStateException("exec: COMMAND is not the tail of the arguments");
    }
    return shift;
  }

  /**
   * Hands COMMAND, after {@code shift} arguments, the inherited environment less {@code scrubbed},
   * plus {@code vars}.
   */
  public void exec(int shift, List<String> scrubbed, Variables vars) {
    StringBuilder sb = new StringBuilder(1024).append("shift ").append(shift).append("\nunset");
    for (String name : scrubbed) {
      sb.append(' ').append(name);
    }
    script =
        sb.append('\n')
            .append(Format.ENV.render(vars))
            .append("imds_env_handoff=ready\n")
            .toString();
  }

  /**
   * Writes what the launcher evaluates, after a run that ended with {@code code} and printed {@code
   * stdout}.
   */
  public int finish(int code, String stdout, java.io.PrintWriter err) {
    if (code != 0) {
      return code;
    }
    String text =
        script != null
            ? script
            : (stdout.isEmpty() ? "" : "printf '%s' " + Format.shellWord(stdout) + "\n")
                + "exit 0\n";
    try (OutputStream out = new FileOutputStream(channel.toFile())) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      err.println(
          "imds-env: exec: cannot hand the environment to the launcher through "
              + channel
              + ": "
              + e.getMessage());
      return 1;
    }
    return 0;
  }
}
