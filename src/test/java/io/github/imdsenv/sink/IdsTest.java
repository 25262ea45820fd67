package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Ids}: who the caller is, with /proc and without it. */
class IdsTest {

  @TempDir Path dir;

  @Test
  void effectiveUser_isWhoOwnsWhatThisProcessMakes_withOrWithoutProc() throws Exception {
    UserPrincipal mine = Files.getOwner(Files.createFile(dir.resolve("mine")));
    assertEquals(mine, Ids.effectiveUser(Path.of("/proc/self")));
    assertEquals(mine, Ids.caller());
    // without /proc (a chroot, a container without it): a file made and removed at once
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    Set<Path> before = probes(tmp);
    assertEquals(mine, Ids.effectiveUser(dir.resolve("no-proc")));
    assertEquals(before, probes(tmp), "its probe file is left behind");
  }

  private static Set<Path> probes(Path tmp) throws IOException {
    try (var files = Files.list(tmp)) {
      return files
          .filter(
              f -> {
                String n = f.getFileName().toString();
                return n.startsWith("imds-env") && n.endsWith(".owner");
              })
          .collect(Collectors.toSet());
    }
  }
}
