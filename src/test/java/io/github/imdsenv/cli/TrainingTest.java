package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The class-data archive's training workload succeeds on its own (an archive is kept only when it
 * does), prints nothing and leaves nothing in the temporary directory.
 */
class TrainingTest {

  @Test
  void run_succeeds_printsNothing_andLeavesNoFile() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<Path> before = trainingDirs(tmp);
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(printed, true)) {
      System.setOut(capture);
      System.setErr(capture);
      assertEquals(0, Training.run());
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    assertEquals(0, printed.size(), "printed " + printed.size() + " bytes");
    assertEquals(before, trainingDirs(tmp));
  }

  private static List<Path> trainingDirs(Path tmp) throws Exception {
    try (Stream<Path> files = Files.list(tmp)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("imds-env-training"))
          .sorted()
          .toList();
    }
  }
}
