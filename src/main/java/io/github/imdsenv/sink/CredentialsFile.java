package io.github.imdsenv.sink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A shared credentials file as bytes, its sections found exactly as botocore's parser (Python's
 * {@code configparser.RawConfigParser}, empty lines allowed in values) finds them: lines end in LF,
 * CR LF or CR; a line that is not an indented continuation of a value and that, stripped, starts
 * with {@code [} and has a {@code ]} after at least one character is a header, named up to the last
 * {@code ]} (Python 3.10 on: {@code [default] ; main} is {@code default}), or up to the first one
 * (Python 3.9 and before); {@code #} and {@code ;} start comment lines. Replacing a profile keeps
 * every other byte, its header line included. The file is walked line by line, never held as lines:
 * a 16 MiB file of short lines fits the launcher's small heap.
 */
public final class CredentialsFile {

  private CredentialsFile() {}

  /** Thrown when the file cannot take the profile without a guess; the message says why. */
  public static final class Unsafe extends RuntimeException {
    Unsafe(String message) {
      super(message);
    }
  }

  /**
   * The text of {@code profile}'s section after its header (LF-ended lines), or null when there is
   * none. A profile that appears twice, or a header that Pythons read differently, is refused.
   */
  public static String section(byte[] content, String profile) {
    IniLines l = new IniLines(content);
    int header = find(content, profile);
    if (header < 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    while (l.advance()) {
      if (l.start == header) {
        while (l.advance() && l.header == null) {
          sb.append(l.text).append('\n');
        }
        break;
      }
    }
    return sb.toString();
  }

  /**
   * {@code content} with the lines of {@code profile}'s section replaced by those of {@code
   * section} (a header line and LF-ended lines, written with the file's own line ending), or the
   * section appended; all else byte for byte, the existing header line included.
   */
  public static byte[] merge(byte[] content, String profile, String section) {
    int header = find(content, profile);
    byte[] merged;
    if (header < 0) {
      IniLines l = new IniLines(content);
      String eol = "\n";
      boolean first = true;
      boolean hasText = false;
      boolean lastBlank = true;
      boolean ended = true;
      while (l.advance()) {
        if (first) {
          eol = l.ending();
          first = false;
        }
        lastBlank = IniLines.strip(l.text).isEmpty();
        hasText |= !lastBlank;
        ended = l.next > l.end;
      }
      String glue = (ended ? "" : eol) + (hasText && !lastBlank ? eol : "");
      merged = join(content, content.length, glue + section.replace("\n", eol), content.length);
    } else {
      IniLines l = new IniLines(content);
      while (l.advance() && l.start != header) {
        // to the profile's header
      }
      String eol = l.ending();
      int headerEnd = l.next;
      String glue = l.next > l.end ? "" : eol;
      // blank lines and comments just before the next header belong to what follows: keep them
      int keepFrom = headerEnd;
      while (l.advance() && l.header == null) {
        if (!l.blankOrComment()) {
          keepFrom = l.next;
        }
      }
      String body = section.substring(section.indexOf('\n') + 1).replace("\n", eol);
      merged = join(content, headerEnd, glue + body, keepFrom);
    }
    check(content, merged, profile);
    return merged;
  }

  /** {@code content[0, upTo)}, then {@code middle}, then {@code content[from, end)}. */
  private static byte[] join(byte[] content, int upTo, String middle, int from) {
    byte[] m = middle.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[upTo + m.length + content.length - from];
    System.arraycopy(content, 0, out, 0, upTo);
    System.arraycopy(m, 0, out, upTo, m.length);
    System.arraycopy(content, from, out, upTo + m.length, content.length - from);
    return out;
  }

  /** The merge changed no other header: the same sections, in order, and the profile once. */
  private static void check(byte[] before, byte[] merged, String profile) {
    IniLines was = new IniLines(before);
    IniLines now = new IniLines(merged);
    int mine = 0;
    while (true) {
      String a = nextOther(was, profile);
      String b;
      while ((b = nextHeader(now)) != null && b.equals(profile)) {
        mine++;
      }
      if (!Objects.equals(a, b)) {
        break;
      }
      if (a == null) {
        if (mine == 1) {
          return;
        }
        break;
      }
    }
    throw new Unsafe(
        "replacing the profile ["
            + profile
            + "] would change how the sections after it are read"
            + " (an indented header?): fix the file by hand");
  }

  private static String nextOther(IniLines l, String profile) {
    String h;
    while ((h = nextHeader(l)) != null && h.equals(profile)) {
      // skipped: the profile is the one replaced
    }
    return h;
  }

  private static String nextHeader(IniLines l) {
    while (l.advance()) {
      if (l.header != null) {
        return l.header;
      }
    }
    return null;
  }

  /**
   * The offset of the profile's header line, or -1; refused when it appears twice or reads
   * differently by version.
   */
  private static int find(byte[] content, String profile) {
    IniLines l = new IniLines(content);
    int found = -1;
    int foundLine = 0;
    for (int line = 1; l.advance(); line++) {
      boolean mine = profile.equals(l.header) || profile.equals(l.oldHeader);
      if (mine && !Objects.equals(l.header, l.oldHeader)) {
        throw new Unsafe(
            "line "
                + line
                + " reads as "
                + shown(l.header)
                + " to Python 3.10 and later but as "
                + shown(l.oldHeader)
                + " to older ones (the AWS CLI v1 on Amazon Linux 2): rewrite that header by hand");
      }
      if (mine) {
        if (found >= 0) {
          throw new Unsafe(
              "the profile ["
                  + profile
                  + "] appears twice (lines "
                  + foundLine
                  + " and "
                  + line
                  + "), which botocore refuses too: remove one by hand");
        }
        found = l.start;
        foundLine = line;
      }
    }
    return found;
  }

  private static String shown(String header) {
    return header == null ? "no header" : "[" + header + "]";
  }

  /**
   * The section headers, in order, as botocore's parser finds them (for tests against Python's).
   */
  static List<String> headers(byte[] content) {
    List<String> names = new ArrayList<>();
    IniLines l = new IniLines(content);
    for (String h; (h = nextHeader(l)) != null; ) {
      names.add(h);
    }
    return names;
  }
}
