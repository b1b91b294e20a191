package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PendingSip;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TwilioMessages.CredentialRotationStarted;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/api.md, rotate: 409 {@code ROTATION_NOT_READY} ("the new credential is not recorded yet: retry") when the
 * credentials the gateway reads after {@code credentials.rotate.begin} do not show the credential begin answered
 * with. With the real services that is a race (another request finishes the rotation, or a begin records its
 * credential, between this request's begin and its read), so stand-ins on the bus play it: begin answers a new
 * credential, the store's pending credential has no SID yet. The rotation must stop there: no Retell write, no
 * number listed, no finish.
 */
@ExtendWith(VertxExtension.class)
class RotationNotReadyTest {
  private static final String TENANT = "ffffffffffffffffffffffff";
  private static final String NEW_USERNAME = "trunkline_ffffffff_user_r2";
  private static final String NEW_SID = "CR" + "1".repeat(32);
  private static final Set<String> asked = ConcurrentHashMap.newKeySet();
  private static final Secret PASSWORD = new Secret(TrunklineHarness.randomSecret("Pw1"));
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.withStandIns(new JsonObject(), RotationNotReadyTest::standIns,
      harness -> {
        h = harness;
        h.secret(PASSWORD.reveal());
      });

  private static void standIns(Vertx vertx) {
    Bus.consumer(vertx, Addresses.Twilio.CREDENTIAL_ROTATE_BEGIN, JsonObject.class, req -> Future.succeededFuture(
        new CredentialRotationStarted(TENANT, NEW_USERNAME, NEW_SID, "CR" + "0".repeat(32))));
    Bus.consumer(vertx, Addresses.Store.SIP_GET, JsonObject.class, req -> Future.succeededFuture(
        new SipCredentials(TENANT, "trunkline_ffffffff_user", new Secret(TrunklineHarness.randomSecret("Pw0")),
            PasswordState.PENDING, "tlffffffffff.pstn.twilio.com", "TCP",
            new PendingSip(NEW_USERNAME, PASSWORD, CredentialPurpose.ROTATION, null, System.currentTimeMillis()))));
    Bus.consumer(vertx, Addresses.Store.RETELL_KEY_GET, JsonObject.class,
        req -> Future.failedFuture(new ServiceException(404, "RETELL_KEY_NOT_FOUND", "no key")));
    for (String after : Set.of(Addresses.Store.NUMBER_LIST, Addresses.Retell.NUMBER_SYNC,
        Addresses.Retell.NUMBER_INSPECT, Addresses.Twilio.CREDENTIAL_ROTATE_FINISH)) {
      Bus.consumer(vertx, after, JsonObject.class, req -> {
        asked.add(after);
        return Future.failedFuture(new ServiceException(500, "STAND_IN", "not expected"));
      });
    }
    // The rotation runs as an operation: its record is kept by stand-ins too.
    Bus.consumer(vertx, Addresses.Store.OPERATION_CREATE, JsonObject.class, req -> Future.succeededFuture(
        new JsonObject().put("created", true).put("operation", new JsonObject().put("operationId", "op-1")
            .put("state", "running"))));
    Bus.consumer(vertx, Addresses.Store.OPERATION_PROGRESS, JsonObject.class, req -> Future.succeededFuture(
        new JsonObject().put("owned", true).put("cancelRequested", false)));
    Bus.consumer(vertx, Addresses.Store.OPERATION_FINISH, JsonObject.class, req -> Future.succeededFuture(
        new JsonObject()));
  }

  @Test
  void aRotationWhoseNewCredentialIsNotRecordedYetIs409AndGoesNoFurther(VertxTestContext test) {
    h.call(HttpMethod.POST, h.path(TENANT, "/twilio/credentials/rotate"), h.token(TENANT), null)
        .onComplete(test.succeeding(r -> test.verify(() -> {
          JsonObject error = GatewayEdgeTest.assertError(r, 409, "ROTATION_NOT_READY");
          assertThat(error.getString("message")).contains("retry");
          assertThat(asked).as("addresses asked after the refusal").isEmpty();
          test.completeNow();
        })));
  }
}
