package dev.trunkline.contract.testing;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.numbered;
import static dev.trunkline.contract.testing.SecretAssertions.redact;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The secret scan passes clean text, catches a leak, and says where and which without ever printing the value.
 * The absence of a value from a message is checked first and by position (an {@code indexOf} of -1, which prints
 * only a number), the message's wording after that: a broken scan fails on the position before any assertion can
 * print the message with the value in it.
 */
class SecretAssertionsTest {
  private static final String TOKEN = "tok_9f2c7e4a1b8d3f6e";
  private static final String PASSWORD = "Pw-x7Kq2mZr9";
  private static final String FAR_AWAY = "FAR-AWAY-CONTEXT-MARKER";

  @Test
  void cleanTextPasses() {
    assertThatCode(() -> assertNoSecrets("a clean log", "GET /health 200 in 3 ms\nrid=r-1 tenant=t-1",
        Map.of("token", TOKEN, "password", PASSWORD))).doesNotThrowAnyException();
    assertThatCode(() -> assertNoSecret("an empty reply", "", "token", TOKEN)).doesNotThrowAnyException();
    assertThatCode(() -> assertNoSecrets("log lines", List.of("one", "two"), secrets("token", TOKEN)))
        .doesNotThrowAnyException();
    assertThatCode(() -> assertNoSecrets("no log lines", List.of(), secrets("token", TOKEN)))
        .doesNotThrowAnyException();
  }

  @Test
  void aLeakFailsNamingWhereAndWhichButNeverTheValueOrTheText() {
    String text = FAR_AWAY + " ".repeat(200) + "\nline two\nconnecting with Authorization: Bearer " + TOKEN
        + " to upstream\n" + " ".repeat(200) + FAR_AWAY;
    AssertionError error = catchThrowableOfType(AssertionError.class,
        () -> assertNoSecrets("the reply to PUT /twilio", text, secrets("twilio auth token", TOKEN)));

    String message = error.getMessage();
    assertThat(message.indexOf(TOKEN)).as("the token's position in the message (-1: absent)").isEqualTo(-1);
    assertThat(message.indexOf(FAR_AWAY)).as("text far from the leak in the message (-1: absent)").isEqualTo(-1);
    assertThat(message).startsWith("the reply to PUT /twilio contains a secret:");
    assertThat(message).contains("secret 'twilio auth token' at line 3, column 39 (offset");
    assertThat(message).contains("\"...thorization: Bearer [REDACTED:twilio auth token] to upstream\"");
    assertThat(error.getCause()).isNull();
  }

  @Test
  void everyLeakedSecretIsNamedWithItsOccurrencesAndNoPieceOfOneShows() {
    String overlapping = TOKEN.substring(10) + "-tail";
    String text = "a=" + PASSWORD + " b=" + TOKEN + "-tail c=" + PASSWORD;
    AssertionError error = catchThrowableOfType(AssertionError.class, () -> assertNoSecrets("a log line", text,
        secrets("token", TOKEN, "password", PASSWORD, "overlapping", overlapping)));

    String message = error.getMessage();
    for (String value : List.of(TOKEN, PASSWORD, overlapping, TOKEN.substring(0, 10), TOKEN.substring(10))) {
      assertThat(message.indexOf(value)).as("a secret or a piece of one in the message (-1: absent)")
          .isEqualTo(-1);
    }
    assertThat(message).startsWith("a log line contains 3 secrets:");
    assertThat(message).contains("secret 'password' at line 1, column 3 (offset 2), 2 occurrences");
    assertThat(message).contains("secret 'token' at line 1");
    assertThat(message).contains("secret 'overlapping' at line 1");
    assertThat(message).contains("b=[REDACTED:token,overlapping] c=[REDACTED:password]");
  }

  @Test
  void theExcerptNeverCutsThroughASecretAtItsEdge() {
    String longSecret = "L0ng-" + "s".repeat(60) + "-end";
    String text = "x=" + TOKEN + "-" + longSecret;
    AssertionError error = catchThrowableOfType(AssertionError.class,
        () -> assertNoSecrets("a text", text, secrets("token", TOKEN, "long", longSecret)));

    assertThat(error.getMessage().indexOf("-end")).as("the tail of the long secret (-1: absent)").isEqualTo(-1);
    assertThat(error.getMessage()).contains("\"x=[REDACTED:token]-[REDACTED:long]\"");
  }

  @Test
  void controlCharactersInTheExcerptAreEscaped() {
    AssertionError error = catchThrowableOfType(AssertionError.class,
        () -> assertNoSecret("a binary file", "\u0000\u0001k=" + TOKEN + "\t\"", "token", TOKEN));

    assertThat(error.getMessage().indexOf(TOKEN)).isEqualTo(-1);
    assertThat(error.getMessage()).contains("\"\\x00\\x01k=[REDACTED:token]\\t\\\"\"");
  }

  @Test
  void aListNamesEachLeakingTextByIndex() {
    List<String> lines = new ArrayList<>(List.of("clean", "key " + TOKEN, "clean", "pw " + PASSWORD));
    AssertionError error = catchThrowableOfType(AssertionError.class,
        () -> assertNoSecrets("a log line", lines, secrets("token", TOKEN, "password", PASSWORD)));

    String message = error.getMessage();
    assertThat(message.indexOf(TOKEN)).isEqualTo(-1);
    assertThat(message.indexOf(PASSWORD)).isEqualTo(-1);
    assertThat(message).startsWith("a log line: 2 of 4 contain secrets:");
    assertThat(message).contains("a log line #2: secret 'token' at line 1, column 5");
    assertThat(message).contains("a log line #4: secret 'password' at line 1, column 4");
  }

  @Test
  void aLongListOfLeaksIsCutShortAndCounted() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      lines.add("line " + i + " " + TOKEN);
    }
    AssertionError error = catchThrowableOfType(AssertionError.class,
        () -> assertNoSecrets("a response", lines, secrets("token", TOKEN)));

    assertThat(error.getMessage().indexOf(TOKEN)).isEqualTo(-1);
    assertThat(error.getMessage()).startsWith("a response: 25 of 25 contain secrets:")
        .contains("a response #10: secret 'token'").endsWith("... and 15 more not described");
    assertThat(error.getMessage().indexOf("a response #11:")).isEqualTo(-1);
  }

  @Test
  void nullOrEmptySecretsAreRefused() {
    assertRefused(() -> assertNoSecret("a text", "anything", "token", ""), "secret 'token' is empty");
    assertRefused(() -> assertNoSecret("a text", "anything", "token", null), "secret 'token' is null");
    Map<String, String> withNull = new HashMap<>();
    withNull.put("password", null);
    assertRefused(() -> assertNoSecrets("a text", "anything", withNull), "secret 'password' is null");
    assertRefused(() -> assertNoSecrets("a text", "anything", Map.of("token", "")), "secret 'token' is empty");
    assertRefused(() -> assertNoSecrets("a text", List.of("anything"), Map.of("token", "")),
        "secret 'token' is empty");
    assertRefused(() -> numbered("secret", Arrays.asList(TOKEN, null)), "secret 'secret #2' is null");
    assertRefused(() -> assertNoSecrets("a text", "anything", Map.of()), "no secrets given for a text");
    assertRefused(() -> assertNoSecrets("a text", "anything", null), "no secrets given (null)");
    assertRefused(() -> secrets("token"), "name/value pairs");
    assertRefused(() -> secrets("token", TOKEN, "token", PASSWORD), "secret 'token' is named twice");
    assertRefused(() -> secrets(" ", TOKEN), "secret #1 has no name");
  }

  @Test
  void aSecretWhereOnlyItsNameBelongsIsRefusedWithoutPrintingIt() {
    Throwable swapped = catchThrowable(() -> assertNoSecret("a text", "anything", TOKEN, "tok_9f2c"));
    assertThat(swapped).isInstanceOf(IllegalArgumentException.class);
    assertThat(swapped.getMessage().indexOf("tok_9f2c")).isEqualTo(-1);
    assertThat(swapped.getMessage()).contains("the name of secret #1 contains the value of secret #1")
        .contains("name and value swapped?");

    Throwable inWhere = catchThrowable(() -> assertNoSecret("the reply " + TOKEN, "anything", "token", TOKEN));
    assertThat(inWhere).isInstanceOf(IllegalArgumentException.class);
    assertThat(inWhere.getMessage().indexOf(TOKEN)).isEqualTo(-1);
  }

  @Test
  void aNullTextFailsAsDoesNotContainWould() {
    AssertionError error = catchThrowableOfType(AssertionError.class,
        () -> assertNoSecret("the error message", null, "token", TOKEN));
    assertThat(error).hasMessage("the error message: expected a text to scan for secrets, got null");
  }

  @Test
  void redactReplacesEverySecretAndLeavesTheRest() {
    assertThat(redact("user=u1 token=" + TOKEN + "\npassword=" + PASSWORD + " token=" + TOKEN,
        secrets("token", TOKEN, "password", PASSWORD)))
        .isEqualTo("user=u1 token=[REDACTED:token]\npassword=[REDACTED:password] token=[REDACTED:token]");
    assertThat(redact("nothing here", Map.of())).isEqualTo("nothing here");
    assertThat(redact(null, secrets("token", TOKEN))).isEqualTo("null");
  }

  @Test
  void numberedNamesFollowTheOrderGiven() {
    assertThat(numbered("secret", List.of(TOKEN, PASSWORD))).containsExactly(
        Map.entry("secret #1", TOKEN), Map.entry("secret #2", PASSWORD));
  }

  private static void assertRefused(Runnable call, String reason) {
    Throwable thrown = catchThrowable(call::run);
    assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
    assertThat(thrown.getMessage()).contains(reason);
  }
}
