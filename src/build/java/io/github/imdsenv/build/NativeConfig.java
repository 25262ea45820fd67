package io.github.imdsenv.build;

import io.github.imdsenv.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.aot.graalvm.ReflectionConfigGenerator;
import picocli.codegen.aot.graalvm.ResourceConfigGenerator;

/**
 * Build-time only, for the release workflow's GraalVM job (allowed to fail, never part of a
 * release): writes the {@code native-image} configuration that picocli's reflective model needs,
 * from the very command line {@link Cli} builds, subcommands included.
 *
 * <p>Usage: {@code NativeConfig OUT_DIR}; writes {@code reflect-config.json} and {@code
 * resource-config.json} under {@code OUT_DIR/META-INF/native-image/io.github.imdsenv/imds-env},
 * where native-image finds them when OUT_DIR is on its class path.
 */
public final class NativeConfig {

  private NativeConfig() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0], "META-INF", "native-image", "io.github.imdsenv", "imds-env");
    Files.createDirectories(out);
    PrintWriter sink = new PrintWriter(new StringWriter());
    CommandSpec spec = Cli.commandLine(Map.of(), sink, sink).getCommandSpec();
    Files.writeString(
        out.resolve("reflect-config.json"),
        ReflectionConfigGenerator.generateReflectionConfig(spec),
        StandardCharsets.UTF_8);
    // slf4j-simple's settings; its service file is found by native-image's ServiceLoader support
    Files.writeString(
        out.resolve("resource-config.json"),
        ResourceConfigGenerator.generateResourceConfig(
            new CommandSpec[] {spec}, new String[0], new String[] {"simplelogger[.]properties"}),
        StandardCharsets.UTF_8);
  }
}
