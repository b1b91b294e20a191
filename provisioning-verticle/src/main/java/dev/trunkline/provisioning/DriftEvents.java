package dev.trunkline.provisioning;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ProvisioningMessages.DriftEvent;
import dev.trunkline.contract.StoreMessages.DriftNumber;
import io.vertx.core.Vertx;

/**
 * Publishes the drift watch's findings on the tenant's drift address ({@code trunkline.events.v1.drift.<id>}):
 * what was found, and under the "repair" policy what the repair did. The status names what is wrong, never the
 * credential. Fire and forget, like the progress events.
 */
final class DriftEvents {
  private final Vertx vertx;

  DriftEvents(Vertx vertx) {
    this.vertx = vertx;
  }

  void publish(String type, DriftNumber number, String policy, String code) {
    vertx.eventBus().publish(Addresses.Events.drift(number.subaccountId()), Json.toJson(new DriftEvent(type,
        number.subaccountId(), number.phoneNumber(), number.status(), number.checkedAt(), number.driftedSince(),
        policy, code, number.nextRepairAt(), null)));
  }

  /** The tenant's trunk at Twilio is missing or unhealthy (its problems are descriptions, never a secret). */
  void trunk(String subaccountId, String policy, java.util.List<String> problems) {
    vertx.eventBus().publish(Addresses.Events.drift(subaccountId), Json.toJson(new DriftEvent(DriftEvent.TRUNK,
        subaccountId, null, "TRUNK_PROBLEMS", System.currentTimeMillis(), null, policy, null, null, problems)));
  }
}
