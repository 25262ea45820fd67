package io.github.imdsenv.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.imdsenv.format.Format;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What FileKind makes of files OutputKindTest's table does not hold. */
class FileKindTest {

  private static Format of(String content) {
    return FileKind.of(content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aByteOrderMark_isNotPartOfTheFirstLine() {
    assertEquals(Format.INI, of("\uFEFF[default]\naws_access_key_id = A\n"));
    assertEquals(Format.ENV_NO_EXPORT, of("\uFEFFAWS_ACCESS_KEY_ID=A\n"));
  }

  @Test
  void aProfileOnAnyLine_makesACredentialsFile() {
    assertEquals(Format.INI, of("A=1\n[prod]\naws_access_key_id = B\n"));
    assertEquals(Format.INI, of("export A='1'\n\n[prod]\n"));
  }

  @Test
  void textNoFormatWrites_isNone() {
    assertNull(of("hello\nworld\n"));
    assertNull(of("\uFEFF"));
  }
}
