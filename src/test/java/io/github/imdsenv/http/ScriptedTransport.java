package io.github.imdsenv.http;

import io.github.imdsenv.FakeClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory network for the protocol tests: a queue of expected requests, each with its answer
 * (a response, an I/O error, or none at all) and how long it takes on a {@link FakeClock}; records
 * what was sent. An answer that would come after the exchange's deadline is a {@link
 * SocketTimeoutException} at the deadline, as on a socket. A request out of the script's order, or
 * one more than it holds, fails the test.
 *
 * <pre>
 * transport.on("PUT", TOKEN).answer(200, "token");
 * transport.on("GET", ROLES).times(2).answer(503);
 * transport.on("GET", ROLES).after(Duration.ofMillis(300)).answer(200, "role");
 * </pre>
 */
public final class ScriptedTransport implements Transport {

  /** A request as it was sent, with the time its exchange was given. */
  public record Sent(URI base, String method, String path, String headers, Duration timeLeft) {
    /** The value of header {@code name}, or null when the request had none. */
    public String header(String name) {
      for (String line : headers.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /** One expected request and its answer; enqueued by its answer. */
  public final class Step {
    private final String method;
    private final String path;
    private int times = 1;
    private long delayNanos;
    private int status;
    private byte[] body;
    private Exception failure;
    private boolean stall;

    private Step(String method, String path) {
      this.method = method;
      this.path = path;
    }

    /** This request, {@code n} times in a row. */
    public Step times(int n) {
      times = n;
      return this;
    }

    /** The answer takes {@code d}: past the deadline, it is a timeout at the deadline. */
    public Step after(Duration d) {
      delayNanos = d.toNanos();
      return this;
    }

    public ScriptedTransport answer(int status) {
      return answer(status, new byte[0]);
    }

    public ScriptedTransport answer(int status, String body) {
      return answer(status, body.getBytes(StandardCharsets.UTF_8));
    }

    public ScriptedTransport answer(int status, byte[] body) {
      this.status = status;
      this.body = body;
      return enqueue();
    }

    /** The exchange throws {@code e}: an IOException, or what HttpLink throws (BAD_RESPONSE). */
    public ScriptedTransport fail(Exception e) {
      this.failure = e;
      return enqueue();
    }

    /** No answer at all: the exchange waits out its deadline. */
    public ScriptedTransport stall() {
      this.stall = true;
      return enqueue();
    }

    private ScriptedTransport enqueue() {
      for (int i = 0; i < times; i++) {
        script.add(this);
      }
      return ScriptedTransport.this;
    }
  }

  private final FakeClock clock;
  private final Deque<Step> script = new ArrayDeque<>();
  private final List<Sent> sent = new ArrayList<>();
  private final Map<String, InetAddress[]> names = new HashMap<>();
  private final List<Duration> resolutions = new ArrayList<>();

  public ScriptedTransport(FakeClock clock) {
    this.clock = clock;
  }

  /** Expects {@code method path} next (after what is scripted already). */
  public Step on(String method, String path) {
    return new Step(method, path);
  }

  /** {@code host} resolves to these addresses (IP literals); a name not given does not resolve. */
  public ScriptedTransport name(String host, String... addresses) {
    InetAddress[] all = new InetAddress[addresses.length];
    for (int i = 0; i < addresses.length; i++) {
      try {
        all[i] = InetAddress.getByName(addresses[i]);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP literal: " + addresses[i], e);
      }
    }
    names.put(host, all);
    return this;
  }

  /** The time each name resolution was given, in order. */
  public List<Duration> resolutions() {
    return resolutions;
  }

  /** Every request sent, in order. */
  public List<Sent> sent() {
    return sent;
  }

  /** The requests sent, as "METHOD path". */
  public List<String> requests() {
    List<String> all = new ArrayList<>();
    for (Sent s : sent) {
      all.add(s.toString());
    }
    return all;
  }

  /** What the script still expects: nothing, once a test got all it scripted. */
  public List<String> unsent() {
    List<String> all = new ArrayList<>();
    for (Step s : script) {
      all.add(s.method + " " + s.path);
    }
    return all;
  }

  @Override
  public Response exchange(URI base, String method, String path, String headers, long deadlineNanos)
      throws IOException {
    Step step = script.poll();
    String request = method + " " + path;
    if (step == null) {
      throw new AssertionError("unscripted request " + request + " after " + sent);
    }
    if (!(step.method + " " + step.path).equals(request)) {
      throw new AssertionError(
          "expected " + step.method + " " + step.path + ", got " + request + " after " + sent);
    }
    long now = clock.nanoTime();
    sent.add(new Sent(base, method, path, headers, Duration.ofNanos(deadlineNanos - now)));
    if (step.stall || now + step.delayNanos >= deadlineNanos) {
      clock.advanceTo(deadlineNanos);
      throw new SocketTimeoutException("Read timed out");
    }
    clock.advance(Duration.ofNanos(step.delayNanos));
    if (step.failure instanceof IOException e) {
      throw e;
    }
    if (step.failure instanceof RuntimeException e) {
      throw e;
    }
    return new Response(step.status, step.body);
  }

  @Override
  public InetAddress[] resolve(String host, long deadlineNanos) throws IOException {
    resolutions.add(Duration.ofNanos(deadlineNanos - clock.nanoTime()));
    InetAddress[] all = names.get(host);
    if (all != null) {
      return all;
    }
    if (host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
      return new InetAddress[] {InetAddress.getByName(host)}; // a literal: parsed, not looked up
    }
    throw new UnknownHostException(host + ": not a name this script resolves");
  }
}
