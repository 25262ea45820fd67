package io.github.imdsenv.format;

import io.github.imdsenv.ImdsEnvException;

/**
 * One family of formats: how it renders the variables and quotes their values, and where a
 * variable's value stands on its line (read back by the file sink for --min-validity). By default a
 * format is a line per variable ({@link #line}); the others override {@link #render}.
 */
abstract class Renderer {

  /** The whole output; {@code profile} only for the formats that name one (ini). */
  String render(Variables vars, String profile) {
    StringBuilder sb = new StringBuilder(1024);
    for (int i = 0; i < vars.size(); i++) {
      String value = vars.value(i);
      checkEncodable(vars.name(i), value);
      sb.append(line(vars.name(i), value)).append('\n');
    }
    return sb.toString();
  }

  /** One variable's line, for the line-per-variable formats. */
  String line(String name, String value) {
    throw new UnsupportedOperationException(getClass().getSimpleName());
  }

  /**
   * What stands before and after a variable's value on its line in this format's output; null where
   * the format has no place for it. Names hold no digit, so a value of "0" marks the spot.
   */
  String[] keyLine(String variable) {
    String line = line(variable, "0");
    int at = line.lastIndexOf('0');
    return new String[] {line.substring(0, at), line.substring(at + 1)};
  }

  /**
   * What may end a key's line after its value and suffix (JSON's comma between members); "" for
   * none.
   */
  String separator() {
    return "";
  }

  /** False for a format that prints names only, so no credentials need fetching. */
  boolean needsValues() {
    return true;
  }

  /**
   * No environment variable holds a NUL, and a lone UTF-16 surrogate has no UTF-8 form: refused by
   * every format, JSON too (it could escape a NUL, but a consumer that exports it could not).
   */
  static void checkEncodable(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        throw cannotCarry(name, "a NUL character", "no environment variable can hold one");
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw cannotCarry(
            name,
            "an invalid Unicode character (a lone surrogate)",
            "the service's answer is corrupt");
      }
    }
  }

  static ImdsEnvException cannotCarry(String name, String what, String advice) {
    return new ImdsEnvException(
        ImdsEnvException.Reason.UNREPRESENTABLE,
        "the value of " + name + " contains " + what + "; refused (" + advice + ")");
  }
}
