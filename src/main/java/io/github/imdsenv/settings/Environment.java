package io.github.imdsenv.settings;

import io.github.imdsenv.format.Variables;
import java.util.List;

/**
 * The one table of the environment variables imds-env reads (or, for exec, removes): name, meaning,
 * default. {@link Settings} resolves from these names, messages and help name them through these
 * constants (compile-time constants: naming one loads nothing on a run's hot path), and the help's
 * list is {@link #TABLE}. Only {@code Main} reads the process environment.
 */
public final class Environment {

  public static final String ENDPOINT = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  public static final String ENDPOINT_MODE = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
  public static final String PROFILE_NAME = "AWS_EC2_INSTANCE_PROFILE_NAME";
  public static final String TIMEOUT = "AWS_METADATA_SERVICE_TIMEOUT";
  public static final String NUM_ATTEMPTS = "AWS_METADATA_SERVICE_NUM_ATTEMPTS";
  public static final String V1_DISABLED = "AWS_EC2_METADATA_V1_DISABLED";
  public static final String DISABLED = "AWS_EC2_METADATA_DISABLED";
  public static final String CONTAINER_RELATIVE_URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
  public static final String CONTAINER_FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
  public static final String CONTAINER_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
  public static final String CONTAINER_TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
  // read for the container source's region, and written by --region: spelled once, in Variables
  public static final String REGION = Variables.REGION;
  public static final String DEFAULT_REGION = Variables.DEFAULT_REGION;
  public static final String PROFILE = "AWS_PROFILE";
  public static final String DEFAULT_PROFILE = "AWS_DEFAULT_PROFILE";

  /** One variable: its name, what it means to imds-env, its default (null: none). */
  public record Variable(String name, String meaning, String defaultValue) {}

  /** Every variable imds-env reads, in the order the help lists them. */
  public static final List<Variable> TABLE =
      List.of(
          new Variable(ENDPOINT, "IMDS base URL (--endpoint)", "by the endpoint mode"),
          new Variable(ENDPOINT_MODE, "IPv4 or IPv6 (--endpoint-mode)", "IPv4"),
          new Variable(PROFILE_NAME, "the role, instead of discovering it (--role)", null),
          new Variable(
              TIMEOUT,
              "seconds per attempt, connect and read (--timeout)",
              String.valueOf(Settings.DEFAULT_TIMEOUT.toSeconds())),
          new Variable(
              NUM_ATTEMPTS,
              "attempts per request (--attempts)",
              String.valueOf(Settings.DEFAULT_ATTEMPTS)),
          new Variable(V1_DISABLED, "true: never fall back to IMDSv1 (--no-imdsv1)", "false"),
          new Variable(DISABLED, "true: IMDS is off; fail at once, without a request", "false"),
          new Variable(
              CONTAINER_RELATIVE_URI,
              "the ECS container credentials path (source auto: the container endpoint)",
              null),
          new Variable(
              CONTAINER_FULL_URI,
              "the container credentials URL (source auto: the container endpoint)",
              null),
          new Variable(CONTAINER_TOKEN, "the container endpoint's Authorization header", null),
          new Variable(
              CONTAINER_TOKEN_FILE,
              "a file holding that header (EKS Pod Identity), used before the variable",
              null),
          new Variable(REGION, "the region for --region from the container source", null),
          new Variable(DEFAULT_REGION, "the same, when " + REGION + " is not set", null),
          new Variable(
              PROFILE,
              "exec: removed from COMMAND's environment, as the credential variables are",
              null),
          new Variable(DEFAULT_PROFILE, "exec: removed too", null));

  private Environment() {}
}
