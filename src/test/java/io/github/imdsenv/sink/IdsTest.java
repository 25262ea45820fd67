package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Ids}: who the caller is, with /proc and without it. */
class IdsTest {

  @TempDir Path dir;

  @Test
  void effectiveUser_isWhoOwnsWhatThisProcessMakes_withOrWithoutProc() throws Exception {
    UserPrincipal mine = Files.getOwner(Files.createFile(dir.resolve("mine")));
    Path probes = Files.createDirectory(dir.resolve("probes"));
    assertEquals(mine, Ids.effectiveUser(Path.of("/proc/self"), probes));
    assertEquals(mine, Ids.caller());
    // without /proc (a chroot, a container without it): a file made and removed at once
    Path noProc = dir.resolve("no-proc");
    assertEquals(mine, Ids.effectiveUser(noProc, probes));
    assertEquals(List.of(), list(probes), "its probe file is left behind");
    // made where it is told, nowhere else
    assertThrows(NoSuchFileException.class, () -> Ids.effectiveUser(noProc, dir.resolve("none")));
  }

  private static List<Path> list(Path d) throws IOException {
    try (var files = Files.list(d)) {
      return files.toList();
    }
  }
}
