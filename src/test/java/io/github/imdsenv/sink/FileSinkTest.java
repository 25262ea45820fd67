package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.imdsenv.Clock;
import io.github.imdsenv.ImdsEnvException;
import io.github.imdsenv.Log;
import io.github.imdsenv.credentials.Credentials;
import io.github.imdsenv.format.Format;
import io.github.imdsenv.format.Variables;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FileSink}, the {@code -o FILE} entry, without the CLI: what it reads before it calls for
 * the content, what it leaves alone, how it merges a profile, and the time it gives the fetch.
 */
class FileSinkTest {

  @TempDir Path dir;

  private final List<String> warnings = new ArrayList<>();

  /** Credentials of this key expiring {@code in} from now, to the second (as formats write it). */
  private static Variables credentials(String key, Duration in) {
    Instant expires = Instant.now().plus(in).truncatedTo(ChronoUnit.SECONDS);
    return Variables.of(
        new Credentials(key, "secret", "token", expires, null, null), null, Variables.Extras.NONE);
  }

  private static final Variables FETCHED = credentials("ASIANEW", Duration.ofHours(1));

  /** Renders {@link #FETCHED}; counts its calls and keeps the time it was given. */
  private static final class Recorder implements FileSink.Content {
    private final Format format;
    private final String profile;
    int calls;
    Duration left;

    Recorder(Format format, String profile) {
      this.format = format;
      this.profile = profile;
    }

    @Override
    public Variables names() {
      return Variables.namesOnly(Variables.Extras.NONE);
    }

    @Override
    public String render(Duration left) {
      calls++;
      this.left = left;
      return format.render(FETCHED, profile);
    }
  }

  private void write(
      Path file, Format format, String profile, Duration minValidity, FileSink.Content content) {
    write(file, format, profile, minValidity, content, Clock.SYSTEM);
  }

  private void write(
      Path file,
      Format format,
      String profile,
      Duration minValidity,
      FileSink.Content content,
      Clock clock) {
    FileSink.write(
        file,
        format,
        profile,
        null,
        minValidity,
        Duration.ofSeconds(5),
        warnings::add,
        Log.create(false),
        content,
        clock);
  }

  @Test
  void credentialsValidLongerThanMinValidity_areLeftAlone_withoutAFetch() throws IOException {
    Path file = dir.resolve("aws.env");
    byte[] before =
        Format.ENV
            .render(credentials("ASIAOLD", Duration.ofMinutes(50)))
            .getBytes(StandardCharsets.UTF_8);
    Files.write(file, before);
    Recorder content = new Recorder(Format.ENV, "default");
    write(file, Format.ENV, "default", Duration.ofMinutes(15), content);
    assertEquals(0, content.calls, "fetched for a file still fresh");
    assertArrayEquals(before, Files.readAllBytes(file));
    // asked for more than it holds: fetched and replaced
    write(file, Format.ENV, "default", Duration.ofHours(2), content);
    assertEquals(1, content.calls);
    assertEquals(Format.ENV.render(FETCHED), Files.readString(file));
  }

  /** The time of day the freshness tests run at; nothing waits. */
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  private static final Clock AT_NOW =
      new Clock() {
        @Override
        public long nanoTime() {
          return 0;
        }

        @Override
        public void sleep(long millis) {
          throw new AssertionError("waited for a lock no one holds");
        }

        @Override
        public Instant now() {
          return NOW;
        }
      };

  private static String rendered(Format format, String profile, String key, Duration in) {
    return format.render(
        Variables.of(
            new Credentials(key, "secret", "token", NOW.plus(in), null, null),
            null,
            Variables.Extras.NONE),
        profile);
  }

  private void writeAtNow(
      Path file, Format format, String profile, Duration minValidity, FileSink.Content content) {
    write(file, format, profile, minValidity, content, AT_NOW);
  }

  /**
   * --min-validity D leaves FILE alone only while what it holds stays valid for longer than D (at D
   * exactly it is fetched again), and believes no expiry further off than any metadata credential
   * lives (12 h): such a file is written again.
   */
  @ParameterizedTest
  @CsvSource({
    // expires in, --min-validity, left alone
    "PT50M,    PT15M, true",
    "PT15M1S,  PT15M, true",
    "PT15M,    PT15M, false",
    "PT14M59S, PT15M, false",
    "-PT1M,    PT15M, false",
    "PT12H,    PT15M, true",
    "PT12H1S,  PT15M, false",
    "PT13H,    PT15M, false",
    "PT12H,    PT12H, false",
  })
  void minValidity_leavesTheFileAlone_onlyWhileItIsValidForLonger(
      Duration expiresIn, Duration minValidity, boolean leftAlone) throws IOException {
    Path file = dir.resolve("aws.env");
    String before = rendered(Format.ENV, "default", "ASIAOLD", expiresIn);
    Files.writeString(file, before);
    Recorder content = new Recorder(Format.ENV, "default");
    writeAtNow(file, Format.ENV, "default", minValidity, content);
    assertEquals(leftAlone ? 0 : 1, content.calls);
    assertEquals(leftAlone ? before : Format.ENV.render(FETCHED), Files.readString(file));
  }

  /** For ini, the expiry is the profile's own: another profile's fresh credentials do not count. */
  @Test
  void iniMinValidity_readsTheProfilesOwnSection() throws IOException {
    Path file = dir.resolve("credentials");
    String before =
        rendered(Format.INI, "prod", "ASIAPROD", Duration.ofMinutes(50))
            + "\n"
            + rendered(Format.INI, "stale", "ASIASTALE", Duration.ofMinutes(5));
    Files.writeString(file, before);
    Recorder prod = new Recorder(Format.INI, "prod");
    writeAtNow(file, Format.INI, "prod", Duration.ofMinutes(15), prod);
    assertEquals(0, prod.calls, "fetched for a profile still fresh");
    assertEquals(before, Files.readString(file));
    for (String profile : List.of("stale", "absent")) {
      Recorder other = new Recorder(Format.INI, profile);
      writeAtNow(file, Format.INI, profile, Duration.ofMinutes(15), other);
      assertEquals(1, other.calls, profile);
      assertTrue(Files.readString(file).contains(Format.INI.render(FETCHED, profile)), profile);
    }
    assertTrue(
        Files.readString(file)
            .startsWith(rendered(Format.INI, "prod", "ASIAPROD", Duration.ofMinutes(50))));
  }

  @Test
  void iniProfile_isMergedIntoACredentialsFile_everyOtherByteKept() throws IOException {
    Path file = dir.resolve("credentials");
    String before =
        "# mine\r\n[default]\r\naws_access_key_id = OLD\r\n\r\n[prod]\r\naws_access_key_id = P\r\n";
    Files.writeString(file, before);
    Recorder content = new Recorder(Format.INI, "default");
    write(file, Format.INI, "default", null, content);
    assertEquals(1, content.calls);
    String section = Format.INI.render(FETCHED, "default");
    String body = section.substring(section.indexOf('\n') + 1).replace("\n", "\r\n");
    assertEquals(
        "# mine\r\n[default]\r\n" + body + "\r\n[prod]\r\naws_access_key_id = P\r\n",
        Files.readString(file));
    // a profile not there yet is appended
    Recorder other = new Recorder(Format.INI, "ci");
    write(file, Format.INI, "ci", null, other);
    assertTrue(
        Files.readString(file)
            .endsWith(
                "aws_access_key_id = P\r\n\r\n"
                    + Format.INI.render(FETCHED, "ci").replace("\n", "\r\n")),
        Files.readString(file));
  }

  @Test
  void profileThatAppearsTwice_isRefusedBeforeAnyFetch_theFileLeftAsItWas() throws IOException {
    Path file = dir.resolve("credentials");
    String before = "[default]\nk = 1\n[other]\nk = 2\n[default]\nk = 3\n";
    Files.writeString(file, before);
    Recorder content = new Recorder(Format.INI, "default");
    ImdsEnvException e =
        assertThrows(
            ImdsEnvException.class,
            () -> write(file, Format.INI, "default", Duration.ofMinutes(15), content));
    assertEquals(ImdsEnvException.Reason.OUTPUT, e.reason());
    assertEquals(
        "cannot write "
            + file
            + ": the profile [default] appears twice (lines 1 and 5), which botocore refuses too:"
            + " remove one by hand; the file was left as it was",
        e.getMessage());
    assertEquals(0, content.calls, "fetched before the file was found unfit");
    assertEquals(before, Files.readString(file));
  }

  @Test
  void fileOfAnotherFormat_isRefusedBeforeAnyFetch_theFileLeftAsItWas() throws IOException {
    Path file = dir.resolve("credentials");
    String before = "[default]\naws_access_key_id = A\n";
    Files.writeString(file, before);
    Recorder content = new Recorder(Format.ENV, "default");
    ImdsEnvException e =
        assertThrows(
            ImdsEnvException.class, () -> write(file, Format.ENV, "default", null, content));
    assertEquals(ImdsEnvException.Reason.OUTPUT, e.reason());
    assertEquals(FileKind.mismatch(file, Format.ENV, before.getBytes()), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + " holds ini profiles ([default])"), e.getMessage());
    assertEquals(0, content.calls);
    assertEquals(before, Files.readString(file));
  }

  @Test
  void theWaitForTheLock_isTakenFromTheTimeTheFetchIsGiven() throws IOException {
    Path file = dir.resolve("aws.env");
    try (FileChannel holder =
        FileChannel.open(
            dir.resolve("aws.env.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock held = holder.lock();
      // time passes only in sleep; the lock is let go in the fifth poll's sleep
      Clock clock =
          new Clock() {
            long now = 1_000_000_000L;
            int sleeps;

            @Override
            public long nanoTime() {
              return now;
            }

            @Override
            public void sleep(long millis) throws InterruptedException {
              now += millis * 1_000_000;
              if (++sleeps == 5) {
                try {
                  held.release();
                } catch (IOException e) {
                  throw new AssertionError(e);
                }
              }
            }
          };
      Recorder content = new Recorder(Format.ENV, "default");
      FileSink.write(
          file,
          Format.ENV,
          "default",
          null,
          null,
          Duration.ofSeconds(5),
          warnings::add,
          Log.create(false),
          content,
          clock);
      assertEquals(Duration.ofSeconds(5).minusMillis(5 * LockFile.POLL_MILLIS), content.left);
      assertEquals(Format.ENV.render(FETCHED), Files.readString(file));
    }
    assertEquals(List.of(), warnings);
  }
}
