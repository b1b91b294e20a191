package dev.trunkline.contract;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Upstream text loses every trace of the call's secrets (plain, URL-encoded, Base64 alone or inside a Basic auth
 * value, any run of {@value Redaction#MIN_RUN} characters) and keeps everything else, short words that happen to be
 * part of a secret included. Each result is scanned with SecretAssertions before anything that could print it.
 */
class RedactionTest {
  private static final String TOKEN = "9f2c7e4a1b8d3f6e0a5c2b7d4e1f8a3c";
  /** A password with every character URL encoding changes: space, +, /, =, &amp;, ~, *, and a non-ASCII one. */
  private static final String PASSWORD = "Pw 7h+Q2x/V9=mK4&nL8~s*ü";
  private static final String SID = "AC0123456789abcdef0123456789abcdef";

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String redact(String text, String... secrets) {
    return Redaction.redact(text, List.of(secrets).stream().map(Secret::new).toList());
  }

  @Test
  void thePlainSecretIsBlankedAndTheRestKept() {
    String out = redact("Authenticate: token " + TOKEN + " is not valid", TOKEN);
    assertNoSecrets("the redacted text", out, secrets("token", TOKEN));
    assertThat(out).isEqualTo("Authenticate: token [REDACTED] is not valid");
  }

  @Test
  void everyUrlEncodingIsBlanked() {
    String plus = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
    String pct20 = plus.replace("+", "%20");
    String lowerHex = pct20.replace("%2B", "%2b").replace("%2F", "%2f").replace("%3D", "%3d");
    String strict = "Pw%207h%2BQ2x%2FV9%3DmK4%26nL8~s%2A%C3%BC";
    for (String encoded : List.of(plus, pct20, lowerHex, strict)) {
      String out = redact("rejected Password=" + encoded + "&Username=alice", PASSWORD);
      assertNoSecrets("the redacted text", out, secrets("the password", PASSWORD, "the encoded password", encoded));
      assertThat(out).isEqualTo("rejected Password=[REDACTED]&Username=alice");
    }
  }

  @Test
  void base64OfTheSecretAloneIsBlankedInEitherAlphabetWithOrWithoutPadding() {
    String standard = b64(PASSWORD);
    String urlSafe = standard.replace('+', '-').replace('/', '_');
    String unpadded = standard.replace("=", "");
    for (String encoded : List.of(standard, urlSafe, unpadded)) {
      String out = redact("echo: " + encoded + " end", PASSWORD);
      assertNoSecrets("the redacted text", out, secrets("the Base64 of the password", encoded));
      assertThat(out).isEqualTo("echo: [REDACTED] end");
    }
  }

  @Test
  void theBasicAuthValueLosesTheTokenWhateverTheLengthOfTheUserBeforeIt() {
    // The token sits at every byte alignment (mod 3) within base64(user:token).
    for (String user : List.of(SID, SID + "x", SID + "xy", "ab", "abc")) {
      String basic = b64(user + ":" + TOKEN);
      String out = redact("Authorization: Basic " + basic + " refused", TOKEN);
      assertNoSecrets("the redacted text", out, secrets("the Basic auth value", basic, "the token", TOKEN));
      assertThat(out).startsWith("Authorization: Basic ").endsWith("[REDACTED] refused");
      // What may stay is the user's part and at most a few characters at the token's edges, not the token.
      String visible = out.substring("Authorization: Basic ".length(), out.indexOf("[REDACTED]"));
      assertThat(visible.length()).as("Base64 characters left before the mark for a user of %d", user.length())
          .isLessThanOrEqualTo((user.length() + 1 + 2) / 3 * 4 + 1);
    }
    // The caller may name the whole value as a secret too: then none of it stays.
    String basic = b64(SID + ":" + TOKEN);
    String whole = Redaction.redact("Basic " + basic, new Secret(TOKEN),
        Redaction.basicAuthValue(SID, new Secret(TOKEN)));
    assertNoSecrets("the redacted text", whole, secrets("the Basic auth value", basic));
    assertThat(whole).isEqualTo("Basic [REDACTED]");
  }

  @Test
  void aRunOfEightCharactersIsBlankedAndOfSevenIsNot() {
    String eight = TOKEN.substring(10, 10 + Redaction.MIN_RUN);
    String seven = TOKEN.substring(10, 10 + Redaction.MIN_RUN - 1);
    String out = redact("token ends ..." + eight + " here", TOKEN);
    assertNoSecrets("the redacted text", out, secrets("8 characters of the token", eight));
    assertThat(out).isEqualTo("token ends ...[REDACTED] here");
    assertThat(redact("short " + seven + " piece", TOKEN)).isEqualTo("short " + seven + " piece");
    // At either edge of the text, and in another case (hex may come back upper case).
    String upper = TOKEN.substring(0, 12).toUpperCase(java.util.Locale.ROOT);
    String edges = redact(upper + " and " + TOKEN.substring(20), TOKEN);
    assertNoSecrets("the redacted text", edges, secrets("the head", upper, "the tail", TOKEN.substring(20)));
    assertThat(edges).isEqualTo("[REDACTED] and [REDACTED]");
  }

  @Test
  void shortCommonWordsThatArePartOfASecretStayReadable() {
    String wordy = "keyTheWord4Pass9x";
    String message = "The key word for Pass is wrong: the password policy needs a digit";
    assertThat(redact(message, wordy)).isEqualTo(message);
    assertThat(redact(message, TOKEN, PASSWORD)).isEqualTo(message);
    // Twilio's and Retell's usual words next to a real token: nothing to blank.
    String twilio = "Unable to create record: Authenticate (20003) see https://www.twilio.com/docs/errors/20003";
    assertThat(redact(twilio, TOKEN, b64(SID + ":" + TOKEN))).isEqualTo(twilio);
  }

  @Test
  void aSecretShorterThanARunIsBlankedOnlyWhole() {
    assertThat(redact("x abc12 y abc1 z", "abc12")).isEqualTo("x [REDACTED] y abc1 z");
    // Its Base64 fragments are a letter or two: never searched for.
    assertThat(redact("Ym MT Yw", "abc12")).isEqualTo("Ym MT Yw");
  }

  @Test
  void adjacentSecretsBecomeOneMarkAndNothingIsLeftBetween() {
    String out = redact("k=" + TOKEN + PASSWORD + ".", TOKEN, PASSWORD);
    assertNoSecrets("the redacted text", out, secrets("token", TOKEN, "password", PASSWORD));
    assertThat(out).isEqualTo("k=[REDACTED].");
  }

  @Test
  void nothingToDoLeavesTheTextAlone() {
    assertThat(Redaction.redact(null, new Secret(TOKEN))).isNull();
    assertThat(Redaction.redact("text", (java.util.Collection<Secret>) null)).isEqualTo("text");
    assertThat(Redaction.redact("text", List.of())).isEqualTo("text");
    assertThat(Redaction.redact("text", java.util.Arrays.asList(null, new Secret(" ")))).isEqualTo("text");
  }

  @Test
  void upstreamTextIsRedactedFlattenedAndBounded() {
    String out = Redaction.upstreamText("bad\r\nFAKE LOG LINE \u001b[31m" + TOKEN + "\t!", List.of(new Secret(TOKEN)));
    assertNoSecrets("the upstream text", out, secrets("token", TOKEN));
    assertThat(out).isEqualTo("bad FAKE LOG LINE [31m[REDACTED] !");

    // A secret across the cut is blanked whole, not cut into a piece that is short enough to stay.
    String padding = "x".repeat(Redaction.MAX_UPSTREAM_TEXT - 4);
    String cut = Redaction.upstreamText(padding + " " + TOKEN + " tail " + "y".repeat(1_000),
        List.of(new Secret(TOKEN)));
    assertNoSecrets("the upstream text", cut, secrets("the token's head", TOKEN.substring(0, 3)));
    assertThat(cut).hasSize(Redaction.MAX_UPSTREAM_TEXT + 3).startsWith(padding + " [RE").endsWith("...");

    assertThat(Redaction.upstreamText(null, List.of())).isNull();
    assertThat(Redaction.upstreamText(" \r\n ", List.of())).isNull();
  }
}
