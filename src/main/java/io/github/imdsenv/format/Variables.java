package io.github.imdsenv.format;

import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.credentials.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The environment variables of one run, in the contract's order. {@link #toString()} names them and
 * shows no value.
 */
public final class Variables {

  public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  public static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";
  public static final String EXPIRATION = "AWS_CREDENTIAL_EXPIRATION";
  public static final String SECURITY_TOKEN = "AWS_SECURITY_TOKEN";
  public static final String REGION = "AWS_REGION";
  public static final String DEFAULT_REGION = "AWS_DEFAULT_REGION";
  public static final String ACCOUNT_ID = "AWS_ACCOUNT_ID";

  /** What a run asks for beyond the four credential variables. */
  public record Extras(boolean securityToken, boolean region, boolean accountId) {
    public static final Extras NONE = new Extras(false, false, false);
  }

  private final List<String> names;
  private final List<String> values;

  private Variables(List<String> names, List<String> values) {
    this.names = Collections.unmodifiableList(names);
    this.values = Collections.unmodifiableList(values);
  }

  /**
   * The variables for these credentials. {@code region} is used when {@code extras.region()}; the
   * account id when asked for and given by the source.
   */
  public static Variables of(Credentials c, String region, Extras extras) {
    List<String> n = new ArrayList<>(8);
    List<String> v = new ArrayList<>(8);
    add(n, v, ACCESS_KEY_ID, c.accessKeyId());
    add(n, v, SECRET_ACCESS_KEY, c.secretAccessKey());
    add(n, v, SESSION_TOKEN, c.sessionToken());
    add(n, v, EXPIRATION, timestamp(c.expiration()));
    if (extras.securityToken()) {
      add(n, v, SECURITY_TOKEN, c.sessionToken());
    }
    if (extras.region() && region != null) {
      add(n, v, REGION, region);
      add(n, v, DEFAULT_REGION, region);
    }
    if (extras.accountId() && c.accountId() != null) {
      add(n, v, ACCOUNT_ID, c.accountId());
    }
    return new Variables(n, v);
  }

  /** The names a run with these extras sets (the account id where given), with empty values. */
  public static Variables namesOnly(Extras extras) {
    return namesOnly(extras, null);
  }

  /**
   * The names a run with these extras sets, with empty values but for the region's when the run
   * names it ({@code --region REGION}; null: the source's, not known before the fetch).
   */
  public static Variables namesOnly(Extras extras, String region) {
    List<String> n =
        new ArrayList<>(List.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, EXPIRATION));
    List<String> v = new ArrayList<>(Collections.nCopies(n.size(), ""));
    if (extras.securityToken()) {
      add(n, v, SECURITY_TOKEN, "");
    }
    if (extras.region()) {
      add(n, v, REGION, region == null ? "" : region);
      add(n, v, DEFAULT_REGION, region == null ? "" : region);
    }
    if (extras.accountId()) {
      add(n, v, ACCOUNT_ID, "");
    }
    return new Variables(n, v);
  }

  /** ISO-8601 UTC with {@code Z}, to the second (cut, never rounded up past the real expiry). */
  public static String timestamp(Instant t) {
    return Timestamps.format(t);
  }

  private static void add(List<String> n, List<String> v, String name, String value) {
    n.add(name);
    v.add(value);
  }

  public int size() {
    return names.size();
  }

  public String name(int i) {
    return names.get(i);
  }

  public String value(int i) {
    return values.get(i);
  }

  public List<String> names() {
    return names;
  }

  @Override
  public String toString() {
    return "Variables" + names;
  }
}
