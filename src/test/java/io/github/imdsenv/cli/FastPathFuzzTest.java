package io.github.imdsenv.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Differential: wherever the fast path takes a vector, picocli makes the same request of it. */
class FastPathFuzzTest {

  static final List<String> TOKENS =
      List.of(
          "exec",
          "doctor",
          "serve",
          "completion",
          "help",
          "--",
          "-",
          "",
          "-v",
          "-q",
          "-f",
          "-o",
          "--region",
          "--region=",
          "--region=us-east-1",
          "us-east-1",
          "us-west-2",
          "json",
          "ini",
          "env",
          "--role",
          "--role=",
          "--endpoint",
          "--endpoint=",
          "http://127.0.0.1:1",
          "--profile-name",
          "--profile-name=",
          "--output",
          "--output=-x",
          "-x",
          "--x",
          "@f",
          "--min-validity",
          "15m",
          "--mode",
          "0600",
          "--attempts",
          "3",
          "--timeout",
          "1s",
          "--source",
          "imds",
          "--endpoint-mode",
          "ipv4",
          "--no-imdsv1",
          "--account-id",
          "--allow-expired",
          "--security-token",
          "--verbose",
          "--quiet",
          "--format",
          "true",
          "--help",
          "-h",
          "-V",
          "--version",
          "--no-verbose",
          "--region us-east-1",
          "-fjson",
          "--reg",
          "--verb",
          "--Region",
          "\u0131",
          "--account-id=true",
          "--verbose=true",
          "--region=US-EAST-1",
          "--mode=0600",
          "--min-validity=15m",
          "-o=x",
          "x=y",
          "--output=",
          "--format=",
          "--mode=",
          "--timeout=",
          "--attempts=",
          "-v=",
          "\"us-east-1\"",
          "'us-east-1'",
          " us-east-1",
          "us-east-1 ",
          "--=x",
          "---region",
          "--region==us-east-1",
          "-o@x",
          "--endpoint=http://[::1]:9",
          "--format=json",
          "--timeout=PT1S",
          "1.5",
          "-1",
          "+1",
          "--output=a b",
          "us-gov-west-1",
          "--region=us-gov-west-1",
          "aws",
          "--min-validity=0s",
          "0",
          "00",
          "--profile-name=DEFAULT",
          "--source=container",
          "--endpoint-mode=IPv6",
          "\u2014region",
          "\uff0dv",
          "--region\u0000",
          "us-east-1\u0000",
          "--role=\u00e9");

  @Test
  void fastPathNeverDisagrees() {
    List<String> diffs = new ArrayList<>();
    int taken = 0;
    Random rnd = new Random(42);
    List<String[]> vectors = new ArrayList<>();
    for (String a : TOKENS) {
      vectors.add(new String[] {a});
      for (String b : TOKENS) {
        vectors.add(new String[] {a, b});
      }
    }
    for (int n = 0; n < 4000; n++) {
      int len = 3 + rnd.nextInt(3);
      String[] v = new String[len];
      for (int i = 0; i < len; i++) {
        v[i] = TOKENS.get(rnd.nextInt(TOKENS.size()));
      }
      if (rnd.nextBoolean()) {
        v[0] = "exec";
      }
      vectors.add(v);
    }
    for (String[] v : vectors) {
      Request fast;
      try {
        fast = Cli.fastPath(v);
      } catch (RuntimeException e) {
        diffs.add("THROWS " + e + ": " + show(v));
        continue;
      }
      if (fast == null) {
        continue;
      }
      taken++;
      Request slow = FastPathTest.viaPicocli(v);
      if (!fast.equals(slow)) {
        diffs.add(show(v) + "\n   fast=" + fast + "\n   pico=" + slow);
      }
    }
    // the comparison means something only where the fast path takes many vectors
    assertTrue(taken > 1000, "the fast path took only " + taken + " of " + vectors.size());
    assertTrue(
        diffs.isEmpty(),
        diffs.size() + " disagreements; first: " + (diffs.isEmpty() ? "" : diffs.get(0)));
  }

  static String show(String[] v) {
    StringBuilder b = new StringBuilder();
    for (String s : v) {
      b.append('[').append(s).append("] ");
    }
    return b.toString();
  }
}
