package io.github.imdsenv.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Run;
import io.github.imdsenv.sim.ImdsSimulator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 22: doctor judges with the requests the export makes, so the two agree: the export succeeds
 * exactly when doctor reports no FAIL, and a failure ends both with the same exit code (but for the
 * region, where doctor's verdict is its own: 5, "--region cannot be used"). The export compared is
 * the one that asks everything doctor checks: {@code --region}. Over every mode of the simulator,
 * with IMDSv1 fallback allowed and not, and over emulators scripted in WireMock.
 */
class DoctorAgreesWithExportTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @BeforeAll
  static void warmUp() {
    Fixtures.warmUp(wm);
  }

  /** Long enough that a loaded machine's slow answer is not a hop limit of 1. */
  private static final String TIMEOUT = "1500ms";

  private static void assertAgree(String endpoint, List<String> client, String what) {
    List<String> args = new ArrayList<>(List.of("--endpoint", endpoint, "--timeout", TIMEOUT));
    args.addAll(client);
    List<String> exportArgs = new ArrayList<>(args);
    exportArgs.add("--region");
    Run export = Run.cli(new HashMap<>(), exportArgs.toArray(String[]::new));
    args.add(0, "doctor");
    Run doctor = Run.cli(new HashMap<>(), args.toArray(String[]::new));
    Optional<String> fail = doctor.out().lines().filter(l -> l.startsWith("FAIL")).findFirst();
    String both =
        what
            + " "
            + client
            + "\nexport: exit "
            + export.exit()
            + " "
            + export.err()
            + "\ndoctor:\n"
            + doctor.out();
    assertEquals(export.exit() == 0, fail.isEmpty(), both);
    assertEquals(export.exit() == 0, doctor.exit() == 0, both);
    if (fail.isPresent() && !fail.get().startsWith("FAIL  region")) {
      assertEquals(export.exit(), doctor.exit(), both);
    }
    assertTrue(
        doctor
            .out()
            .endsWith(
                " FAIL: "
                    + (fail.isEmpty()
                        ? "imds-env can export credentials here\n"
                        : "see the FAIL lines above for the fix\n")),
        both);
  }

  static Stream<Arguments> simulatorModes() {
    List<List<String>> modes =
        List.of(
            List.of(),
            List.of("--require-token"),
            List.of("--hop-limit-1"),
            List.of("--hop-limit-1", "--require-token"),
            List.of("--no-role"),
            List.of("--no-role", "--require-token"),
            List.of("--no-role", "--hop-limit-1"),
            List.of("--ttl", "10m"),
            List.of("--ttl", "0s"),
            List.of("--ttl", "0s", "--require-token"),
            List.of("--region", ""),
            List.of("--role", "not a role"),
            List.of("--rotate", "1s", "--require-token"));
    List<List<String>> clients = List.of(List.of(), List.of("--no-imdsv1"));
    List<Arguments> all = new ArrayList<>();
    for (List<String> mode : modes) {
      for (List<String> client : clients) {
        all.add(Arguments.of(mode, client));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "simulator {0}, imds-env {1}")
  @MethodSource("simulatorModes")
  void overEveryModeOfTheSimulator(List<String> mode, List<String> client) throws Exception {
    List<String> args = new ArrayList<>(List.of("--quiet"));
    args.addAll(mode);
    HttpServer sim = ImdsSimulator.start(args.toArray(String[]::new));
    try {
      assertAgree("http://127.0.0.1:" + sim.getAddress().getPort(), client, "simulator " + mode);
    } finally {
      sim.stop(0);
    }
  }

  /** Small emulators and odd services, scripted: what each answers. */
  enum Emulator {
    /** The issue's: no token (403), no /latest/meta-data/ (404), the export's paths served. */
    TOKEN_403_METADATA_ROOT_404 {
      @Override
      void script() {
        Fixtures.healthy(wm);
        wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(403)));
        wm.stubFor(get(urlEqualTo("/latest/meta-data/")).willReturn(Fixtures.status(404)));
      }
    },
    NO_TOKEN_ROUTE_404 {
      @Override
      void script() {
        Fixtures.healthy(wm);
        wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(404)));
      }
    },
    TOKEN_METHOD_405_NO_EXTENDED_PATH {
      @Override
      void script() {
        Fixtures.healthy(wm);
        wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(405)));
        wm.stubFor(
            get(urlEqualTo(Fixtures.EXTENDED + Fixtures.ROLE)).willReturn(Fixtures.status(404)));
      }
    },
    NO_REGION {
      @Override
      void script() {
        Fixtures.healthy(wm);
        wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(403)));
        wm.stubFor(get(urlEqualTo(Fixtures.REGION)).willReturn(Fixtures.status(404)));
      }
    },
    TOKEN_403_AND_IMDSV1_OFF {
      @Override
      void script() {
        Fixtures.healthy(wm);
        wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(403)));
        Fixtures.imdsV1Off(wm);
      }
    },
    IMDSV2_ONLY {
      @Override
      void script() {
        Fixtures.healthy(wm);
        Fixtures.imdsV1Off(wm);
      }
    },
    TOKEN_FAILING_500 {
      @Override
      void script() {
        Fixtures.healthy(wm);
        wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(500)));
      }
    },
    TOKEN_EMPTY {
      @Override
      void script() {
        Fixtures.healthy(wm);
        wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(ok("")));
      }
    },
    ROLE_LIST_403_WITHOUT_TOKEN {
      @Override
      void script() {
        Fixtures.healthy(wm);
        wm.stubFor(put(urlEqualTo(Fixtures.TOKEN_PATH)).willReturn(Fixtures.status(404)));
        wm.stubFor(
            get(urlEqualTo(Fixtures.ROLES))
                .withHeader("X-aws-ec2-metadata-token", absent())
                .willReturn(Fixtures.status(403)));
      }
    };

    abstract void script();
  }

  @ParameterizedTest
  @EnumSource(Emulator.class)
  void overScriptedEmulators(Emulator emulator) {
    for (List<String> client : List.of(List.<String>of(), List.of("--no-imdsv1"))) {
      wm.resetAll();
      emulator.script();
      assertAgree(Fixtures.endpoint(wm), client, emulator.name());
    }
  }
}
