package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What the one error mapper lets through to a client, and what it replaces. */
class ErrorMapperTest {

  @Test
  void serviceFailuresKeepTheirStatusAndCode() {
    ServiceException e = ErrorMapper.sanitize(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409,
        new ServiceException(409, "NUMBER_UNAVAILABLE", "gone; search again").toWire()));
    assertThat(e.status()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("NUMBER_UNAVAILABLE");
    assertThat(e.getMessage()).isEqualTo("gone; search again");
  }

  @Test
  void busFailuresBecome503And504WithoutTheAddress() {
    ServiceException none = ErrorMapper.sanitize(new ReplyException(ReplyFailure.NO_HANDLERS, -1,
        "No handlers for address trunkline.store.v1.ping"));
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.getMessage()).doesNotContain("trunkline");
    ServiceException timeout = ErrorMapper.sanitize(new ReplyException(ReplyFailure.TIMEOUT, -1, "Timed out"));
    assertThat(timeout.status()).isEqualTo(504);
    assertThat(timeout.code()).isEqualTo("TIMEOUT");
  }

  @Test
  void internalsBecomeAPlainInternalError() {
    for (Throwable t : new Throwable[] {
        new NullPointerException("Cannot invoke \"dev.trunkline.gateway.X.y()\""),
        new ServiceException(400, "BAD_MESSAGE", "message body does not fit SyncNumber: ..."),
        new ServiceException(500, "STORE_ERROR", "com.mongodb.MongoTimeoutException at ...")}) {
      ServiceException e = ErrorMapper.sanitize(t);
      assertThat(e.status()).isEqualTo(500);
      assertThat(e.code()).isEqualTo("INTERNAL_ERROR");
      assertThat(e.getMessage()).isEqualTo("internal error");
    }
  }

  @Test
  void retryAfterIsWholeSecondsFromEitherUnit() {
    assertThat(ErrorMapper.retryAfterSeconds(new JsonObject().put("retryAfterSeconds", 7))).isEqualTo(7);
    assertThat(ErrorMapper.retryAfterSeconds(new JsonObject().put("retryAfterMs", 1_200))).isEqualTo(2);
    assertThat(ErrorMapper.retryAfterSeconds(new JsonObject().put("retryAfterMs", 10))).isEqualTo(1);
    assertThat(ErrorMapper.retryAfterSeconds(null)).isEqualTo(1);
  }
}
