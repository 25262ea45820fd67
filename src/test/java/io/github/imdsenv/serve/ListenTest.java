package io.github.imdsenv.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ListenTest {

  @ParameterizedTest
  @CsvSource({
    "169.254.170.2:80, 169.254.170.2:80",
    "127.0.0.1:0, 127.0.0.1:0",
    "localhost:8080, 127.0.0.1:8080",
    "[::1]:9000, [0:0:0:0:0:0:0:1]:9000",
    "[fd00:ec2::23]:80, [fd00:ec2:0:0:0:0:0:23]:80"
  })
  void parse_literals(String text, String authority) {
    assertEquals(authority, Listen.parse(text).authority());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "example.com:80|HOST must be an IP address (IPv6 in brackets) or localhost, not a name",
        "::1:80|an IPv6 address goes in brackets",
        "1.2.3:80|HOST must be an IP address",
        "256.1.1.1:80|HOST must be an IP address",
        "127.0.0.1|not HOST:PORT",
        "127.0.0.1:|not HOST:PORT",
        ":80|not HOST:PORT",
        "127.0.0.1:65536|the port is not a number from 0 to 65535",
        "127.0.0.1:-1|the port is not a number",
        "127.0.0.1:8o|the port is not a number",
        "[example.com]:80|HOST must be an IP address"
      })
  void parse_refused(String text, String why) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Listen.parse(text));
    assertTrue(e.getMessage().startsWith("--listen '" + text + "': "), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"169.254.170.2:80", "169.254.170.2:8080"})
  void ecsAddress_anyPort(String text) {
    assertTrue(Listen.parse(text).ecsAddress());
  }
}
