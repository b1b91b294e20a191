package dev.trunkline.provisioning;

import dev.trunkline.contract.Json;
import dev.trunkline.contract.RetellMessages;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.ListNumbers;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TwilioMessages.SearchNumbers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Searching, importing, listing and removing a tenant's phone numbers (purchase is {@link PurchaseFlow}). */
final class NumberFlows {
  private NumberFlows() {}

  static Future<FlowResult> search(ServiceCalls up, String subaccountId, JsonObject query) {
    SearchNumbers search = new SearchNumbers(subaccountId, query.getString("countryCode", "US"),
        query.getString("areaCode"), query.getString("contains"), query.getString("type", "local"),
        query.getLong("limit", 20L).intValue());
    return up.twilio().searchNumbers(search)
        .map(found -> FlowResult.ok(new JsonObject().put("numbers",
            new JsonArray(found.numbers() == null ? List.of()
                : found.numbers().stream().map(Json::toJson).toList()))));
  }

  /** Attaches a number the tenant already owns at Twilio to the trunk, imports it into Retell, records it. */
  static Future<FlowResult> importExisting(ServiceCalls up, CredentialLeases leases, String subaccountId,
      String phoneNumber) {
    // Under a credential lease, as a purchase: a rotation waits for it before deleting the old credential.
    // Attaching is idempotent (a number already on the trunk is returned as is): sent again on a survivor when
    // its Twilio node dies with it unanswered.
    return TenantSecrets.withLease(up, leases, subaccountId, tenant -> up.resent(() -> up.twilio().importNumber(
            new TenantNumber(subaccountId, phoneNumber)))
        .compose(number -> NumberOnboarding.importAndRecord(up, subaccountId, tenant, number, "Imported")));
  }

  static Future<FlowResult> list(ServiceCalls up, String subaccountId, JsonObject query) {
    ListNumbers request = new ListNumbers(subaccountId, query.getLong("limit", 50L).intValue(),
        query.getString("after"));
    return up.store().listNumbers(request)
        .map(page -> FlowResult.ok(new JsonObject()
            .put("items", new JsonArray(page.items() == null ? List.of()
                : page.items().stream().map(NumberFlows::view).toList()))
            .put("next", page.next() == null || page.next().isEmpty() ? null : page.next())));
  }

  /**
   * Removes a number from Retell and from the trunk and records it REMOVED; with {@code release} it is
   * released at Twilio instead (which also takes it off the trunk) and its record deleted. A step that finds the number already gone counts as done,
   * so a retried delete completes.
   */
  static Future<FlowResult> remove(ServiceCalls up, String subaccountId, String phoneNumber, boolean release) {
    return ServiceCalls.orNull(up.store().number(new TenantNumber(subaccountId, phoneNumber)))
        .compose(number -> {
          if (number == null) {
            return Future.failedFuture(new ServiceException(404, "NUMBER_NOT_FOUND",
                "phone number " + phoneNumber + " is not a number of this subaccount"));
          }
          List<String> steps = new ArrayList<>();
          return TenantSecrets.retellKey(up, subaccountId)
              // Each step finds a number already gone done, so each is sent again on a survivor when its node
              // dies with it unanswered.
              .compose(key -> ServiceCalls.orNull(up.resent(() -> up.retell().deleteNumber(
                  new RetellMessages.KeyedNumber(key, phoneNumber)))))
              .compose(v -> {
                steps.add("retell");
                // Releasing takes the number off the trunk too (Twilio releases only a number still on it).
                TenantNumber ref = new TenantNumber(subaccountId, phoneNumber);
                return release
                    ? ServiceCalls.orNull(up.resent(() -> up.twilio().releaseNumber(ref)))
                        .map(r -> steps.addAll(List.of("trunk", "twilio")))
                    : ServiceCalls.orNull(up.resent(() -> up.twilio().removeNumber(ref)))
                        .map(r -> steps.add("trunk"));
              })
              .compose(v -> release
                  ? up.store().deleteNumber(new TenantNumber(subaccountId, phoneNumber)).<Void>mapEmpty()
                  : up.store().saveNumber(removed(number)).<Void>mapEmpty())
              .map(v -> FlowResult.success(200, release
                      ? "Removed " + phoneNumber + " from Retell and the trunk and released it at Twilio"
                      : "Removed " + phoneNumber + " from Retell and the trunk",
                  new JsonObject().put("phoneNumber", phoneNumber).put("released", release)
                      .put("removedFrom", new JsonArray(steps))
                      .put("retellStatus", release ? null : RetellStatus.REMOVED.name())));
        });
  }

  private static PhoneNumber removed(PhoneNumber n) {
    return new PhoneNumber(n.subaccountId(), n.phoneNumber(), n.twilioSid(), n.trunkSid(), RetellStatus.REMOVED,
        null, n.createdAt(), System.currentTimeMillis());
  }

  /** A stored number as the API shows it (the store's record holds nothing secret). */
  static JsonObject view(PhoneNumber n) {
    return new JsonObject()
        .put("phoneNumber", n.phoneNumber())
        .put("twilioSid", n.twilioSid())
        .put("trunkSid", n.trunkSid())
        .put("retellStatus", n.retellStatus() == null ? null : n.retellStatus().name())
        .put("retellError", n.retellError())
        .put("createdAt", n.createdAt())
        .put("updatedAt", n.updatedAt());
  }
}
