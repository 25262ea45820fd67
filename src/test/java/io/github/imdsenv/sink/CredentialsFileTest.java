package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.format.IniLines;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ini merge on bytes: everything but the replaced section kept, headers found as botocore finds
 * them.
 */
class CredentialsFileTest {

  static final String SECTION = "[imds]\naws_access_key_id = NEW\n";

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The lines of the profile's section, as they stand in the file; null for no section. */
  private static String section(byte[] content, String profile) {
    CredentialsFile.Section s = CredentialsFile.section(content, profile);
    return s == null
        ? null
        : new String(content, s.from(), s.to() - s.from(), StandardCharsets.ISO_8859_1);
  }

  private static String merged(String existing, String profile) {
    return new String(
        CredentialsFile.merge(b(existing), profile, SECTION.replace("[imds]", "[" + profile + "]")),
        StandardCharsets.UTF_8);
  }

  @Test
  void replacesOnlyItsSection_keepsTheCommentsAndBlankLinesBeforeTheNextHeader() {
    String before = "[a]\nk = 1\n[imds]\naws_access_key_id = OLD\nx = y\n\n# about b\n[b]\nk = 2\n";
    assertEquals(
        "[a]\nk = 1\n[imds]\naws_access_key_id = NEW\n\n# about b\n[b]\nk = 2\n",
        merged(before, "imds"));
  }

  @Test
  void absentProfile_isAppendedAfterABlankLine_evenWithoutAFinalNewline() {
    assertEquals("[a]\nk = 1\n\n[imds]\naws_access_key_id = NEW\n", merged("[a]\nk = 1", "imds"));
    assertEquals(
        "[a]\nk = 1\n\n[imds]\naws_access_key_id = NEW\n", merged("[a]\nk = 1\n\n", "imds"));
    assertEquals("[imds]\naws_access_key_id = NEW\n", merged("", "imds"));
  }

  @Test
  void headerWithTextAfterTheBracket_isThatSection_asInConfigparser_andTheHeaderLineIsKept() {
    // RawConfigParser's header pattern is \[(?P<header>.+)\] matched at the start: text after the
    // last ] is ignored
    String before = "[imds] ; main account\naws_access_key_id = OLD\n[b]\nk = 2\n";
    assertEquals(
        "[imds] ; main account\naws_access_key_id = NEW\n[b]\nk = 2\n", merged(before, "imds"));
  }

  @Test
  void headerThatPythonsReadDifferently_isRefused() {
    // up to the last ] for Python 3.10 on, up to the first for 3.9 and before (the AWS CLI v1 on
    // Amazon Linux 2)
    for (String header : List.of("[imds] see [wiki]", "[imds]x]")) {
      CredentialsFile.Unsafe e =
          assertThrows(CredentialsFile.Unsafe.class, () -> merged(header + "\nk = 1\n", "imds"));
      assertTrue(
          e.getMessage()
                  .startsWith(
                      "line 1 reads as [imds] see [wiki] to Python 3.10 and later but as [imds]")
              || e.getMessage()
                  .startsWith("line 1 reads as [imds]x] to Python 3.10 and later but as [imds]"),
          e.getMessage());
    }
    assertEquals("k = 1\n", section(b("[imds] x\nk = 1\n"), "imds"));
    assertThrows(
        CredentialsFile.Unsafe.class,
        () -> CredentialsFile.section(b("[a]\n[imds] [x]\n"), "imds"));
  }

  @Test
  void keyNamedByEmptyBrackets_isTheProfilesOwn_andReplacedWithIt() {
    // "[] = x" is no header (a name takes a byte between the brackets) but a key of [imds]
    String before = "[imds]\naws_access_key_id = OLD\n[] = x\n[b]\nk = 2\n";
    assertEquals("[imds]\naws_access_key_id = NEW\n[b]\nk = 2\n", merged(before, "imds"));
  }

  @Test
  void profileOfThreeByteCharacters_isFoundAndReplaced_notAppendedAgain() {
    String profile = "\u65e5\u672c";
    assertEquals(
        "[a]\n[" + profile + "]\naws_access_key_id = NEW\n[b]\n",
        merged("[a]\n[" + profile + "]\naws_access_key_id = OLD\n[b]\n", profile));
  }

  @Test
  void indentedHeaderAfterAnOption_isAContinuationLine_notASection() {
    String before = "[a]\nk = 1\n  [imds]\n";
    assertNull(section(b(before), "imds"));
    assertEquals(before + "\n" + SECTION, merged(before, "imds"));
  }

  @Test
  void indentedHeader_thatTheReplacementWouldSwallow_isRefused() {
    // "  [b]" is a header after "    k = 1" (indent 4 > 2 is false) but would continue "k = v" at
    // indent 0
    String before = "[imds]\n    k = 1\n  [b]\nx = 2\n";
    assertEquals("b", sectionNames(before).get(1));
    CredentialsFile.Unsafe e =
        assertThrows(CredentialsFile.Unsafe.class, () -> merged(before, "imds"));
    assertTrue(
        e.getMessage().contains("would change how the sections after it are read"), e.getMessage());
  }

  @Test
  void commentedOutHeader_isNoSection() {
    assertNull(section(b("# [imds]\n; [imds]\n[a]\n"), "imds"));
  }

  @Test
  void duplicateProfile_isRefused_notGuessed() {
    CredentialsFile.Unsafe e =
        assertThrows(
            CredentialsFile.Unsafe.class,
            () -> merged("[imds]\nk = 1\n[a]\n[imds] \nk = 2\n", "imds"));
    assertEquals(
        "the profile [imds] appears twice (lines 1 and 4), which botocore refuses too: remove one by hand",
        e.getMessage());
  }

  @Test
  void crlfAndLoneCr_areLineEndings_keptOutsideTheSection_andTheSectionTakesTheHeadersEnding() {
    String before = "[a]\r\nk = 1\r\n[imds]\r\nold = 1\r\n\r\n[b]\rk = 2\r";
    assertEquals(
        "[a]\r\nk = 1\r\n[imds]\r\naws_access_key_id = NEW\r\n\r\n[b]\rk = 2\r",
        merged(before, "imds"));
    assertEquals(
        "[a]\n[imds]\naws_access_key_id = NEW\n",
        merged("[a]\n[imds]", "imds"),
        "a header without an ending");
    assertEquals(
        "[a]\r\nk = 1\r\n\r\n[new]\r\naws_access_key_id = NEW\r\n",
        merged("[a]\r\nk = 1\r\n", "new"));
  }

  @Test
  void bytesThatAreNotUtf8_arePreservedExactly() {
    ByteArrayOutputStream before = new ByteArrayOutputStream();
    byte[] latin1 =
        "[caf\u00e9]\n; \u00e9t\u00e9 \u00ff\nk = \u00e0\n".getBytes(StandardCharsets.ISO_8859_1);
    before.writeBytes(latin1);
    before.writeBytes(b("[imds]\nold = 1\n"));
    byte[] out = CredentialsFile.merge(before.toByteArray(), "imds", SECTION);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(latin1);
    expected.writeBytes(b(SECTION));
    assertArrayEquals(expected.toByteArray(), out);
  }

  @Test
  void sixteenMiBOfShortSections_merge_inASmallHeap() {
    // the launcher runs with -Xmx64m: the merge walks the file, it does not hold it as lines
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < OutputFile.MAX_READ - 64; i++) {
      sb.append("[p").append(i).append("]\nk=1\n");
    }
    byte[] before = b(sb.toString());
    byte[] after = CredentialsFile.merge(before, "imds", SECTION);
    assertEquals(before.length + 1 + SECTION.length(), after.length);
  }

  @Test
  void section_isTheLinesOfOneProfile_upToTheNextHeader() {
    assertEquals(
        "k = 1\r\n\r\n", section(b("[a]\nx = 0\n[imds] ; c\r\nk = 1\r\n\r\n[b]\n"), "imds"));
    assertEquals("k = 1", section(b("[a]\n[imds]\nk = 1"), "imds"));
    assertEquals("", section(b("[imds]"), "imds"));
  }

  @Test
  void pythonWhitespace_isSkippedAsPythonStripsIt() {
    IniLines l = new IniLines(b("\u00a0\u2003[x]\u3000\u001c\n\u0085\u2028 \u3000\n"));
    assertTrue(l.advance() && l.headerIs("x"));
    assertTrue(l.advance() && l.blank());
    assertTrue(IniLines.isPythonSpace('\u0085'));
    assertTrue(!IniLines.isPythonSpace('\u200b'), "a zero-width space is no whitespace to Python");
  }

  /** A new profile goes after everything, every byte before it kept, whatever the file's lines. */
  @Test
  void newProfile_isAppended_everyByteBeforeItKept() {
    for (String file :
        List.of(
            "[s]\nk = v\n\t[c]\n",
            "[s]\n\t[c]\n",
            "[s]\nk = v\n\u001c[c]\n",
            "[s]\n\u001c[c]\n",
            "[s]\n\u2000[c]\n\u200a[d]\n\u200b[e]\n",
            "[s]\nk = v\nplain\n  [c]\n",
            "[s]\nk = v\nplain\n[c]\n",
            "[s]\nplain",
            "[s]\nk = v\n= x\n  [c]\n",
            "[s]\nk = v\n: x\n  [c]\n",
            "[s]\nk = v\n  : x\n  [c]\n")) {
      byte[] bytes = b(file);
      byte[] merged = CredentialsFile.merge(bytes, "new", "[new]\nk = 1\n");
      byte[] kept = new byte[bytes.length];
      System.arraycopy(merged, 0, kept, 0, bytes.length);
      assertArrayEquals(bytes, kept, file);
    }
  }

  /** Section names in order, as the merge's parser sees them (through section()). */
  private static List<String> sectionNames(String content) {
    List<String> names = new ArrayList<>();
    for (String candidate : List.of("imds", "a", "b", "c")) {
      if (CredentialsFile.section(b(content), candidate) != null) {
        names.add(candidate);
      }
    }
    return names;
  }

  /**
   * Random well-formed credentials files (sections with options, comments, blank lines,
   * continuation lines, headers with trailing text, LF/CRLF endings, non-ASCII bytes), one section
   * merged: every other section comes back byte for byte, in order, and the new one reads back.
   */
  @Test
  void property_mergingOneSection_keepsEveryOtherSectionByteForByte() {
    Random random = new Random(20261129);
    for (int round = 0; round < 2000; round++) {
      String eol = random.nextBoolean() ? "\n" : "\r\n";
      int count = 1 + random.nextInt(5);
      List<String> names = new ArrayList<>();
      List<byte[]> blocks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = random.nextInt(4) == 0 ? "imds" : "p" + i;
        if (names.contains(name)) {
          name = "p" + i;
        }
        names.add(name);
        blocks.add(block(random, name, eol));
      }
      ByteArrayOutputStream file = new ByteArrayOutputStream();
      if (random.nextBoolean()) {
        file.writeBytes(b("# credentials" + eol));
      }
      byte[] preamble = file.toByteArray();
      blocks.forEach(file::writeBytes);
      byte[] merged = CredentialsFile.merge(file.toByteArray(), "imds", SECTION);
      String section = section(merged, "imds");
      assertTrue(
          section != null && section.startsWith("aws_access_key_id = NEW" + eol),
          "round " + round + ": " + section);
      // the other blocks, in order, each exactly once and whole
      int from = 0;
      String text = new String(merged, StandardCharsets.ISO_8859_1);
      assertTrue(text.startsWith(new String(preamble, StandardCharsets.ISO_8859_1)));
      for (int i = 0; i < count; i++) {
        if (names.get(i).equals("imds")) {
          continue;
        }
        String block = new String(blocks.get(i), StandardCharsets.ISO_8859_1);
        int at = text.indexOf(block, from);
        assertTrue(at >= from, "round " + round + ": section " + names.get(i) + " kept whole");
        from = at + block.length();
      }
    }
  }

  /**
   * A section: header (perhaps with a trailing comment), options, continuation lines, comments,
   * blanks.
   */
  private static byte[] block(Random random, String name, String eol) {
    StringBuilder sb = new StringBuilder("[" + name + "]");
    if (random.nextInt(3) == 0) {
      sb.append(" ; note");
    }
    sb.append(eol);
    int options = random.nextInt(4);
    for (int i = 0; i < options; i++) {
      sb.append("key")
          .append(i)
          .append(random.nextBoolean() ? " = " : "=")
          .append("v\u00e9")
          .append(i)
          .append(eol);
      if (random.nextInt(3) == 0) {
        sb.append("    continued ").append(i).append(eol);
      }
      if (random.nextInt(4) == 0) {
        sb.append(random.nextBoolean() ? "# c" : "; c").append(eol);
      }
    }
    if (random.nextBoolean()) {
      sb.append(eol);
    }
    return sb.toString()
        .getBytes(random.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
  }
}
