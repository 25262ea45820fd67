package io.github.imdsenv.cli;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The value of --mode. A set-typed field would make picocli collect every --mode given (0640 and
 * 600 making 0640) where a repeated option takes its last value.
 */
record FileMode(Set<PosixFilePermission> permissions) {

  /** An octal mode for the output file: permission bits only, none for others. */
  static FileMode parse(String value) {
    if (!value.matches("0?[67][0-7]{2}")) {
      if (value.matches("0?[0-7]{3}")) {
        throw new IllegalArgumentException(
            "--mode "
                + value
                + " would keep the owner from reading and writing the file;"
                + " use 0600 or 0640");
      }
      throw new IllegalArgumentException(
          "--mode '" + value + "' is not an octal file mode such as 0600 or 0640");
    }
    int bits = Integer.parseInt(value, 8);
    if ((bits & 07) != 0) {
      throw new IllegalArgumentException(
          "--mode "
              + value
              + " would give every user access to the credentials;"
              + " use a group instead (0640)");
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((bits & (0400 >> p.ordinal())) != 0) {
        perms.add(p);
      }
    }
    return new FileMode(perms);
  }
}
