package io.github.imdsenv.cli;

import picocli.CommandLine.IVersionProvider;

/** The version the build wrote into the jar's manifest. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = VersionProvider.class.getPackage().getImplementationVersion();
    return new String[] {"imds-env " + (v == null ? "(development build)" : v)};
  }
}
