package io.github.imdsenv.format;

/**
 * {@code $Env:NAME = 'value'}: PowerShell takes ' and the typographic single quotes U+2018..U+201B
 * all as quote characters; each is doubled.
 */
final class PowerShell extends Renderer {

  static final PowerShell INSTANCE = new PowerShell();

  private PowerShell() {}

  @Override
  String line(String name, String value) {
    StringBuilder sb =
        new StringBuilder(value.length() + name.length() + 16)
            .append("$Env:")
            .append(name)
            .append(" = '");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\'' || (c >= '\u2018' && c <= '\u201b')) {
        sb.append(c);
      }
      sb.append(c);
    }
    return sb.append('\'').toString();
  }
}
