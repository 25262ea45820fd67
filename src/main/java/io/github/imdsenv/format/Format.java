package io.github.imdsenv.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.credentials.Timestamps;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
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
    String[] keyLine(String variable) {
      String key = processKey(variable);
      return key == null ? null : jsonKeyLine(key);
    }
  },

  /** One JSON object of the variables. */
  JSON("json", null) {
    @Override
    public String render(Variables vars) {
      return json(vars, false);
    }

    @Override
    String[] keyLine(String variable) {
      return jsonKeyLine(variable);
    }
  },

  /**
   * A shared-credentials-file profile, {@code [default]} unless named. Merging it into an existing
   * file is the file sink's business. The expiry goes into {@code x_security_token_expires}, a key
   * the SDKs ignore.
   */
  INI("ini", null) {
    @Override
    public String render(Variables vars) {
      return render(vars, "default");
    }

    @Override
    public String render(Variables vars, String profile) {
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
      return section.toString();
    }

    @Override
    String[] keyLine(String variable) {
      String key = iniKey(variable);
      return key == null ? null : new String[] {key + " = ", ""};
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

    @Override
    String[] keyLine(String variable) {
      return null;
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

  /** The output, for formats that name a profile ({@link #INI}); the others ignore it. */
  public String render(Variables vars, String profile) {
    return render(vars);
  }

  /** How long credentials a file may hold are believed: no IMDS or container credential lives longer. */
  public static final Duration MAX_PLAUSIBLE = Duration.ofHours(12);

  /**
   * When the credentials in {@code content} (what this format wrote; for {@link #INI} the lines of
   * one section) expire: read only from the expiry key's own line, as this format writes it. Null
   * when a variable of {@code names} has no line (the account id excepted: not every source gives
   * one), the expiry appears other than once, or it is no timestamp.
   */
  public Instant validUntil(String content, Variables names) {
    String[] lines = content.split("\n", -1);
    for (String name : names.names()) {
      String[] key = keyLine(name);
      String value = key == null || name.equals(Variables.ACCOUNT_ID) ? "-" : valueOn(lines, key, false);
      if (value == null || value.isEmpty() || value.equals("''")) {
        return null;
      }
    }
    String[] expiryKey = keyLine(Variables.EXPIRATION);
    String expiry = expiryKey == null ? null : valueOn(lines, expiryKey, true);
    return expiry == null ? null : Timestamps.parse(expiry);
  }

  /** The text between a key line's prefix and suffix: on any such line, or on exactly one when {@code once}. */
  private String valueOn(String[] lines, String[] key, boolean once) {
    String found = null;
    for (String line : lines) {
      if (this == JSON || this == PROCESS) {
        line = line.endsWith(",") ? line.substring(0, line.length() - 1) : line;
      }
      if (line.length() >= key[0].length() + key[1].length() && line.startsWith(key[0]) && line.endsWith(key[1])) {
        if (found != null && once) {
          return null;
        }
        found = line.substring(key[0].length(), line.length() - key[1].length());
        if (!once) {
          return found;
        }
      }
    }
    return found;
  }

  /**
   * What stands before and after a variable's value on its line in this format's output; null
   * where the format has no place for it. Names hold no digit, so a value of "0" marks the spot.
   */
  String[] keyLine(String variable) {
    String line = line(variable, "0");
    int at = line.lastIndexOf('0');
    return new String[] {line.substring(0, at), line.substring(at + 1)};
  }

  private static String[] jsonKeyLine(String key) {
    // the layout of Jackson's default pretty printer, as json() writes it
    return new String[] {"  \"" + key + "\" : \"", "\""};
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

  /** A profile name {@link #INI} can write a header for and find again. */
  public static boolean validProfileName(String name) {
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
    return new ImdsEnvException(ImdsEnvException.Reason.UNREPRESENTABLE,
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
        return "x_security_token_expires";
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
