package dev.trunkline.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.ReleaseIdempotency;
import dev.trunkline.contract.TwilioMessages.NumberRef;
import dev.trunkline.contract.TwilioMessages.TrunkNumber;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buys a number exactly once per {@code Idempotency-Key}: the key is claimed in the store before Twilio is
 * called; a retry of a finished purchase gets the recorded response; a retry while it runs gets 409; the
 * same key with another body gets the store's 422. A failure before anything was bought gives the key back
 * so the client can retry; once bought, the outcome is recorded whatever it is.
 */
final class PurchaseFlow {
  private static final Logger LOG = LoggerFactory.getLogger(PurchaseFlow.class);
  static final String OPERATION = "purchase-number";

  private PurchaseFlow() {}

  static Future<ApiReply> run(Upstream up, CredentialLeases leases, String subaccountId, String idempotencyKey,
      String phoneNumber) {
    ClaimIdempotency claim = new ClaimIdempotency(subaccountId, idempotencyKey, OPERATION,
        requestHash(phoneNumber));
    return up.call(Addresses.Store.IDEMPOTENCY_CLAIM, claim, IdempotencyClaim.class)
        .compose(claimed -> switch (claimed.state()) {
          case COMPLETED -> Future.succeededFuture(replay(claimed));
          case IN_PROGRESS -> Future.failedFuture(new ServiceException(409, "IDEMPOTENCY_IN_PROGRESS",
              "a purchase with this Idempotency-Key is still running; retry shortly"));
          case CLAIMED -> purchase(up, leases, subaccountId, idempotencyKey, phoneNumber);
        });
  }

  /**
   * Under a credential lease from before the credentials are read until the number is recorded: a rotation that
   * begins meanwhile waits for this purchase before it deletes the credential the purchase may be using.
   */
  private static Future<ApiReply> purchase(Upstream up, CredentialLeases leases, String subaccountId, String key,
      String phoneNumber) {
    // Once bought, every outcome becomes a reply (recorded below); so a failure here means nothing was bought
    // (no lease, setup missing, number unavailable, Twilio down) and the key is given back.
    return TenantContext.withLease(up, leases, subaccountId, tenant -> up.call(Addresses.Twilio.NUMBERS_PURCHASE,
                new NumberRef(subaccountId, phoneNumber), TrunkNumber.class)
            .compose(bought -> NumberOnboarding.importAndRecord(up, subaccountId, tenant, bought, "Purchased")
                .recover(err -> Future.succeededFuture(boughtButNotRecorded(bought, err)))))
        .compose(reply -> complete(up, subaccountId, key, reply),
            err -> release(up, subaccountId, key).compose(v -> Future.failedFuture(err)));
  }

  private static ApiReply replay(IdempotencyClaim claimed) {
    JsonObject body = claimed.response() == null ? new JsonObject() : new JsonObject(claimed.response());
    return ApiReply.of(claimed.status() == null ? 200 : claimed.status(), body)
        .withHeader("Idempotent-Replayed", "true");
  }

  /** Bought at Twilio but the store did not take the record: say so, and never let a retry buy again. */
  private static ApiReply boughtButNotRecorded(TrunkNumber bought, Throwable err) {
    ServiceException e = ErrorMapper.sanitize(err);
    LOG.error("purchased {} ({}) but could not record it: {}", bought.phoneNumber(), bought.sid(), e.code());
    return ApiReply.of(502, new JsonObject().put("success", false)
        .put("error", new JsonObject().put("code", "PURCHASED_NOT_RECORDED")
            .put("message", "the number was purchased and is on the trunk, but recording it failed; "
                + "POST /twilio/phoneNumbers/import records it")
            .put("details", new JsonObject().put("phoneNumber", bought.phoneNumber())
                .put("twilioSid", bought.sid()))));
  }

  private static Future<ApiReply> complete(Upstream up, String subaccountId, String key, ApiReply reply) {
    return up.call(Addresses.Store.IDEMPOTENCY_COMPLETE,
            new CompleteIdempotency(subaccountId, key, reply.status(), plainMap(reply.body())), JsonObject.class)
        .map(v -> reply)
        .recover(err -> {
          // The purchase happened; the client must see it even if the key could not be closed (it expires).
          LOG.warn("request {} could not complete idempotency key: {}", up.requestId(),
              ErrorMapper.sanitize(err).code());
          return Future.succeededFuture(reply);
        });
  }

  /**
   * The body as nested plain maps and lists: a JsonObject's own map may hold JsonObjects, which the contract's
   * record mapper would serialise as beans ({@code {"map": ..., "empty": false}}) and so record a wrong reply.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> plainMap(JsonObject body) {
    try {
      return Json.MAPPER.readValue(body.encode(), Map.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a reply that cannot be encoded", e);
    }
  }

  private static Future<Void> release(Upstream up, String subaccountId, String key) {
    return up.call(Addresses.Store.IDEMPOTENCY_RELEASE, new ReleaseIdempotency(subaccountId, key),
            JsonObject.class)
        .<Void>mapEmpty()
        .recover(err -> Future.succeededFuture());
  }

  static String requestHash(String phoneNumber) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((OPERATION + "\n" + phoneNumber).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
