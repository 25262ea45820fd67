package io.github.imdsenv.format;

/**
 * {@code set -gx NAME 'value'}: in fish's single quotes only {@code \\} and {@code \'} are escapes.
 */
final class Fish extends Renderer {

  static final Fish INSTANCE = new Fish();

  private Fish() {}

  @Override
  String line(String name, String value) {
    return "set -gx " + name + " '" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
