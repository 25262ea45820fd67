package io.github.imdsenv.format;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** {@link SecretText}: a failure names the line and its variable, never a value. */
class SecretTextTest {

  private static String failure(String expected, String actual) {
    return assertThrows(
            AssertionFailedError.class, () -> SecretText.assertSame(expected, actual, "env"))
        .getMessage();
  }

  @Test
  void aDifferingLine_isNamedByItsVariable_withoutEitherValue() {
    String expected = "export AWS_ACCESS_KEY_ID='A'\nexport AWS_SESSION_TOKEN='tok-one'\n";
    String actual = "export AWS_ACCESS_KEY_ID='A'\nexport AWS_SESSION_TOKEN='tok-two'\n";
    String m = failure(expected, actual);
    assertEquals("env differs at line 2 (AWS_SESSION_TOKEN); 3 lines expected, 3 given", cut(m));
    assertTrue(!m.contains("tok-"), "a value is shown");
    assertDoesNotThrow(() -> SecretText.assertSame(expected, expected, "env"));
  }

  @Test
  void eachFormatsSpelling_isFound_theEarliestAndLongestName() {
    assertEquals("at line 1 (SessionToken)", at(failure("  \"SessionToken\" : \"a\"", "x")));
    assertEquals("at line 1 (AWS_SESSION_TOKEN)", at(failure("aws_session_token = a", "x")));
    assertEquals(
        "at line 1 (AWS_SECURITY_TOKEN)", at(failure("set -gx AWS_SECURITY_TOKEN 'a'", "x")));
    assertEquals("at line 1 (no variable named on it)", at(failure("line2; rm", "x")));
    // a line only the given text has
    assertEquals("at line 2 (AWS_REGION)", at(failure("A\n", "A\nAWS_REGION=x")));
  }

  private static String at(String message) {
    return message.substring(message.indexOf("at line"), message.indexOf(';'));
  }

  private static String cut(String message) {
    return message.substring(0, message.indexOf(" (values not shown)"));
  }
}
