package io.github.imdsenv.credentials;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Printable;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads the credentials JSON of IMDS (legacy and extended) and of the container endpoint, with
 * Jackson's streaming parser (ObjectMapper costs ~0.1 s of start-up). Errors never quote the body:
 * Jackson's own messages can, so they are not passed on.
 */
public final class CredentialsParser {

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private CredentialsParser() {}

  /**
   * What an error body of the container endpoint may say; both null when it says nothing usable.
   */
  public record ErrorBody(String code, String message) {}

  public static Credentials parse(byte[] body, String url) {
    String code = null;
    String message = null;
    String accessKeyId = null;
    String secret = null;
    String token = null;
    String expiration = null;
    String accountId = null;
    String lastUpdated = null;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw bad(url, "is not a JSON object");
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "Code" -> code = string(p, value, name, url);
          case "Message" -> message = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "AccessKeyId" -> accessKeyId = string(p, value, name, url);
          case "SecretAccessKey" -> secret = string(p, value, name, url);
          case "Token" -> token = string(p, value, name, url);
          case "Expiration" -> expiration = string(p, value, name, url);
          case "AccountId" ->
              accountId = value == JsonToken.VALUE_NULL ? null : string(p, value, name, url);
          case "LastUpdated" -> lastUpdated = value == JsonToken.VALUE_STRING ? p.getText() : null;
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw bad(url, "is not a single JSON object");
      }
    } catch (JsonProcessingException e) {
      // no cause chained: Jackson's message quotes the body, secrets included, and -v prints causes
      throw bad(
          url,
          "is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    } catch (IOException e) {
      throw bad(url, "could not be read");
    }
    if (code != null && !code.equals("Success")) {
      throw new ImdsEnvException(
          ImdsEnvException.Reason.BAD_ANSWER,
          "the credentials at "
              + url
              + " are not usable: Code "
              + printable(code)
              + (message == null ? "" : " (" + printable(message) + ")"));
    }
    require(accessKeyId, "AccessKeyId", url);
    require(secret, "SecretAccessKey", url);
    require(token, "Token", url);
    require(expiration, "Expiration", url);
    Instant expires = timestamp(expiration, "Expiration", url);
    Instant updated = lastUpdated == null ? null : Timestamps.parse(lastUpdated.trim());
    if (accountId != null && accountId.isEmpty()) {
      accountId = null;
    }
    return new Credentials(accessKeyId, secret, token, expires, accountId, updated);
  }

  /** The Code and Message of a JSON error body, or nulls; never throws. */
  public static ErrorBody errorBody(byte[] body) {
    String code = null;
    String message = null;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          // EKS Pod Identity writes Code and Message; the ECS agent and imds-env serve code and
          // message
          if (value == JsonToken.VALUE_STRING && (name.equals("Code") || name.equals("code"))) {
            code = printable(p.getText());
          } else if (value == JsonToken.VALUE_STRING
              && (name.equals("Message") || name.equals("message"))) {
            message = printable(p.getText());
          } else {
            p.skipChildren();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // an unreadable error body says nothing more than its status
    }
    return new ErrorBody(code, message);
  }

  /** ISO-8601: {@code Z}, {@code +00:00}, fractional seconds. */
  public static Instant timestamp(String text, String field, String url) {
    Instant t = Timestamps.parse(text.trim());
    if (t == null) {
      throw bad(url, "has an " + field + " that is not an ISO-8601 timestamp");
    }
    return t;
  }

  private static String string(JsonParser p, JsonToken value, String name, String url)
      throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw bad(url, "has a " + name + " that is not a string");
    }
    return p.getText();
  }

  private static void require(String value, String name, String url) {
    if (value == null || value.isEmpty()) {
      throw bad(url, "has no " + name);
    }
  }

  /** Code and Message are shown to the user: one short line, escaped. */
  static String printable(String s) {
    return Printable.escape(s, 200);
  }

  private static ImdsEnvException bad(String url, String what) {
    return new ImdsEnvException(
        ImdsEnvException.Reason.BAD_ANSWER, "the credentials response from " + url + " " + what);
  }
}
