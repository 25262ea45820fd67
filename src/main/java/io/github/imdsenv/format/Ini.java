package io.github.imdsenv.format;

/**
 * Sections of a shared credentials file, found the way botocore's parser finds them: a header is a
 * line that, stripped, is {@code [NAME]}.
 */
final class Ini {

  private Ini() {}

  /** A profile name that can stand in a header and be found again. */
  static boolean validProfile(String name) {
    if (name.isEmpty() || name.strip().length() != name.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '[' || c == ']') {
        return false;
      }
    }
    return true;
  }

  /** The lines of {@code profile}'s section after its header, or null when there is none. */
  static String section(String content, String profile) {
    String[] lines = content.split("\n", -1);
    int start = find(lines, profile);
    if (start < 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = start + 1; i < lines.length && !isHeader(lines[i]); i++) {
      sb.append(lines[i]).append('\n');
    }
    return sb.toString();
  }

  /** {@code existing} with {@code profile}'s section replaced by {@code section} (or appended); all else kept. */
  static String merge(String existing, String profile, String section) {
    String[] lines = existing.split("\n", -1);
    int start = find(lines, profile);
    StringBuilder out = new StringBuilder(existing.length() + section.length() + 2);
    if (start < 0) {
      out.append(existing);
      if (!existing.isEmpty() && !existing.endsWith("\n")) {
        out.append('\n');
      }
      if (!existing.isBlank() && !existing.endsWith("\n\n")) {
        out.append('\n');
      }
      return out.append(section).toString();
    }
    int end = start + 1;
    while (end < lines.length && !isHeader(lines[end])) {
      end++;
    }
    // blank lines and comments just before the next header belong to what follows: keep them
    while (end > start + 1 && (lines[end - 1].isBlank() || isComment(lines[end - 1]))) {
      end--;
    }
    for (int i = 0; i < start; i++) {
      out.append(lines[i]).append('\n');
    }
    out.append(section);
    for (int i = end; i < lines.length; i++) {
      out.append(lines[i]);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  private static int find(String[] lines, String profile) {
    String header = "[" + profile + "]";
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().equals(header)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isComment(String line) {
    String s = line.strip();
    return s.startsWith("#") || s.startsWith(";");
  }

  private static boolean isHeader(String line) {
    String s = line.strip();
    return s.startsWith("[") && s.endsWith("]");
  }
}
