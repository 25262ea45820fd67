package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** stdout that cannot be written says why: a full disk is not a closed pipe. */
class ConsoleTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @BeforeAll
  static void warmUp() {
    Fixtures.warmUp(wm);
  }

  /** What write(2) on /dev/full gives Java, then a second, different failure. */
  private static OutputStream full() {
    return new OutputStream() {
      private int calls;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException(calls++ == 0 ? "No space left on device" : "Broken pipe");
      }
    };
  }

  @Test
  void keepsTheFirstFailure_andWritesUtf8() {
    Console c = new Console(full());
    c.print("x");
    c.flush();
    c.print("y");
    assertTrue(c.checkError());
    assertEquals("No space left on device", Console.failure(c));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Console ok = new Console(bytes);
    ok.print("é\n");
    assertEquals(false, ok.checkError());
    assertNull(Console.failure(ok));
    assertEquals("é\n", bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    assertNull(Console.failure(new PrintWriter(new StringWriter())));
  }

  @Test
  void exportToAFullDisk_exit6_saysNoSpaceLeft() {
    Fixtures.healthy(wm);
    StringWriter err = new StringWriter();
    int exit =
        Cli.execute(
            new String[] {"--endpoint", Fixtures.endpoint(wm)},
            Map.of(),
            new Console(full()),
            new PrintWriter(err, true));
    assertEquals(6, exit, err.toString());
    assertEquals("imds-env: cannot write to stdout (No space left on device)\n", err.toString());
  }
}
