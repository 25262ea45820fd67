package io.github.imdsenv.format;

/** {@code set "NAME=value"}: cmd.exe expands % and ! even inside quotes, so those are refused. */
final class WindowsCmd extends Renderer {

  static final WindowsCmd INSTANCE = new WindowsCmd();

  private WindowsCmd() {}

  @Override
  String line(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '%' || c == '!' || c == '^') {
        throw cannotCarry(
            name,
            "a character that cmd.exe cannot take in a set command",
            "use -f powershell or -f json");
      }
    }
    return "set \"" + name + "=" + value + "\"";
  }
}
