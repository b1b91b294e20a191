package dev.trunkline.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.FinishOperation;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** An operation's recorded end says what the synchronous request would have answered. */
class OperationRepliesTest {

  @Test
  void aFlowThatCouldNotRunRecordsTheSynchronousErrorBodyDetailsIncluded() {
    ServiceException throttled = new ServiceException(429, "TWILIO_RATE_LIMITED", "Twilio is rate limiting this account",
        new JsonObject().put("retryAfterMs", 5_000L).put("upstreamStatus", 429));

    FinishOperation end = OperationReplies.finish("op-1", null, throttled, false, false, 0, 60_000);

    assertThat(end.state()).isEqualTo("failed");
    assertThat(end.status()).isEqualTo(429);
    JsonObject report = new JsonObject(end.report());
    assertThat(report).isEqualTo(throttled.toResponseBody());
    assertThat(report.getJsonObject("error").getJsonObject("details").getLong("retryAfterMs"))
        .as("the wait the client needs to retry").isEqualTo(5_000L);
  }

  @Test
  void anUnexpectedFailureIsRecordedAsTheInternalErrorTheGatewayWouldAnswer() {
    FinishOperation end = OperationReplies.finish("op-2", null, new IllegalStateException("at Foo.java:12"), false,
        false, 0, 60_000);

    assertThat(end.status()).isEqualTo(500);
    assertThat(new JsonObject(end.report()).getJsonObject("error").getString("code")).isEqualTo("INTERNAL_ERROR");
    assertThat(new JsonObject(end.report()).encode()).doesNotContain("Foo.java");
  }
}
