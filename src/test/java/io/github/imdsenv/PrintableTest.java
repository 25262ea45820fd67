package io.github.imdsenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PrintableTest {

  @Test
  void controlsDelC1AndBidiControls_areEscaped() {
    assertEquals(
        "a\\u001b[31mb\\u0007c\\u009bd\\u007fe\\u0000f\\u000a\\u0009",
        Printable.escape("a\u001b[31mb\u0007c\u009bd\u007fe\u0000f\n\t"));
    for (char c :
        new char[] {
          '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069',
          '\u200e', '\u200f', '\u061c', '\u2028', '\u2029', '\u0080', '\u009f'
        }) {
      assertEquals(String.format("x\\u%04xy", (int) c), Printable.escape("x" + c + "y"));
    }
  }

  @Test
  void ordinaryTextAndNonAsciiLetters_areKeptAsTheyAre() {
    String s = "AccessDenied: Zugriff verweigert … 拒否 (é, ß, \u00a0, \u200b)";
    assertSame(s, Printable.escape(s));
  }

  @Test
  void escapingTwice_changesNothing_andTheCapCutsTheSource() {
    String once = Printable.escape("\u202eevil\u001b");
    assertEquals(once, Printable.escape(once));
    assertEquals("abc…", Printable.escape("abcdef", 3));
    assertEquals("\\u202eb…", Printable.escape("\u202ebcd", 2));
    assertEquals("abc", Printable.escape("abc", 3));
  }
}
