package io.github.imdsenv.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Fixtures;
import io.github.imdsenv.ImdsStub;
import io.github.imdsenv.Run;
import io.github.imdsenv.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --region} as the AWS CLI users know it: {@code --region us-east-1} or {@code
 * --region=us-east-1} sets AWS_REGION and AWS_DEFAULT_REGION to it without asking the service; a
 * bare {@code --region} reads the instance's; a word that is no region name is not its value.
 */
class RegionOptionTest {

  @RegisterExtension static ImdsStub wm = Fixtures.imds();

  @BeforeAll
  static void warmUp() {
    Fixtures.warmUp(wm);
  }

  private static String regionLines(String region) {
    return "export AWS_REGION='" + region + "'\nexport AWS_DEFAULT_REGION='" + region + "'\n";
  }

  @ParameterizedTest
  @ValueSource(strings = {"--region us-east-1", "--region=us-east-1", "-f env --region us-east-1"})
  void aRegionGiven_isExported_andPlacementRegionIsNotAsked(String line) {
    Fixtures.healthy(wm);
    Run r = Run.against(Fixtures.endpoint(wm), line.split(" ")).assertSuccess();
    assertTrue(r.out().endsWith(regionLines("us-east-1")), r.out());
    wm.verify(0, getRequestedFor(urlEqualTo(Fixtures.REGION)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--region", "--region -f env", "--region us-west-2 --region"})
  void bareRegion_readsPlacementRegion(String line) {
    Fixtures.healthy(wm);
    Run r = Run.against(Fixtures.endpoint(wm), line.split(" ")).assertSuccess();
    assertTrue(r.out().endsWith(regionLines("eu-central-2")), r.out());
    wm.verify(1, getRequestedFor(urlEqualTo(Fixtures.REGION)));
  }

  @Test
  void aRegionGiven_beatsTheContainersAwsRegion() {
    wm.stubFor(
        com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/creds"))
            .willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.ok(Fixtures.credentialsJson())));
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                Fixtures.endpoint(wm) + "/creds",
                "AWS_REGION",
                "eu-west-3"));
    assertTrue(
        Run.cli(env, "--region", "ap-southeast-7")
            .assertSuccess()
            .out()
            .endsWith(regionLines("ap-southeast-7")));
    assertTrue(Run.cli(env, "--region").assertSuccess().out().endsWith(regionLines("eu-west-3")));
  }

  /**
   * The cron line with --min-validity: a file still fresh but written for another region is written
   * again, for this one; then it is fresh and left alone.
   */
  @Test
  void minValidity_aFreshFileOfAnotherRegion_isWrittenAgain(@TempDir Path dir) throws Exception {
    Fixtures.healthy(wm);
    Path file = dir.resolve("aws.env");
    String endpoint = Fixtures.endpoint(wm);
    String[] cron = {"-o", file.toString(), "--min-validity", "15m", "--region"};
    Run.against(endpoint, concat(cron, "us-east-1")).assertSuccess();
    assertTrue(Files.readString(file).endsWith(regionLines("us-east-1")));
    // every request to the endpoint (token, role, credentials, on whichever path answers)
    int fetches = wm.getAllServeEvents().size();
    Run.against(endpoint, concat(cron, "us-east-1")).assertSuccess();
    assertEquals(fetches, wm.getAllServeEvents().size(), "fresh, same region: no fetch");
    Run.against(endpoint, concat(cron, "eu-west-1")).assertSuccess();
    assertTrue(Files.readString(file).endsWith(regionLines("eu-west-1")));
    assertTrue(wm.getAllServeEvents().size() > fetches, "another region: fetched again");
  }

  private static String[] concat(String[] a, String last) {
    String[] all = java.util.Arrays.copyOf(a, a.length + 1);
    all[a.length] = last;
    return all;
  }

  @Test
  void docker_args_namesTheRegionVariables_eitherWay() {
    assertEquals(
        Run.cli(new HashMap<>(), "-f", "docker-args", "--region").assertSuccess().out(),
        Run.cli(new HashMap<>(), "-f", "docker-args", "--region", "us-east-1")
            .assertSuccess()
            .out());
  }

  @Test
  void aWordThatIsNoRegionName_afterBareRegion_isSaidToBeNone() {
    Run.cli(new HashMap<>(), "--region", "us-east1")
        .assertFailure(
            2,
            "imds-env: --region: 'us-east1' is not a region name (such as us-east-1 or"
                + " us-gov-west-1) (see 'imds-env --help')");
    Run.cli(new HashMap<>(), "--region=docker")
        .assertFailure(
            2,
            "imds-env: Invalid value for option '--region': 'docker' is not a region name (such as"
                + " us-east-1 or us-gov-west-1) (see 'imds-env --help')");
    Run.cli(new HashMap<>(), "--region=").assertFailure(2, "'' is not a region name");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "us-east-1",
        "us-west-2",
        "af-south-1",
        "ap-southeast-7",
        "ca-west-1",
        "il-central-1",
        "mx-central-1",
        "me-central-1",
        "sa-east-1",
        "cn-north-1",
        "cn-northwest-1",
        "us-gov-west-1",
        "us-gov-east-1",
        "us-iso-east-1",
        "us-iso-west-1",
        "us-isob-east-1",
        "eu-isoe-west-1",
        "us-isof-south-1",
        "eusc-de-east-1",
        "eu-central-2"
      })
  void theRegionsOfEveryPartition_areRegionNames(String name) {
    assertTrue(Settings.validRegionName(name), name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "us-east1",
        "US-EAST-1",
        "us_east_1",
        "us-east-1a",
        "us-east-",
        "-us-east-1",
        "u-east-1",
        "abcde-east-1",
        "us--east-1",
        "us-east-1 ",
        " us-east-1",
        "aws-global",
        "us-east-x",
        "us-1",
        "docker",
        "doctor",
        "exec",
        "--",
        "-f",
        "us-east-1\n",
        "é-east-1",
        "useast-1"
      })
  void otherWords_areNot(String word) {
    assertFalse(Settings.validRegionName(word), word);
    assertFalse(Settings.validRegionName("us-" + "e".repeat(60) + "-1"), "over 64 characters");
  }
}
