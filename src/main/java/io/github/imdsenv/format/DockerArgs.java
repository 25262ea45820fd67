package io.github.imdsenv.format;

/** {@code -e NAME -e NAME ...}: names only, for {@code docker run} after an eval. */
final class DockerArgs extends Renderer {

  static final DockerArgs INSTANCE = new DockerArgs();

  private DockerArgs() {}

  @Override
  String render(Variables vars, String profile) {
    StringBuilder sb = new StringBuilder();
    for (String name : vars.names()) {
      sb.append(sb.length() == 0 ? "" : " ").append("-e ").append(name);
    }
    return sb.append('\n').toString();
  }

  @Override
  boolean needsValues() {
    return false;
  }

  @Override
  String[] keyLine(String variable) {
    return null;
  }
}
