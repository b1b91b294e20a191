package dev.trunkline.twilio.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.retry.AttemptOutcome;
import org.junit.jupiter.api.Test;

/** What TwilioHttp decides on its own: what a failure says about a repeat, and next-page links. */
class TwilioHttpTest {
  private static TwilioApiException http(int status, Integer code) {
    return TwilioApiException.http("Op", status, code, "x", null, null);
  }

  @Test
  void twiliosAnswersMapToWhatTheyMeanForARepeat() {
    assertThat(TwilioHttp.outcome(http(429, null))).isEqualTo(AttemptOutcome.RATE_LIMITED);
    assertThat(TwilioHttp.outcome(http(400, TwilioApiException.TOO_MANY_REQUESTS)))
        .as("Twilio's 20429 in any status").isEqualTo(AttemptOutcome.RATE_LIMITED);
    assertThat(TwilioHttp.outcome(http(503, null))).isEqualTo(AttemptOutcome.NOT_ACTED);
    assertThat(TwilioHttp.outcome(http(500, null))).isEqualTo(AttemptOutcome.UNKNOWN);
    assertThat(TwilioHttp.outcome(TwilioApiException.network("Op", new RuntimeException())))
        .isEqualTo(AttemptOutcome.UNKNOWN);
    assertThat(TwilioHttp.outcome(TwilioApiException.timeout("Op", 10))).isEqualTo(AttemptOutcome.UNKNOWN);
    assertThat(TwilioHttp.outcome(http(404, null))).isEqualTo(AttemptOutcome.FINAL);
    assertThat(TwilioHttp.outcome(http(302, null))).isEqualTo(AttemptOutcome.FINAL);
    assertThat(TwilioHttp.outcome(TwilioApiException.paging("Op", 5))).isEqualTo(AttemptOutcome.FINAL);
  }

  @Test
  void nextPageLinksKeepOnlyPathAndQuery() {
    assertThat(TwilioHttp.pathAndQuery("https://evil.example/v1/Trunks?PageSize=50&Page=1&PageToken=PT1"))
        .isEqualTo("/v1/Trunks?PageSize=50&Page=1&PageToken=PT1");
    assertThat(TwilioHttp.pathAndQuery("/2010-04-01/Accounts/AC1/SIP/CredentialLists.json?Page=1"))
        .isEqualTo("/2010-04-01/Accounts/AC1/SIP/CredentialLists.json?Page=1");
  }
}
