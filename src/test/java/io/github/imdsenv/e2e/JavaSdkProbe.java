package io.github.imdsenv.e2e;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;

/**
 * Run by ServeConsumersIT in a JVM of its own: the Java SDK v2's container provider, configured by
 * this process's environment as in a container, one provider, closed after. Prints each field's
 * SHA-256 as JSON, or the error's class and HTTP status (never its message, which may quote a
 * token).
 */
public final class JavaSdkProbe {

  private JavaSdkProbe() {}

  public static void main(String[] args) {
    try (ContainerCredentialsProvider p = ContainerCredentialsProvider.builder().build()) {
      AwsCredentials c = p.resolveCredentials();
      String token = c instanceof AwsSessionCredentials s ? s.sessionToken() : null;
      System.out.println(
          "{\"access_key\": \""
              + Consumers.sha256(c.accessKeyId())
              + "\", \"secret_key\": \""
              + Consumers.sha256(c.secretAccessKey())
              + "\", \"token\": \""
              + (token == null ? "" : Consumers.sha256(token))
              + "\"}");
    } catch (RuntimeException e) {
      StringBuilder all = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause()) {
        all.append(t.getMessage()).append('\n');
      }
      String m = all.toString();
      String status =
          m.contains("401") ? "401" : m.contains("403") ? "403" : m.contains("503") ? "503" : "";
      System.out.println(
          "{\"error\": \"" + e.getClass().getSimpleName() + "\", \"status\": \"" + status + "\"}");
    }
  }
}
