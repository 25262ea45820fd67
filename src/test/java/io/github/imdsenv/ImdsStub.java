package io.github.imdsenv;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.junit.DslWrapper;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tests' IMDS stand-in: one WireMock server on 127.0.0.1 for the whole test JVM, started when
 * the first test class asks for it and reset (stubs and the request log) before each test, as
 * WireMockExtension resets its own; the same DSL ({@code stubFor}, {@code verify}, ...).
 *
 * <p>One server, not one a class: WireMockExtension starts and stops Jetty around every test class,
 * and PIT runs each test on its own, so each of its tens of thousands of test runs paid a Jetty
 * start and stop. The JVM's exit stops this one.
 */
public final class ImdsStub extends DslWrapper implements BeforeEachCallback {

  private static WireMockServer server;

  ImdsStub() {
    WireMockServer s = server();
    admin = s;
    stubbing = s;
  }

  private static synchronized WireMockServer server() {
    if (server == null) {
      server = new WireMockServer(Fixtures.wireMock("127.0.0.1"));
      server.start();
    }
    return server;
  }

  public int getPort() {
    return server().port();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    resetAll();
  }
}
