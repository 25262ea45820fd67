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
    FileSink.write(
        file,
        format,
        profile,
        null,
        minValidity,
        Duration.ofSeconds(5),
        warnings::add,
        Log.create(false),
        content);
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
