package dev.trunkline.twilio.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(3, 100, 2_000);

  private static TwilioApiException http(int status, Long retryAfter) {
    return TwilioApiException.http("Op", status, null, "x", null, retryAfter);
  }

  @Test
  void idempotentRequestsRetryOnServerAndNetworkErrors() {
    assertThat(policy.delayBeforeRetry(HttpMethod.GET, http(500, null), 0)).isBetween(0L, 100L);
    assertThat(policy.delayBeforeRetry(HttpMethod.DELETE, http(502, null), 1)).isBetween(0L, 200L);
    assertThat(policy.delayBeforeRetry(HttpMethod.GET, TwilioApiException.network("Op", new RuntimeException()), 2))
        .isBetween(0L, 400L);
  }

  @Test
  void postIsRetriedOnlyOn429And503() {
    assertThat(policy.delayBeforeRetry(HttpMethod.POST, http(500, null), 0)).isEqualTo(-1);
    assertThat(policy.delayBeforeRetry(HttpMethod.POST, TwilioApiException.network("Op", new RuntimeException()), 0))
        .isEqualTo(-1);
    assertThat(policy.delayBeforeRetry(HttpMethod.POST, http(503, null), 0)).isGreaterThanOrEqualTo(0);
    assertThat(policy.delayBeforeRetry(HttpMethod.POST, http(429, null), 0)).isGreaterThanOrEqualTo(0);
  }

  @Test
  void clientErrorsAndTimeoutsAreNotRetried() {
    assertThat(policy.delayBeforeRetry(HttpMethod.GET, http(400, null), 0)).isEqualTo(-1);
    assertThat(policy.delayBeforeRetry(HttpMethod.GET, http(404, null), 0)).isEqualTo(-1);
    assertThat(policy.delayBeforeRetry(HttpMethod.GET, TwilioApiException.timeout("Op", 10), 0)).isEqualTo(-1);
  }

  @Test
  void retriesStopAfterTheConfiguredNumber() {
    assertThat(policy.delayBeforeRetry(HttpMethod.GET, http(500, null), 3)).isEqualTo(-1);
  }

  @Test
  void retryAfterIsHonouredWhenItFitsUnderTheCapAndEndsRetriesWhenItDoesNot() {
    assertThat(policy.delayBeforeRetry(HttpMethod.POST, http(429, 1_500L), 0)).isEqualTo(1_500L);
    assertThat(policy.delayBeforeRetry(HttpMethod.POST, http(429, 60_000L), 0)).isEqualTo(-1);
  }

  @Test
  void retryAfterParsesSecondsAndHttpDates() {
    assertThat(RetryPolicy.parseRetryAfter("2", 0)).isEqualTo(2_000L);
    assertThat(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT",
        java.time.Instant.parse("2015-10-21T07:28:00Z").toEpochMilli())).isEqualTo(10_000L);
    assertThat(RetryPolicy.parseRetryAfter("soon", 0)).isNull();
    assertThat(RetryPolicy.parseRetryAfter(null, 0)).isNull();
  }

  @Test
  void nextPageLinksKeepOnlyPathAndQuery() {
    assertThat(TwilioHttp.pathAndQuery("https://evil.example/v1/Trunks?PageSize=50&Page=1&PageToken=PT1"))
        .isEqualTo("/v1/Trunks?PageSize=50&Page=1&PageToken=PT1");
    assertThat(TwilioHttp.pathAndQuery("/2010-04-01/Accounts/AC1/SIP/CredentialLists.json?Page=1"))
        .isEqualTo("/2010-04-01/Accounts/AC1/SIP/CredentialLists.json?Page=1");
  }
}
