package io.github.imdsenv.imds;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.Run;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An IPv6 endpoint (as --endpoint-mode IPv6's [fd00:ec2::254]), here on the IPv6 loopback [::1].
 */
class Ipv6EndpointTest {

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(Fixtures.wireMock("::1")).build();

  @Test
  void bracketedIpv6Endpoint_fromTheEnvironment_works() {
    Fixtures.healthy(wm);
    String endpoint = "http://[::1]:" + wm.getPort();
    Run r =
        Run.cli(
                new HashMap<>(Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint + "/")),
                "--region")
            .assertSuccess();
    assertTrue(
        r.out().contains("export AWS_SESSION_TOKEN='" + Fixtures.SESSION_TOKEN + "'"), r.out());
    wm.verify(
        exactly(1),
        putRequestedFor(urlEqualTo(Fixtures.TOKEN_PATH))
            .withHeader("Host", equalTo("[::1]:" + wm.getPort())));
  }
}
