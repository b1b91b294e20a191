package dev.trunkline.provisioning;

import dev.trunkline.contract.ClientFailures;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.ReleaseIdempotency;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.TwilioMessages.TrunkNumber;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buys a number exactly once per {@code Idempotency-Key}: the key is claimed in the store before Twilio is
 * called; a retry of a finished purchase gets the recorded response; a retry while it runs gets 409 with
 * {@code Retry-After}; the same key with another body gets the store's 422. A failure before anything was bought
 * gives the key back so the client can retry; once bought, the outcome is recorded whatever it is.
 *
 * <p>The claim is a lease (the store's {@code store.idempotencyLeaseSeconds}): when a gateway dies mid-purchase,
 * a retry after the lease takes the claim over and runs the purchase again. That run converges on what the dead
 * one did: Twilio's purchase returns a number already on the tenant's trunk instead of buying it again (under the
 * tenant's lock, so it also waits for a purchase still running there), Retell is synced rather than imported
 * (an import of a number Retell already has is refused), and the record is an upsert. Complete and release name
 * the claim's lease, so an attempt that was only slow cannot close or free the claim of the one that took over.
 */
public final class PurchaseFlow {
  private static final Logger LOG = LoggerFactory.getLogger(PurchaseFlow.class);
  public static final String OPERATION = "purchase-number";
  /**
   * Requests the gateway makes in a row while it holds a claim, each bounded by {@code bus.timeoutMs}:
   * six on the bus (see {@link #purchase}) and three on the credential lease map (TenantSecrets.withLease).
   */
  static final int REQUESTS_WHILE_CLAIMED = 9;
  private static final AtomicBoolean LEASE_WARNED = new AtomicBoolean();

  private PurchaseFlow() {}

  static Future<FlowResult> run(ServiceCalls up, CredentialLeases leases, String subaccountId, String idempotencyKey,
      String phoneNumber) {
    // The lease id is this request's, so the claim can be resent when a store node dies with it unanswered: the
    // resend finds its own lease and is CLAIMED again (a resend without one would find it IN_PROGRESS: a 409).
    ClaimIdempotency claim = new ClaimIdempotency(subaccountId, idempotencyKey, OPERATION,
        requestHash(phoneNumber), UUID.randomUUID().toString());
    return up.resent(() -> up.store().claimIdempotency(claim))
        .compose(claimed -> switch (claimed.state()) {
          case COMPLETED -> Future.succeededFuture(replay(claimed));
          case IN_PROGRESS -> Future.failedFuture(inProgress(claimed));
          case CLAIMED -> {
            warnIfTheLeaseIsShort(up, claimed);
            if (claimed.takenOver()) {
              LOG.warn("request {}: an earlier purchase of {} with this Idempotency-Key stopped before finishing "
                  + "(its claim's lease ran out); resuming it", up.requestId(), phoneNumber);
            }
            yield purchase(up, leases, subaccountId,
                new Held(idempotencyKey, claimed.leaseId(), claimed.takenOver()), phoneNumber);
          }
        });
  }

  /** The claim this request holds: the key, its lease id, and whether it resumes a dead attempt's purchase. */
  private record Held(String key, String leaseId, boolean resumed) {}

  /**
   * Under a credential lease from before the credentials are read until the number is recorded: a rotation that
   * begins meanwhile waits for this purchase before it deletes the credential the purchase may be using.
   */
  private static Future<FlowResult> purchase(ServiceCalls up, CredentialLeases leases, String subaccountId, Held held,
      String phoneNumber) {
    // Once bought, every outcome becomes a reply (recorded below); so a failure here means nothing was bought
    // (no lease, setup missing, number unavailable, Twilio down) and the key is given back.
    // A Twilio node that dies with the purchase unanswered: sent again on a survivor, whose purchase (under the
    // tenant's lock, so after the dead holder's lease) returns the number if the dead node bought it.
    return TenantSecrets.withLease(up, leases, subaccountId, tenant -> up.resent(() -> up.twilio().purchaseNumber(
                new TenantNumber(subaccountId, phoneNumber)))
            .compose(bought -> NumberOnboarding.importAndRecord(up, subaccountId, tenant, bought, "Purchased",
                    held.resumed())
                .recover(err -> Future.succeededFuture(boughtButNotRecorded(bought, err)))))
        .compose(reply -> complete(up, subaccountId, held, reply),
            err -> release(up, subaccountId, held).compose(v -> Future.failedFuture(err)));
  }

  /**
   * 409 while another request holds the key. The store says when that request's lease runs out: a retry from
   * then on takes the claim over if the holder died; a retry before gets the response if it has finished.
   */
  private static ServiceException inProgress(IdempotencyClaim claimed) {
    if (claimed.leaseExpiresInMs() == null) {
      return new ServiceException(409, "IDEMPOTENCY_IN_PROGRESS",
          "a purchase with this Idempotency-Key is still running; retry shortly");
    }
    long seconds = Math.max(1, (claimed.leaseExpiresInMs() + 999) / 1000);
    return new ServiceException(409, "IDEMPOTENCY_IN_PROGRESS",
        "a purchase with this Idempotency-Key is still running; retry in " + seconds + " s with the same key "
            + "and body: you get its response if it has finished, or the purchase resumes if it was interrupted",
        new JsonObject().put("retryAfterSeconds", seconds));
  }

  /** A lease shorter than this gateway may hold a claim lets a retry take over a purchase that is still running. */
  private static void warnIfTheLeaseIsShort(ServiceCalls up, IdempotencyClaim claimed) {
    long longest = REQUESTS_WHILE_CLAIMED * up.timeoutMs();
    if (claimed.leaseExpiresInMs() != null && claimed.leaseExpiresInMs() < longest
        && LEASE_WARNED.compareAndSet(false, true)) {
      LOG.warn("store.idempotencyLeaseSeconds ({} s) is shorter than a purchase may hold its claim ({} bus "
              + "requests of bus.timeoutMs {} ms): a retry may resume a purchase that is still running "
              + "(it converges, but raise the lease)", claimed.leaseExpiresInMs() / 1000, REQUESTS_WHILE_CLAIMED,
          up.timeoutMs());
    }
  }

  private static FlowResult replay(IdempotencyClaim claimed) {
    JsonObject body = claimed.response() == null ? new JsonObject() : new JsonObject(claimed.response());
    return FlowResult.of(claimed.status() == null ? 200 : claimed.status(), body)
        .withHeader("Idempotent-Replayed", "true");
  }

  /** Bought at Twilio but the store did not take the record: say so, and never let a retry buy again. */
  private static FlowResult boughtButNotRecorded(TrunkNumber bought, Throwable err) {
    ServiceException e = ClientFailures.sanitize(err);
    LOG.error("purchased {} ({}) but could not record it: {}", bought.phoneNumber(), bought.sid(), e.code());
    // An answer, not a failure: the idempotency record keeps it, so a retry gets it again and never buys twice.
    return FlowResult.of(502, new ServiceException(502, "PURCHASED_NOT_RECORDED",
        "the number was purchased and is on the trunk, but recording it failed; "
            + "POST /twilio/phoneNumbers/import records it",
        new JsonObject().put("phoneNumber", bought.phoneNumber()).put("twilioSid", bought.sid())).toResponseBody());
  }

  private static Future<FlowResult> complete(ServiceCalls up, String subaccountId, Held held, FlowResult reply) {
    CompleteIdempotency completion = new CompleteIdempotency(subaccountId, held.key(), reply.status(),
        plainMap(reply.body()), held.leaseId());
    // Resent like the claim: a completion that already landed is refused the second time, and that is logged only.
    return up.resent(() -> up.store().completeIdempotency(completion))
        .map(v -> reply)
        .recover(err -> {
          // The purchase happened; the client must see it even if the key could not be closed (it expires).
          LOG.warn("request {} could not complete idempotency key: {}", up.requestId(),
              ClientFailures.sanitize(err).code());
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

  private static Future<Void> release(ServiceCalls up, String subaccountId, Held held) {
    ReleaseIdempotency release = new ReleaseIdempotency(subaccountId, held.key(), held.leaseId());
    return up.resent(() -> up.store().releaseIdempotency(release))
        .<Void>mapEmpty()
        .recover(err -> Future.succeededFuture());
  }

  public static String requestHash(String phoneNumber) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((OPERATION + "\n" + phoneNumber).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
