package io.github.imdsenv.format;

/**
 * A shared-credentials-file profile, {@code [default]} unless named, its keys from {@link
 * Keys#ini}. Merging it into an existing file is the file sink's business. The expiry goes into
 * {@code x_security_token_expires}, a key the SDKs ignore.
 */
final class Ini extends Renderer {

  static final Ini INSTANCE = new Ini();

  private Ini() {}

  @Override
  String render(Variables vars, String profile) {
    StringBuilder section = new StringBuilder("[").append(profile).append("]\n");
    for (int i = 0; i < vars.size(); i++) {
      String key = key(vars.name(i));
      if (key != null) {
        String value = vars.value(i);
        checkEncodable(vars.name(i), value);
        for (int k = 0; k < value.length(); k++) {
          if (value.charAt(k) < 0x20 || value.charAt(k) == 0x7f) {
            throw cannotCarry(
                vars.name(i), "a control character or line break", "an ini value is one line");
          }
        }
        if (IniLines.emptyOrSpaceAtAnEnd(value)) {
          throw cannotCarry(
              vars.name(i), "leading or trailing white space", "an ini parser would strip it");
        }
        section.append(key).append(" = ").append(value).append('\n');
      }
    }
    return section.toString();
  }

  @Override
  String[] keyLine(String variable) {
    String key = key(variable);
    return key == null ? null : new String[] {key + " = ", ""};
  }

  private static String key(String variable) {
    Keys k = Keys.of(variable);
    return k == null ? null : k.ini();
  }
}
