package io.github.imdsenv.settings;

/** Where credentials come from. */
public enum SourceKind {
  AUTO,
  IMDS,
  CONTAINER;

  public static SourceKind fromValue(String value) {
    for (SourceKind k : values()) {
      if (k.name().equalsIgnoreCase(value)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "'" + value + "' is not a source; choose one of: auto, imds, container");
  }
}
