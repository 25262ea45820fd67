package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Run;
import io.github.imdsenv.format.Format;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code -o} never turns an existing file into a file of another kind (issue 22): every format over
 * every kind of existing file, written or refused before any request, exit 6, the file byte for
 * byte as it was.
 */
class OutputKindTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @TempDir Path dir;

  @BeforeEach
  void healthy() {
    Fixtures.healthy(wm);
  }

  /** The formats, in the columns' order below: a new one needs its column. */
  private static final List<String> FORMATS =
      Stream.of(Format.values()).map(Format::label).toList();

  /**
   * A kind of existing file (null: none), and per format in {@link #FORMATS}' order: W written, 6
   * refused.
   */
  private record Row(String kind, String content, String outcomes) {}

  private static final List<Row> TABLE =
      List.of(
          // outcomes: env, env-no-export, fish, powershell, windows-cmd, process, json, ini,
          // docker-args
          new Row("missing", null, "WWWWWWWWW"),
          new Row("empty", "", "WWWWWWWWW"),
          new Row("comments only", "# written by hand\n\n  ; a note\n\r\n", "WWWWWWWWW"),
          new Row("text no format writes", "hello\nworld\n", "WWWWWWWWW"),
          new Row(
              "ini with profiles",
              "[default]\naws_access_key_id = A\n\n[other]\naws_access_key_id = B\n",
              "6666666W6"),
          new Row("ini after comments", "# mine\n\n  [work] ; main\nk = v\n", "6666666W6"),
          new Row(
              "a line of another kind, then profiles",
              "A=1\n[prod]\naws_access_key_id = B\n",
              "6666666W6"),
          new Row(
              "env-no-export lines (a docker env file)",
              "APP_MODE=prod\nAWS_ACCESS_KEY_ID=A\n",
              "6W6666666"),
          new Row("export lines", "# env\nexport AWS_ACCESS_KEY_ID='A'\n", "W66666666"),
          new Row("fish", "set -gx AWS_ACCESS_KEY_ID 'A'\n", "66W666666"),
          new Row("powershell", "$env:AWS_ACCESS_KEY_ID = 'A'\n", "666W66666"),
          new Row("windows-cmd", "set \"AWS_ACCESS_KEY_ID=A\"\r\n", "6666W6666"),
          new Row(
              "credential_process JSON",
              "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"A\"\n}\n",
              "66666W666"),
          new Row("JSON", "{\"AWS_ACCESS_KEY_ID\": \"A\"}\n", "666666W66"),
          new Row("docker -e arguments", "-e AWS_ACCESS_KEY_ID\n", "66666666W"),
          // sh's set -e and set -a are no fish; export without a value is no assignment
          new Row("a shell script", "set -ex\nexport PATH\n", "WWWWWWWWW"));

  static Stream<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    for (Row row : TABLE) {
      assertEquals(FORMATS.size(), row.outcomes().length(), row.kind());
      for (int i = 0; i < FORMATS.size(); i++) {
        cells.add(
            Arguments.of(
                row.kind(), row.content(), FORMATS.get(i), row.outcomes().charAt(i) == 'W'));
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "{2} over {0}: written {3}")
  @MethodSource("cells")
  void everyFormat_overEveryKindOfFile(String kind, String content, String format, boolean written)
      throws Exception {
    Path file = dir.resolve("out");
    FileTime old = FileTime.fromMillis(1_000_000_000_000L);
    if (content != null) {
      Files.writeString(file, content);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      Files.setLastModifiedTime(file, old);
    }
    Run r = Run.against(Fixtures.endpoint(wm), "-f", format, "-o", file.toString());
    if (written) {
      r.assertSuccess();
      assertEquals("", r.err());
      String now = Files.readString(file, StandardCharsets.ISO_8859_1);
      assertTrue(
          now.contains(format.equals("docker-args") ? "-e AWS_ACCESS_KEY_ID" : "ASIAEXAMPLE"), now);
      if (format.equals("ini") && content != null) {
        // [default] itself is replaced; all else is kept
        assertTrue(
            now.startsWith(content) || now.endsWith("\n\n[other]\naws_access_key_id = B\n"),
            "the ini merge keeps the file: " + now);
      }
    } else {
      r.assertFailure(6, file + " holds ");
      assertTrue(r.err().contains(": use -f "), r.err());
      assertEquals(content, Files.readString(file));
      assertEquals(old, Files.getLastModifiedTime(file));
      assertEquals(0, wm.getAllServeEvents().size(), "refused before any request");
    }
  }

  /** What each format writes is its own kind: a second run replaces the first's file. */
  @ParameterizedTest
  @EnumSource(Format.class)
  void eachFormat_replacesWhatItWroteItself(Format format) throws Exception {
    Path file = dir.resolve("out");
    for (int run = 0; run < 2; run++) {
      Run r =
          Run.against(
              Fixtures.endpoint(wm),
              "-f",
              format.label(),
              "--region",
              "--account-id",
              "--security-token",
              "-o",
              file.toString());
      assertEquals(0, r.exit(), r.err());
    }
  }

  @Test
  void theMessage_namesWhatTheFileHolds_andTheFormatThatFits() throws Exception {
    Path creds = dir.resolve("credentials");
    byte[] profiles =
        "[default]\naws_access_key_id = A\n[other]\naws_access_key_id = B\n"
            .getBytes(StandardCharsets.UTF_8);
    Files.write(creds, profiles);
    Run r = Run.against(Fixtures.endpoint(wm), "-o", creds.toString());
    assertEquals(6, r.exit());
    assertEquals(
        "imds-env: "
            + creds
            + " holds ini profiles ([default], [other]); -o would replace them with export lines:"
            + " use -f ini --profile-name NAME to update one profile, or another FILE\n",
        r.err());
    assertArrayEquals(profiles, Files.readAllBytes(creds));

    Path env = dir.resolve("app.env");
    Files.writeString(env, "APP_MODE=prod\n");
    r = Run.against(Fixtures.endpoint(wm), "-f", "ini", "-o", env.toString());
    assertEquals(
        "imds-env: "
            + env
            + " holds NAME=value lines; -f ini would add an ini profile to it:"
            + " use -f env-no-export to replace it, or another FILE\n",
        r.err());

    // many profiles: the first three, and names shown safely
    Files.writeString(creds, "[a]\n[b\u001b[2J]\n[c]\n[d]\n");
    r = Run.against(Fixtures.endpoint(wm), "-f", "json", "-o", creds.toString());
    assertTrue(
        r.err().contains(" holds ini profiles ([a], [b\\u001b[2J], [c], \u2026); "), r.err());
    assertFalse(r.err().contains("\u001b"), r.err());
    assertEquals(0, wm.getAllServeEvents().size());
  }
}
