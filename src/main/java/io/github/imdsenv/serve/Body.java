package io.github.imdsenv.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.Timestamps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON bodies serve answers with, as the SDKs and the ECS agent write them. */
final class Body {

  private static final JsonFactory JSON = new JsonFactory();

  private Body() {}

  /**
   * AccessKeyId, SecretAccessKey, Token, Expiration (RFC 3339 with a literal Z: JS v3 refuses an
   * offset), AccountId when known.
   */
  static byte[] credentials(Credentials c) {
    return write(
        g -> {
          g.writeStringField("AccessKeyId", c.accessKeyId());
          g.writeStringField("SecretAccessKey", c.secretAccessKey());
          g.writeStringField("Token", c.sessionToken());
          g.writeStringField("Expiration", Timestamps.format(c.expiration()));
          if (c.accountId() != null) {
            g.writeStringField("AccountId", c.accountId());
          }
        });
  }

  /** {"code": …, "message": …}, the ECS agent's spelling (Java v2 shows only message). */
  static byte[] error(String code, String message) {
    return write(
        g -> {
          g.writeStringField("code", code);
          g.writeStringField("message", message);
        });
  }

  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Fields fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
