package io.github.imdsenv.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The JSON family: one object of the variables (json), or the {@code credential_process} JSON of
 * the AWS SDKs and CLI (process: {@code "Version": 1}, members named by {@link Keys#process}).
 */
final class Json extends Renderer {

  static final Json VARIABLES = new Json(false);
  static final Json PROCESS = new Json(true);

  private final boolean process;

  private Json(boolean process) {
    this.process = process;
  }

  /** The member a variable is written as; null for one this format leaves out. */
  private String key(String variable) {
    if (!process) {
      return variable;
    }
    Keys k = Keys.of(variable);
    return k == null ? null : k.process();
  }

  @Override
  String render(Variables vars, String profile) {
    StringWriter w = new StringWriter(1024);
    // created here, not in a static field: the line formats need no JSON classes at all
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      if (process) {
        g.writeNumberField("Version", 1);
      }
      for (int i = 0; i < vars.size(); i++) {
        String key = key(vars.name(i));
        if (key != null) {
          checkEncodable(vars.name(i), vars.value(i));
          g.writeStringField(key, vars.value(i));
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.append('\n').toString();
  }

  @Override
  String[] keyLine(String variable) {
    String key = key(variable);
    // the layout of Jackson's default pretty printer, as render writes it
    return key == null ? null : new String[] {"  \"" + key + "\" : \"", "\""};
  }

  @Override
  String separator() {
    return ",";
  }
}
