package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.imdsenv.Python;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header rules checked against the real thing: random files full of the shapes that trip a
 * parser (indented headers after options and after blank lines, brackets inside names and after
 * them, comments, Unicode spaces, CR/CRLF/LF), read by Python's RawConfigParser as botocore reads
 * them (strict=False here, to see every header even where botocore would then refuse a duplicate).
 */
class ConfigparserOracleTest {

  @TempDir Path dir;

  private static final String[] PIECES = {
    "[a]",
    "[b] ; note",
    "  [c]",
    "\t[a]",
    "[d]]",
    "[ e ]",
    "[]",
    "[x] y ]",
    "\u00a0[f]",
    "k = v",
    "k2: v",
    "  cont",
    "    deeper",
    "",
    "   ",
    "# [g]",
    "; [h]",
    "= novalue",
    "plain",
    "[i]x",
    "\u2003[j]",
    "k3 =",
    " [k]"
  };

  @Test
  void headersAreFoundExactlyAsPythonFindsThem() throws Exception {
    Random random = new Random(42);
    int files = 400;
    for (int f = 0; f < files; f++) {
      StringBuilder sb = new StringBuilder("[start]\n");
      int lines = 1 + random.nextInt(12);
      for (int i = 0; i < lines; i++) {
        sb.append(PIECES[random.nextInt(PIECES.length)])
            .append(
                switch (random.nextInt(4)) {
                  case 0 -> "\r\n";
                  case 1 -> "\r";
                  default -> "\n";
                });
      }
      Files.write(dir.resolve(f + ".ini"), sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    String script =
        String.join(
            "\n",
            "import configparser, sys, os",
            "d = sys.argv[1]",
            "for i in range(int(sys.argv[2])):",
            "    c = configparser.RawConfigParser(strict=False)",
            "    try:",
            "        c.read(os.path.join(d, '%d.ini' % i), encoding='utf-8')",
            "        print(i, 'ok', repr(c.sections()))",
            "    except configparser.Error as e:",
            "        print(i, 'error', type(e).__name__)");
    List<String> out = Python.lines(script, dir.toString(), String.valueOf(files));
    int compared = 0;
    for (String line : out) {
      String[] parts = line.split(" ", 3);
      if (!parts[1].equals("ok")) {
        continue; // a file botocore cannot read: only its bytes matter, and they are kept
      }
      int i = Integer.parseInt(parts[0]);
      List<String> ours = new ArrayList<>();
      for (String h : CredentialsFile.headers(Files.readAllBytes(dir.resolve(i + ".ini")))) {
        if (!ours.contains(h)) {
          ours.add(h);
        }
      }
      assertEquals(
          parts[2],
          pyRepr(ours),
          "file "
              + i
              + ": "
              + Files.readString(dir.resolve(i + ".ini"))
                  .replace("\r", "\\r")
                  .replace("\n", "\\n"));
      compared++;
    }
    assertEquals(true, compared > files / 4, "enough readable files compared: " + compared);
  }

  /** Python's repr of a list of plain strings. */
  private static String pyRepr(List<String> names) {
    List<String> quoted = new ArrayList<>();
    for (String n : names) {
      quoted.add(n.contains("'") ? "\"" + n + "\"" : "'" + n.replace("\\", "\\\\") + "'");
    }
    return "[" + String.join(", ", quoted) + "]";
  }
}
