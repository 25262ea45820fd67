package io.github.imdsenv.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.credentials.Credentials;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each format at the edges of what it carries: the characters next to those it quotes or refuses.
 */
class FormatEdgesTest {

  private static Variables token(String value) {
    return Variables.of(
        new Credentials(
            "ASIAX", "secret", value, Instant.parse("2026-11-29T15:00:00Z"), null, null),
        null,
        Variables.Extras.NONE);
  }

  private static String tokenLine(Format format, String value) {
    return format
        .render(token(value))
        .lines()
        .filter(l -> l.contains(Variables.SESSION_TOKEN))
        .findFirst()
        .orElseThrow();
  }

  private static ImdsEnvException refused(Format format, String value) {
    ImdsEnvException e =
        assertThrows(
            ImdsEnvException.class,
            () -> format.render(token(value)),
            format + " took a token it should refuse");
    assertEquals(ImdsEnvException.Reason.UNREPRESENTABLE, e.reason());
    return e;
  }

  /** Astral characters (two UTF-16 units each) at the start, inside and at the end. */
  private static final String ASTRAL = "\ud83d\ude00a\ud840\udc00b\ud83d\ude00";

  @ParameterizedTest
  @EnumSource(
      value = Format.class,
      names = {"ENV", "FISH", "POWERSHELL", "PROCESS", "JSON", "INI"})
  void astralCharacters_areCarried_whereTheFormatTakesNonAscii(Format format) throws Exception {
    String[] key = format.keyLine(Variables.SESSION_TOKEN);
    String out = format.render(token(ASTRAL));
    assertTrue(
        out.contains(key[0] + ASTRAL + key[1]), format + ": the AWS_SESSION_TOKEN line differs");
    if (format == Format.JSON || format == Format.PROCESS) {
      String name = format == Format.JSON ? "AWS_SESSION_TOKEN" : "SessionToken";
      JsonNode read = new ObjectMapper().readTree(out);
      assertTrue(ASTRAL.equals(read.get(name).asText()), name + " reads back differently");
    }
  }

  /** A lone surrogate, wherever it stands, has no UTF-8 form: no format writes one. */
  @ParameterizedTest
  @EnumSource(Format.class)
  void loneSurrogates_atTheEnds_orReversed_areRefused(Format format) {
    if (!format.needsValues()) {
      return;
    }
    for (String bad : new String[] {"ab\ud83d", "\ude00ab", "a\ude00\ud83db", "\ud83d"}) {
      assertTrue(refused(format, bad).getMessage().contains("AWS_SESSION_TOKEN"));
    }
  }

  /**
   * PowerShell ends a single-quoted string at ' and at each typographic single quote
   * U+2018..U+201B: each is doubled. Its neighbours U+2017 and U+201C, and $ ` " (literal in single
   * quotes), are not.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '#',
      value = {
        "a'b|a''b",
        "a\u2018b|a\u2018\u2018b",
        "a\u2019b|a\u2019\u2019b",
        "a\u201ab|a\u201a\u201ab",
        "a\u201bb|a\u201b\u201bb",
        "\u201b|\u201b\u201b",
        "a\u2017b|a\u2017b",
        "a\u201cb|a\u201cb",
        "$(x) `y` \"z\"|$(x) `y` \"z\""
      })
  void powershell_doublesEveryQuoteCharacter_andOnlyThose(String value, String quoted) {
    SecretText.assertSame(
        "$Env:AWS_SESSION_TOKEN = '" + quoted + "'",
        tokenLine(Format.POWERSHELL, value),
        "the PowerShell line");
  }

  /** cmd.exe: printable ASCII but " % ! ^ inside set "NAME=value"; nothing else. */
  @Test
  void windowsCmd_carriesPrintableAscii_andRefusesTheRest() {
    StringBuilder printable = new StringBuilder();
    for (char c = 0x20; c < 0x7f; c++) {
      if ("\"%!^".indexOf(c) < 0) {
        printable.append(c);
      }
    }
    SecretText.assertSame(
        "set \"AWS_SESSION_TOKEN=" + printable + "\"",
        tokenLine(Format.WINDOWS_CMD, printable.toString()),
        "the cmd.exe line");
    List<String> bad = new ArrayList<>(List.of("a\"b", "a%b", "a!b", "a^b", "\u00e9", ASTRAL));
    for (char c : new char[] {0x01, 0x09, 0x0a, 0x1f, 0x7f, 0x80, 0xa0}) {
      bad.add("a" + c + "b");
    }
    for (String value : bad) {
      assertEquals(
          "the value of AWS_SESSION_TOKEN contains a character that cmd.exe cannot take in a set"
              + " command; refused (use -f powershell or -f json)",
          refused(Format.WINDOWS_CMD, value).getMessage());
    }
  }

  static List<Arguments> envNoExportRefusals() {
    String unquoted = "a character that an env file cannot carry unquoted";
    return List.of(
        Arguments.of("line1\nline2", "a newline"),
        Arguments.of("a b", unquoted),
        Arguments.of("it's", unquoted),
        Arguments.of("a\rb", unquoted),
        Arguments.of("caf\u00e9", unquoted));
  }

  /** env-no-export's refusal says what is wrong: a newline, or a character that needs quoting. */
  @ParameterizedTest
  @MethodSource("envNoExportRefusals")
  void envNoExport_refusal_namesWhatItCannotCarry(String value, String what) {
    assertEquals(
        "the value of AWS_SESSION_TOKEN contains "
            + what
            + "; refused (use -f env (for eval) or -f json)",
        refused(Format.ENV_NO_EXPORT, value).getMessage());
  }

  /**
   * docker-args prints its names without fetching (namesOnly): they must be exactly the names an
   * export with the same options sets, or a docker run after the eval misses or invents one.
   */
  @Test
  void namesOnly_areTheNamesAnExportSets_forEveryCombinationOfOptions() {
    for (int bits = 0; bits < 8; bits++) {
      Variables.Extras extras =
          new Variables.Extras((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0);
      Variables export = Variables.of(FormatGoldenTest.PLAIN, "eu-central-2", extras);
      Variables names = Variables.namesOnly(extras);
      assertEquals(export.names(), names.names(), extras.toString());
      assertEquals(
          Format.DOCKER_ARGS.render(export), Format.DOCKER_ARGS.render(names), extras.toString());
    }
  }
}
