package io.github.imdsenv.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.credentials.Timestamps;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The output formats. Each constant renders the variables for its consumer and owns its quoting:
 * every value reaches the consumer byte for byte, or the format refuses it (exit 5) without
 * showing it. No value can run code in the consumer. Lines end in LF.
 */
public enum Format {

  /** {@code export NAME='value'}: single quotes, a quote written as {@code '\''}; for eval in any POSIX shell. */
  ENV("env", null) {
    @Override
    String line(String name, String value) {
      return "export " + name + "=" + posixQuote(value);
    }
  },

  /**
   * {@code NAME=value}, unquoted: a shell assignment and a docker/systemd env file alike. Docker
   * takes the text after '=' literally and a shell and systemd would unquote it, so only values
   * that need no quoting anywhere are carried.
   */
  ENV_NO_EXPORT("env-no-export", "docker-env") {
    @Override
    String line(String name, String value) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "+/=_.:,@-".indexOf(c) >= 0;
        if (!plain) {
          throw cannotCarry(name, c == '\n' ? "a newline" : "a character that an env file cannot carry unquoted",
              "use -f env (for eval) or -f json");
        }
      }
      return name + "=" + value;
    }
  },

  /** {@code set -gx NAME 'value'}: in fish's single quotes only {@code \\} and {@code \'} are escapes. */
  FISH("fish", null) {
    @Override
    String line(String name, String value) {
      return "set -gx " + name + " '" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
  },

  /**
   * {@code $Env:NAME = 'value'}: PowerShell takes ' and the typographic single quotes U+2018..U+201B
   * all as quote characters; each is doubled.
   */
  POWERSHELL("powershell", null) {
    @Override
    String line(String name, String value) {
      StringBuilder sb = new StringBuilder(value.length() + name.length() + 16).append("$Env:").append(name).append(" = '");
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\'' || (c >= '\u2018' && c <= '\u201b')) {
          sb.append(c);
        }
        sb.append(c);
      }
      return sb.append('\'').toString();
    }
  },

  /** {@code set "NAME=value"}: cmd.exe expands % and ! even inside quotes, so those are refused. */
  WINDOWS_CMD("windows-cmd", null) {
    @Override
    String line(String name, String value) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '%' || c == '!' || c == '^') {
          throw cannotCarry(name, "a character that cmd.exe cannot take in a set command", "use -f powershell or -f json");
        }
      }
      return "set \"" + name + "=" + value + "\"";
    }
  },

  /** The {@code credential_process} JSON of the AWS SDKs and CLI, {@code "Version": 1}. */
  PROCESS("process", null) {
    @Override
    public String render(Variables vars) {
      return json(vars, true);
    }

    @Override
    String key(String variable) {
      String key = processKey(variable);
      return key == null ? null : "\"" + key + "\"";
    }
  },

  /** One JSON object of the variables. */
  JSON("json", null) {
    @Override
    public String render(Variables vars) {
      return json(vars, false);
    }
  },

  /**
   * A shared-credentials-file profile. With an existing file, only that profile's section is
   * replaced. The expiry goes into {@code x_security_token_expires}, a key the SDKs ignore.
   */
  INI("ini", null) {
    @Override
    public String render(Variables vars) {
      return render(vars, "default", null);
    }

    @Override
    public String render(Variables vars, String profile, String existing) {
      StringBuilder section = new StringBuilder("[").append(profile).append("]\n");
      for (int i = 0; i < vars.size(); i++) {
        String key = iniKey(vars.name(i));
        if (key != null) {
          String value = vars.value(i);
          checkEncodable(vars.name(i), value);
          for (int k = 0; k < value.length(); k++) {
            if (value.charAt(k) < 0x20 || value.charAt(k) == 0x7f) {
              throw cannotCarry(vars.name(i), "a control character or line break", "an ini value is one line");
            }
          }
          if (value.isEmpty() || value.strip().length() != value.length()) {
            throw cannotCarry(vars.name(i), "leading or trailing white space", "an ini parser would strip it");
          }
          section.append(key).append(" = ").append(value).append('\n');
        }
      }
      return existing == null ? section.toString() : Ini.merge(existing, profile, section.toString());
    }

    @Override
    public Instant validUntil(String content, String profile, Variables names) {
      String section = Ini.section(content, profile);
      return section == null ? null : super.validUntil(section, profile, names);
    }

    @Override
    String key(String variable) {
      return iniKey(variable);
    }
  },

  /** {@code -e NAME -e NAME ...}: names only, for {@code docker run} after an eval. */
  DOCKER_ARGS("docker-args", null) {
    @Override
    public String render(Variables vars) {
      StringBuilder sb = new StringBuilder();
      for (String name : vars.names()) {
        sb.append(sb.length() == 0 ? "" : " ").append("-e ").append(name);
      }
      return sb.append('\n').toString();
    }

    @Override
    public boolean needsValues() {
      return false;
    }
  };

  private final String label;
  private final String alias;

  Format(String label, String alias) {
    this.label = label;
    this.alias = alias;
  }

  /** The format's name on the command line. */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }

  /** False for a format that prints names only, so no credentials need fetching. */
  public boolean needsValues() {
    return true;
  }

  /**
   * The output for a file that now holds {@code existing} (null: none, or stdout). Only
   * {@link #INI} merges; {@code profile} is its section name.
   */
  public String render(Variables vars, String profile, String existing) {
    return render(vars);
  }

  /**
   * When credentials in {@code content} (a file this format wrote) expire; null when it does not
   * hold all of {@code names} or no readable expiry.
   */
  public Instant validUntil(String content, String profile, Variables names) {
    for (String name : names.names()) {
      String key = key(name);
      if (key != null && !content.contains(key)) {
        return null;
      }
    }
    return expiryAfter(content, key(Variables.EXPIRATION));
  }

  /** How a variable's name appears in this format's output; null where the format has no place for it. */
  String key(String variable) {
    return variable;
  }

  static final String INI_EXPIRES = "x_security_token_expires";

  /** The timestamp after the first {@code marker} on its line: its first digit up to the first character no timestamp has. */
  private static Instant expiryAfter(String content, String marker) {
    int i = content.indexOf(marker);
    if (i < 0) {
      return null;
    }
    i += marker.length();
    while (i < content.length() && (content.charAt(i) < '0' || content.charAt(i) > '9')) {
      if (content.charAt(i) == '\n') {
        return null;
      }
      i++;
    }
    int start = i;
    while (i < content.length() && "0123456789-:.+TZ".indexOf(content.charAt(i)) >= 0) {
      i++;
    }
    return Timestamps.parse(content.substring(start, i));
  }

  /** The whole output. */
  public String render(Variables vars) {
    StringBuilder sb = new StringBuilder(1024);
    for (int i = 0; i < vars.size(); i++) {
      String value = vars.value(i);
      checkEncodable(vars.name(i), value);
      sb.append(line(vars.name(i), value)).append('\n');
    }
    return sb.toString();
  }

  /** One variable's line, for the line-per-variable formats. */
  String line(String name, String value) {
    throw new UnsupportedOperationException(label);
  }

  /** A profile name {@link #INI} can write a header for. */
  public static boolean validProfileName(String name) {
    return Ini.validProfile(name);
  }

  /** Names and aliases, comma-separated, for help and errors. */
  public static String names() {
    StringBuilder sb = new StringBuilder();
    for (Format f : values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(f.label);
      if (f.alias != null) {
        sb.append(" (").append(f.alias).append(')');
      }
    }
    return sb.toString();
  }

  public static Format fromValue(String value) {
    for (Format f : values()) {
      if (f.label.equals(value) || value.equals(f.alias)) {
        return f;
      }
    }
    throw new IllegalArgumentException("'" + value + "' is not a format; choose one of: " + names());
  }

  /** A shell word in single quotes; a quote becomes '\''. Everything else is literal inside them. */
  static String posixQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /**
   * No environment variable holds a NUL, and a lone UTF-16 surrogate has no UTF-8 form: refused
   * by every format, JSON too (it could escape a NUL, but a consumer that exports it could not).
   */
  static void checkEncodable(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        throw cannotCarry(name, "a NUL character", "no environment variable can hold one");
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw cannotCarry(name, "an invalid Unicode character (a lone surrogate)", "the service's answer is corrupt");
      }
    }
  }

  private static ImdsEnvException cannotCarry(String name, String what, String advice) {
    return new ImdsEnvException(ImdsEnvException.Kind.BAD_CREDENTIALS,
        "the value of " + name + " contains " + what + "; refused (" + advice + ")");
  }

  private static String json(Variables vars, boolean process) {
    StringWriter w = new StringWriter(1024);
    // created here, not in a static field: the line formats need no JSON classes at all
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      if (process) {
        g.writeNumberField("Version", 1);
      }
      for (int i = 0; i < vars.size(); i++) {
        String key = process ? processKey(vars.name(i)) : vars.name(i);
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

  /** Shared credentials file keys; null for variables it has no key for. */
  private static String iniKey(String variable) {
    switch (variable) {
      case Variables.ACCESS_KEY_ID:
        return "aws_access_key_id";
      case Variables.SECRET_ACCESS_KEY:
        return "aws_secret_access_key";
      case Variables.SESSION_TOKEN:
        return "aws_session_token";
      case Variables.EXPIRATION:
        return INI_EXPIRES;
      case Variables.ACCOUNT_ID:
        return "aws_account_id";
      default:
        return null;
    }
  }

  /** credential_process member names; null for variables it has no member for. */
  private static String processKey(String variable) {
    switch (variable) {
      case Variables.ACCESS_KEY_ID:
        return "AccessKeyId";
      case Variables.SECRET_ACCESS_KEY:
        return "SecretAccessKey";
      case Variables.SESSION_TOKEN:
        return "SessionToken";
      case Variables.EXPIRATION:
        return "Expiration";
      case Variables.ACCOUNT_ID:
        return "AccountId";
      default:
        return null;
    }
  }
}
