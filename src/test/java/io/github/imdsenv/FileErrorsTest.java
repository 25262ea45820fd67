package io.github.imdsenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Real failed file operations, told as the error line tells them: no path, no Java class name. */
class FileErrorsTest {

  @TempDir Path dir;

  private static String reasonOf(Executable operation) {
    return FileErrors.reason(assertThrows(IOException.class, operation));
  }

  @Test
  void theSystemsReason_orTheKindInItsWords() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    Path full = Files.createDirectory(dir.resolve("full"));
    Files.writeString(full.resolve("entry"), "x");
    Path loop = Files.createSymbolicLink(dir.resolve("loop"), dir.resolve("loop"));

    assertEquals(
        "no such file or directory", reasonOf(() -> Files.readAllBytes(dir.resolve("gone"))));
    assertEquals("Not a directory", reasonOf(() -> Files.createDirectory(file.resolve("sub"))));
    assertTrue(
        reasonOf(() -> Files.newInputStream(loop)).startsWith("Too many levels of symbolic links"));
    // the kinds whose message is only the path
    assertEquals("file exists", reasonOf(() -> Files.createFile(file)));
    assertEquals("directory not empty", reasonOf(() -> Files.delete(full)));
    FileChannel closed = FileChannel.open(file);
    closed.close();
    assertEquals(
        "input/output error (ClosedChannelException)",
        reasonOf(() -> closed.read(ByteBuffer.allocate(1))));
    // what Java raises for EACCES (root, who runs the tests, is never refused a regular file)
    assertEquals(
        "permission denied", FileErrors.reason(new AccessDeniedException(file.toString())));
  }
}
