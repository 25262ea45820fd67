package io.github.imdsenv.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  /**
   * A line after a header, the section it opens as Python 3.10 and later read it (up to the last
   * {@code ]}), and as 3.9 and before did (up to the first, with a name before it); null for none.
   */
  private record HeaderCase(String line, String header, String oldHeader) {}

  private static final List<HeaderCase> HEADER_CASES =
      List.of(
          new HeaderCase("[x]", "x", "x"),
          new HeaderCase("\t[ a ] ; c", " a ", " a "),
          // a name takes a byte between the brackets: [] is no header, but a key with a delimiter
          new HeaderCase("[]", null, null),
          new HeaderCase("[] = x", null, null),
          new HeaderCase("  [] = x", null, null),
          new HeaderCase("[", null, null),
          new HeaderCase("   [", null, null),
          new HeaderCase("[x", null, null),
          new HeaderCase("]x[", null, null),
          // a ] first: a name to 3.10 and later, none to 3.9 (a key, or a line it rejects)
          new HeaderCase("[]]", "]", null),
          new HeaderCase("[]x]", "]x", null),
          new HeaderCase("[]x] = v", "]x", null),
          new HeaderCase("[x]]", "x]", "x"),
          new HeaderCase("[a] b [c]", "a] b [c", "a"));

  @Test
  void headerNames_areWhatEachPythonReads_atTheBrackets() throws Exception {
    List<String> ours = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (HeaderCase c : HEADER_CASES) {
      // after a first line: offsets in the file are not offsets in the line
      IniLines l = new IniLines(("[s]\n" + c.line() + "\n").getBytes(StandardCharsets.UTF_8));
      assertTrue(l.advance() && l.headerIs("s") && l.advance(), c.line());
      assertEquals(c.header(), l.header(Integer.MAX_VALUE), c.line());
      assertEquals(c.header() != null, l.isHeader(), c.line());
      assertEquals(c.oldHeader(), l.oldHeader(Integer.MAX_VALUE), c.line());
      assertEquals(
          c.header() != null && !c.header().equals(c.oldHeader()), l.headersDiffer(), c.line());
      if (c.header() != null) {
        assertTrue(l.headerIs(c.header()), c.line());
      }
      if (c.oldHeader() != null) {
        assertTrue(l.oldHeaderIs(c.oldHeader()), c.line());
      }
      ours.add(json(c.header()) + " " + json(c.oldHeader()));
      files.add(pyString("[s]\n" + c.line() + "\n"));
    }
    String script =
        String.join(
            "\n",
            "import configparser, json, re",
            // RawConfigParser._SECT_TMPL of Python 3.9; this machine's is 3.10 and later's
            "OLD = re.compile(r'\\[(?P<header>[^]]+)\\]')",
            "def second(f, old):",
            "    c = configparser.RawConfigParser(strict=False)",
            "    if old:",
            "        c.SECTCRE = OLD",
            "    try:",
            "        c.read_string(f)",
            "    except configparser.ParsingError:",
            "        pass  # raised after the whole file is read: the sections stand",
            "    return c.sections()[1] if len(c.sections()) > 1 else None",
            "for f in FILES:",
            "    print(json.dumps(second(f, False)), json.dumps(second(f, True)))",
            "");
    assertEquals(ours, Python.lines("FILES = [" + String.join(", ", files) + "]\n" + script));
  }

  /**
   * A profile's name is compared decoded, at every UTF-8 width: a name of three-byte characters
   * fills the bound on the bytes worth decoding exactly.
   */
  @Test
  void headerIs_matchesTheDecodedName_ofOneTwoThreeAndFourByteCharacters() {
    for (String name :
        List.of("a", "\u00e9", "\u65e5", "\u65e5\u672c", "\u65e5\u672ca", "\ud83d\ude00")) {
      IniLines l = new IniLines(("[s]\n[" + name + "]\n").getBytes(StandardCharsets.UTF_8));
      assertTrue(l.advance() && l.advance(), name);
      assertTrue(l.headerIs(name) && l.oldHeaderIs(name), name);
      assertFalse(l.headerIs(name + "x") || l.oldHeaderIs("x" + name), name);
    }
  }

  /** The name a message shows: at most so many bytes, and an ellipsis only when it is cut. */
  @Test
  void headerAsShown_isCutAtMaxBytes_withAnEllipsisOnlyWhenLonger() {
    IniLines l = new IniLines("[s]\n[abc]x]\n".getBytes(StandardCharsets.UTF_8));
    assertTrue(l.advance() && l.advance());
    assertEquals(
        List.of("abc]\u2026", "abc]x", "abc]x"), List.of(l.header(4), l.header(5), l.header(6)));
    assertEquals(
        List.of("ab\u2026", "abc", "abc"), List.of(l.oldHeader(2), l.oldHeader(3), l.oldHeader(4)));
  }

  /** Two lines open sections of the same name byte for byte, or neither opens one. */
  @Test
  void sameHeader_isTheSameNameByteForByte_orNoHeaderOnEither() {
    String[][] rows = {
      {"[a]", "[a]", "true"},
      {"[a]", "  [a] ; note", "true"},
      {"[a]", "[b]", "false"},
      {"[a]", "[ab]", "false"},
      {"[ab]", "[a]", "false"},
      {"[a]", "[A]", "false"},
      {"[a]", "a = 1", "false"},
      {"a = 1", "[a]", "false"},
      {"a = 1", "# [a]", "true"},
    };
    for (String[] row : rows) {
      IniLines one = new IniLines((row[0] + "\n").getBytes(StandardCharsets.UTF_8));
      // the other after a first line: the names lie at other offsets
      IniLines other = new IniLines(("[zz]\n" + row[1] + "\n").getBytes(StandardCharsets.UTF_8));
      assertTrue(one.advance() && other.advance() && other.advance());
      boolean same = Boolean.parseBoolean(row[2]);
      assertEquals(same, one.sameHeader(other), row[0] + " / " + row[1]);
      assertEquals(same, other.sameHeader(one), row[1] + " / " + row[0]);
    }
  }

  /** A JSON string of {@code s}, plain ASCII without quotes or escapes; null for null. */
  private static String json(String s) {
    return s == null ? "null" : "\"" + s + "\"";
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
