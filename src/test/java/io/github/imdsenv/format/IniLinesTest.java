package io.github.imdsenv.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Python;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link IniLines} at the edges of Python's rules, each case also checked against Python's own
 * {@code configparser.RawConfigParser} and {@code str.isspace}.
 */
class IniLinesTest {

  /** A file, and the sections botocore's parser finds in it, in order. */
  private record Case(String file, List<String> sections) {}

  private static final List<Case> CASES =
      List.of(
          // a tab indents: a continuation after an option, a header after none
          new Case("[s]\nk = v\n\t[c]\n", List.of("s")),
          new Case("[s]\n\t[c]\n", List.of("s", "c")),
          // \x1c is Python whitespace (str.isspace), though no line break in a file
          new Case("[s]\nk = v\n\u001c[c]\n", List.of("s")),
          new Case("[s]\n\u001c[c]\n", List.of("s", "c")),
          new Case("[s]\n\u2000[c]\n\u200a[d]\n\u200b[e]\n", List.of("s", "c", "d")),
          // a stray line without a delimiter (Python reports it only after reading the whole file):
          // the option before it still takes the indented line that follows
          new Case("[s]\nk = v\nplain\n  [c]\n", List.of("s")),
          new Case("[s]\nk = v\nplain\n[c]\n", List.of("s", "c")),
          new Case("[s]\nplain", List.of("s")),
          // a delimiter with no name before it ends the option: the indented line is a header
          new Case("[s]\nk = v\n= x\n  [c]\n", List.of("s", "c")),
          new Case("[s]\nk = v\n: x\n  [c]\n", List.of("s", "c")),
          new Case("[s]\nk = v\n  : x\n  [c]\n", List.of("s")));

  @Test
  void sections_areFoundAsPythonFindsThem_evenBesideALinePythonThenRejects() throws Exception {
    List<String> ours = new ArrayList<>();
    StringBuilder script =
        new StringBuilder(
            "import configparser\n"
                + "for f in FILES:\n"
                + "    c = configparser.RawConfigParser(strict=False)\n"
                + "    try:\n"
                + "        c.read_string(f)\n"
                + "    except configparser.ParsingError:\n"
                + "        pass  # raised after the whole file is read: the sections stand\n"
                + "    print(' '.join(c.sections()))\n");
    List<String> files = new ArrayList<>();
    for (Case c : CASES) {
      byte[] bytes = c.file().getBytes(StandardCharsets.UTF_8);
      assertEquals(c.sections(), headers(bytes), c.file());
      ours.add(String.join(" ", c.sections()));
      files.add(pyString(c.file()));
    }
    assertEquals(ours, Python.lines("FILES = [" + String.join(", ", files) + "]\n" + script));
  }

  @Test
  void whitespace_isExactlyPythons() throws Exception {
    List<String> ours = new ArrayList<>();
    for (char c = 0; c < 0xffff; c++) {
      if (IniLines.isPythonSpace(c)) {
        ours.add(Integer.toString(c));
      }
    }
    assertEquals(
        ours,
        Python.lines("print('\\n'.join(str(i) for i in range(0xffff) if chr(i).isspace()))\n"));
  }

  /** The lines are read on their UTF-8 bytes: a space there is what isPythonSpace says. */
  @Test
  void whitespaceOnTheBytes_isExactlyWhatTheDecodedCharacterIs() {
    for (char c = 0; c < 0xffff; c++) {
      if (Character.isSurrogate(c)) {
        continue;
      }
      byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      assertEquals(
          IniLines.isPythonSpace(c) ? b.length : 0,
          IniLines.spaceLength(b, 0, b.length),
          Integer.toHexString(c));
    }
    // what Java decodes to U+FFFD is no space: overlong or cut-off forms of spaces, a lone byte
    for (String hex : List.of("c0a0", "e080a0", "e380", "e38041", "c2", "85", "eda080")) {
      byte[] b = java.util.HexFormat.of().parseHex(hex);
      assertEquals(0, IniLines.spaceLength(b, 0, b.length), hex);
      // and the line holds text, so it is not blank
      IniLines l = new IniLines(b);
      assertTrue(l.advance() && !l.blank(), hex);
    }
  }

  /** The section names, in order. */
  private static List<String> headers(byte[] content) {
    List<String> names = new ArrayList<>();
    IniLines l = new IniLines(content);
    while (l.advance()) {
      if (l.isHeader()) {
        names.add(l.header(Integer.MAX_VALUE));
      }
    }
    return names;
  }

  /** A Python string literal of {@code s}, every character escaped. */
  private static String pyString(String s) {
    StringBuilder sb = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      sb.append(String.format("\\u%04x", (int) c));
    }
    return sb.append('\'').toString();
  }
}
