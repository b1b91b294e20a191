package dev.trunkline.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

/** What the one sanitizer lets through to a client (the gateway's responses, per-number results), and what it replaces. */
class ClientFailuresTest {

  @Test
  void serviceFailuresKeepTheirStatusAndCode() {
    ServiceException e = ClientFailures.sanitize(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409,
        new ServiceException(409, "NUMBER_UNAVAILABLE", "gone; search again").toWire()));
    assertThat(e.status()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("NUMBER_UNAVAILABLE");
    assertThat(e.getMessage()).isEqualTo("gone; search again");
  }

  @Test
  void busFailuresBecome503And504WithoutTheAddress() {
    ServiceException none = ClientFailures.sanitize(new ReplyException(ReplyFailure.NO_HANDLERS, -1,
        "No handlers for address trunkline.store.v1.ping"));
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.getMessage()).doesNotContain("trunkline").startsWith("the store service is unavailable");
    ServiceException unnamed = ClientFailures.sanitize(new ServiceException(503, "SERVICE_UNAVAILABLE", "down"));
    assertThat(unnamed.getMessage()).startsWith("a required service is unavailable");
    ServiceException timeout = ClientFailures.sanitize(new ReplyException(ReplyFailure.TIMEOUT, -1, "Timed out"));
    assertThat(timeout.status()).isEqualTo(504);
    assertThat(timeout.code()).isEqualTo("TIMEOUT");
  }

  @Test
  void internalsBecomeAPlainInternalError() {
    for (Throwable t : new Throwable[] {
        new NullPointerException("Cannot invoke \"dev.trunkline.provisioning.X.y()\""),
        new ServiceException(400, "BAD_MESSAGE", "message body does not fit SyncNumber: ..."),
        new ServiceException(500, "STORE_ERROR", "com.mongodb.MongoTimeoutException at ...")}) {
      ServiceException e = ClientFailures.sanitize(t);
      assertThat(e.status()).isEqualTo(500);
      assertThat(e.code()).isEqualTo("INTERNAL_ERROR");
      assertThat(e.getMessage()).isEqualTo("internal error");
    }
  }

  @Test
  void theProvisioningServiceIsNamedToo() {
    ServiceException none = ClientFailures.sanitize(new ReplyException(ReplyFailure.NO_HANDLERS, -1,
        "No handlers for address trunkline.provisioning.v1.fix"));
    assertThat(none.getMessage()).startsWith("the provisioning service is unavailable");
  }
}
