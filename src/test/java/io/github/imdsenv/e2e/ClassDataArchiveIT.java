package io.github.imdsenv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data archive only ever saves time: trained by scripts/train-cds, used when it
 * matches, and a missing, corrupt or stale one never prints a word or fails the run.
 */
class ClassDataArchiveIT {

  @RegisterExtension static WireMockExtension wm = Fixtures.imds();

  @TempDir Path install;

  private Path scripts;
  private Path jar;
  private Map<String, String> env;

  @BeforeEach
  void copyTheInstall() throws Exception {
    Path launcher = Path.of(Proc.LAUNCHER);
    scripts = Files.createDirectories(install.resolve("scripts"));
    Files.copy(launcher, scripts.resolve("imds-env"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(launcher.resolveSibling("train-cds"), scripts.resolve("train-cds"), StandardCopyOption.COPY_ATTRIBUTES);
    jar = Files.createDirectories(install.resolve("target")).resolve("imds-env.jar");
    Files.copy(launcher.getParent().resolveSibling("target").resolve("imds-env.jar"), jar);
    env = new HashMap<>(Proc.cronEnv());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    Fixtures.healthy(wm);
  }

  private Proc export() throws Exception {
    return Proc.run(List.of(scripts.resolve("imds-env").toString(), "--endpoint", Fixtures.endpoint(wm)), env, install);
  }

  private List<Path> archives() throws Exception {
    try (var files = Files.list(jar.getParent())) {
      return files.filter(p -> p.toString().endsWith(".jsa") || p.toString().endsWith(".aot")).toList();
    }
  }

  private static void assertCleanSuccess(Proc p) {
    assertEquals(0, p.exit(), p.err());
    assertEquals("", p.err());
    assertTrue(p.out().startsWith("export AWS_ACCESS_KEY_ID='"), p.out());
  }

  @Test
  void trainedArchive_isWrittenWhole_andUsedQuietly() throws Exception {
    Proc train = Proc.run(List.of(scripts.resolve("train-cds").toString()), env, install);
    assertEquals(0, train.exit(), train.err());
    int major = Runtime.version().feature();
    if (major < 19 || major >= 25) {
      // JDK 19-24 make their own archive on first use instead
      assertEquals(1, archives().size(), "one archive, no temporary file: " + archives());
    }
    assertCleanSuccess(export());
    assertCleanSuccess(export());
  }

  @Test
  void corruptArchive_isIgnoredSilently() throws Exception {
    Proc train = Proc.run(List.of(scripts.resolve("train-cds").toString()), env, install);
    assertEquals(0, train.exit(), train.err());
    for (Path a : archives()) {
      Files.writeString(a, "not an archive");
    }
    assertCleanSuccess(export());
  }

  @Test
  void staleArchive_afterTheJarChanged_isIgnoredSilently() throws Exception {
    Proc train = Proc.run(List.of(scripts.resolve("train-cds").toString()), env, install);
    assertEquals(0, train.exit(), train.err());
    Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
    assertCleanSuccess(export());
  }

  @Test
  void noArchive_runsAsUsual() throws Exception {
    assertCleanSuccess(export());
  }
}
