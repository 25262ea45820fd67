package io.github.imdsenv.cli;

import io.github.imdsenv.FileErrors;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * A UTF-8 PrintWriter that keeps why its first write failed, where PrintWriter keeps only a flag: a
 * full disk under {@code > FILE} is then told apart from a closed stdout or a broken pipe.
 */
final class Console extends PrintWriter {

  private final Keeper keeper;

  Console(OutputStream out) {
    this(new Keeper(new OutputStreamWriter(out, StandardCharsets.UTF_8)));
  }

  private Console(Keeper keeper) {
    super(keeper, false);
    this.keeper = keeper;
  }

  /** The system's reason a write to {@code w} failed ("No space left on device"), or null. */
  static String failure(PrintWriter w) {
    return w instanceof Console c && c.keeper.failure != null
        ? FileErrors.reason(c.keeper.failure)
        : null;
  }

  private static final class Keeper extends FilterWriter {
    private IOException failure;

    Keeper(Writer out) {
      super(out);
    }

    private IOException kept(IOException e) {
      if (failure == null) {
        failure = e;
      }
      return e;
    }

    @Override
    public void write(int c) throws IOException {
      try {
        super.write(c);
      } catch (IOException e) {
        throw kept(e);
      }
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
      try {
        super.write(cbuf, off, len);
      } catch (IOException e) {
        throw kept(e);
      }
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
      try {
        super.write(str, off, len);
      } catch (IOException e) {
        throw kept(e);
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        super.flush();
      } catch (IOException e) {
        throw kept(e);
      }
    }
  }
}
