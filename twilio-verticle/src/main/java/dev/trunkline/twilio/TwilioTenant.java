package dev.trunkline.twilio;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.twilio.client.TwilioAuth;
import io.vertx.core.Future;

/**
 * What one request knows of its tenant: its Twilio account (to call Twilio as the tenant) and its connector
 * as the store has it (the trunk state), read fresh at the start of the request, and the store as this request
 * calls it (with its request id).
 */
public record TwilioTenant(String subaccountId, TwilioAuth auth, Connector connector, String requestId,
    StoreClient store) {
  /** The stored trunk, with every field null when none is stored. */
  public Trunk trunk() {
    return connector == null || connector.trunk() == null ? Trunk.EMPTY : connector.trunk();
  }

  public boolean hasTrunk() {
    return trunk().trunkSid() != null;
  }

  /** The stored trunk SID; a 409 when setup has not run yet. */
  public String requireTrunkSid() {
    if (!hasTrunk()) {
      throw ServiceException.conflict("TRUNK_NOT_SET_UP", "the tenant has no Twilio trunk yet: run setup first");
    }
    return trunk().trunkSid();
  }

  /**
   * Loads the tenant's Twilio account and connector from the store.
   *
   * @param store the store as this request calls it
   */
  public static Future<TwilioTenant> load(StoreClient store, String subaccountId, String requestId) {
    return load(store, subaccountId, requestId, 0);
  }

  /**
   * As {@link #load(StoreClient, String, String)}, for a bus request that ends at {@code deadlineMillis} (epoch
   * milliseconds, 0 when unknown): the Twilio calls made for it retry Twilio's 429s until shortly before then.
   */
  public static Future<TwilioTenant> load(StoreClient store, String subaccountId, String requestId,
      long deadlineMillis) {
    Identifiers.requireSubaccountId(subaccountId);
    return store.twilioAccount(new TenantRef(subaccountId)).compose(account -> {
      if (account.accountSid() == null || account.authToken() == null || account.authToken().isBlank()) {
        return Future.failedFuture(ServiceException.conflict("TWILIO_NOT_CONNECTED",
            "the tenant has no Twilio account connected"));
      }
      TwilioAuth auth;
      try {
        auth = new TwilioAuth(account.accountSid(), account.authToken(), deadlineMillis);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(ServiceException.conflict("TWILIO_NOT_CONNECTED",
            "the tenant's stored Twilio Account SID is malformed"));
      }
      return store.connector(new TenantRef(subaccountId))
          .map(connector -> new TwilioTenant(subaccountId, auth, connector, requestId, store));
    });
  }
}
