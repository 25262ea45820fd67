package io.github.imdsenv.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Python;
import io.github.imdsenv.credentials.Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ini format read back by botocore's parser (Python's {@code configparser.RawConfigParser}): a
 * profile name the format takes is the section Python finds, and each value it writes is the value
 * Python reads; a value Python would read differently is refused.
 */
class IniConfigparserTest {

  @TempDir Path dir;

  /** Names at the edges of what a header can hold: inner space, ~ (0x7e), non-ASCII, astral. */
  private static final List<String> NAMES =
      List.of(
          "a",
          "default",
          "my profile",
          "prod-eu_1.x@y:z",
          "~",
          "#not-a-comment",
          "k = v",
          "caf\u00e9",
          "nb\u00a0sp",
          "\u65e5\u672c \ud83d\ude00");

  /** Values with an inner space, delimiters, quotes, expansions, Python's other spaces inside. */
  private static final Credentials EDGY =
      new Credentials(
          "ASIA EXAMPLE ~KEY",
          "=:it's \"$(x)\" `id` \\ %PATH% !b! #; [x] ~",
          "t\u00a0o\u0085k\u2007e\u202fn \u00fcn\u00efc\u00f8d\u00e9 \ud83d\ude00",
          Instant.parse("2026-11-29T15:00:00Z"),
          "123456789012",
          null);

  /**
   * The name imds-env refuses as a profile is exactly the section Python reads as every profile's
   * defaults (botocore then gives its keys to each profile); other cases of it are profiles.
   */
  @Test
  void defaultSection_isExactlyPythons_andCaseSensitive() throws Exception {
    assertEquals(
        List.of(Format.INI_DEFAULT_SECTION, "['Default', 'default', 'prod']", "AKIADEFAULT"),
        Python.lines(
            String.join(
                "\n",
                "import configparser",
                "c = configparser.RawConfigParser()",
                "print(c.default_section)",
                "c.read_string('[DEFAULT]\\naws_access_key_id = AKIADEFAULT\\n'",
                "              '[Default]\\n[default]\\n[prod]\\nregion = x\\n')",
                "print(c.sections())",
                "print(c['prod']['aws_access_key_id'])",
                "")));
  }

  @Test
  void everyTakenName_andEveryWrittenValue_readBackByConfigparser_exactly() throws Exception {
    Variables vars = Variables.of(EDGY, "eu-central-2", new Variables.Extras(true, true, true));
    for (int i = 0; i < NAMES.size(); i++) {
      assertTrue(Format.validProfileName(NAMES.get(i)), NAMES.get(i));
      Files.writeString(dir.resolve(i + ".ini"), Format.INI.render(vars, NAMES.get(i)));
    }
    List<String> read = configparser(NAMES.size());
    ObjectMapper json = new ObjectMapper();
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("aws_access_key_id", EDGY.accessKeyId());
    expected.put("aws_secret_access_key", EDGY.secretAccessKey());
    expected.put("aws_session_token", EDGY.sessionToken());
    expected.put("x_security_token_expires", "2026-11-29T15:00:00Z");
    expected.put("aws_account_id", "123456789012");
    for (int i = 0; i < NAMES.size(); i++) {
      String name = NAMES.get(i);
      // keys and section names shown on failure, values never
      assertTrue(read.get(i).startsWith("{"), name + ": configparser " + read.get(i));
      JsonNode sections = json.readTree(read.get(i));
      assertEquals(List.of(name), fieldNames(sections), name);
      JsonNode profile = sections.get(name);
      assertEquals(List.copyOf(expected.keySet()), fieldNames(profile), name);
      for (Map.Entry<String, String> e : expected.entrySet()) {
        assertTrue(
            e.getValue().equals(profile.get(e.getKey()).asText()),
            name + ": configparser reads " + e.getKey() + " differently");
      }
    }
  }

  /**
   * Refused: empty, white space at either end (a typo nobody sees), control characters (a header is
   * one line), and brackets: Python 3.10 and later read {@code [a]b]} as {@code a]b}, 3.9 and
   * before as {@code a}.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " a",
        "a ",
        "\u2003a",
        "a\u3000",
        "a\u00a0",
        "\u0085a",
        "a\u202f",
        "a\tb",
        "a\u001fb",
        "a\u007fb",
        "a\nb",
        "a\rb",
        "a]b",
        "a[b",
        "[a]"
      })
  void namesAHeaderCannotHold_areRefused(String name) {
    assertFalse(Format.validProfileName(name), name);
  }

  /**
   * Values botocore would read differently, refused: a line break (it ends the value), or white
   * space at either end as Python counts it (U+0085, U+00A0, U+2007 and U+202F too, which Java's
   * {@code strip()} keeps). Python's reading of each, written anyway, is checked.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        " tok",
        "tok\u00a0",
        "\u0085tok",
        "tok\u2007",
        "\u202ftok",
        "tok\u3000",
        "t\rok",
        "t\nok"
      })
  void valuesConfigparserWouldReadDifferently_areRefused(String token) throws Exception {
    assertRefused(token);
    Files.writeString(dir.resolve("0.ini"), "[p]\naws_session_token = " + token + "\n");
    String read = configparser(1).get(0);
    assertFalse(
        read.startsWith("{")
            && token.equals(
                new ObjectMapper().readTree(read).at("/p/aws_session_token").asText(null)),
        "configparser reads the value as written");
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The format's own rule beyond that: a value is one line of printable text, never empty. */
  @ParameterizedTest
  @ValueSource(strings = {"", "t\tok", "t\u001fok", "t\u007fok", "t\u001b[2Jok"})
  void emptyValuesAndControlCharacters_areRefused(String token) {
    assertRefused(token);
  }

  private static void assertRefused(String token) {
    Credentials c = new Credentials("ASIAX", "secret", token, EDGY.expiration(), null, null);
    ImdsEnvException e =
        assertThrows(
            ImdsEnvException.class,
            () -> Format.INI.render(Variables.of(c, null, Variables.Extras.NONE)));
    assertEquals(ImdsEnvException.Reason.UNREPRESENTABLE, e.reason());
    assertTrue(
        e.getMessage().startsWith("the value of AWS_SESSION_TOKEN contains "), e.getMessage());
  }

  /**
   * Each file {@code 0.ini .. n-1.ini} as configparser reads it: JSON of its sections, or an error.
   */
  private List<String> configparser(int n) throws Exception {
    String script =
        String.join(
            "\n",
            "import configparser, json, os, sys",
            "for i in range(int(sys.argv[2])):",
            "    c = configparser.RawConfigParser()",
            "    try:",
            "        c.read(os.path.join(sys.argv[1], '%d.ini' % i), encoding='utf-8')",
            "        print(json.dumps({s: dict(c[s]) for s in c.sections()}))",
            "    except configparser.Error as e:",
            "        print('error', type(e).__name__)");
    List<String> lines = Python.lines(script, dir.toString(), String.valueOf(n));
    assertEquals(n, lines.size(), String.join("\n", lines));
    return lines;
  }
}
