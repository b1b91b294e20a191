package dev.trunkline.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.trunkline.contract.Errors;
import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.ClaimState;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.Deleted;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.ReleaseIdempotency;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotency records: {@code {subaccountId, key, operation, requestHash, state, leaseId, leaseUntil, attempts,
 * claimedAt, status, response, createdAt, completedAt, expiresAt}}, unique on (subaccountId, key), removed by a
 * TTL index on {@code expiresAt}.
 *
 * <p>A claim is an insert: exactly one of any number of concurrent claims wins the unique index. The TTL monitor
 * of a real MongoDB deletes expired records about once a minute and the embedded server not at all, so an
 * expired record is treated as absent here and taken over with a conditional update.
 *
 * <p>An {@code IN_PROGRESS} claim is a lease: its holder owns it until {@code leaseUntil}. A holder that dies
 * (kill -9, OOM, a deploy) between claim and complete/release would otherwise block the key for its whole TTL;
 * once the lease has run out, the next claim for the same request takes the record over with one conditional
 * {@code findOneAndUpdate} (still {@code IN_PROGRESS}, same request, lease run out), so of any number of
 * concurrent takeovers exactly one matches. The winner gets a new {@code leaseId}; complete and release given a
 * lease id only touch that claim, so a holder that was merely slow cannot close or free its successor's. A
 * takeover means the earlier holder may have done part of the work: the caller is told ({@code takenOver}) and
 * must converge on it (the purchase flow does). Times are the store's clock only; callers get durations.
 *
 * <p>The recorded response is kept as a JSON string: response bodies may carry field names a MongoDB document
 * cannot (dots, leading dollars). It must not hold secrets (it is stored in clear).
 */
final class IdempotencyService {
  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyService.class);
  static final String COLLECTION = "idempotency";
  static final String IN_PROGRESS = "IN_PROGRESS";
  static final String COMPLETED = "COMPLETED";
  static final int MAX_RESPONSE_CHARS = 256 * 1024;
  private static final int CLAIM_ATTEMPTS = 3;

  private final MongoClient mongo;
  private final Clock clock;
  private final Duration ttl;
  private final Duration lease;

  IdempotencyService(MongoClient mongo, Clock clock, Duration ttl, Duration lease) {
    this.mongo = mongo;
    this.clock = clock;
    this.ttl = ttl;
    this.lease = lease;
  }

  Future<IdempotencyClaim> claim(ClaimIdempotency claim) {
    RequestChecks.body(claim);
    String tenant = RequestChecks.tenant(claim.subaccountId());
    String key = checkKey(claim.key());
    String operation = RequestChecks.text("operation", claim.operation(), 100, true);
    String hash = RequestChecks.text("requestHash", claim.requestHash(), 200, true);
    String proposed = checkLeaseId(claim.leaseId());
    return claimAttempt(tenant, key, operation, hash, proposed, 1);
  }

  private Future<IdempotencyClaim> claimAttempt(String tenant, String key, String operation, String hash,
      String proposed, int attempt) {
    Instant now = clock.instant();
    String leaseId = proposed != null ? proposed : UUID.randomUUID().toString();
    JsonObject record = ref(tenant, key)
        .put("operation", operation)
        .put("requestHash", hash)
        .put("state", IN_PROGRESS)
        .put("leaseId", leaseId)
        .put("leaseUntil", Dates.of(now.plus(lease)))
        .put("attempts", 1)
        .put("claimedAt", Dates.of(now))
        .put("createdAt", Dates.of(now))
        .put("expiresAt", Dates.of(now.plus(ttl)));
    return mongo.insert(COLLECTION, record)
        .map(id -> claimed(leaseId, false))
        .recover(err -> {
          if (!MongoFailures.isDuplicateKey(err)) {
            return Future.failedFuture(err);
          }
          return mongo.findOne(COLLECTION, ref(tenant, key), null).compose(existing -> {
            boolean live = existing != null && !expired(existing, now);
            if (live && proposed != null && IN_PROGRESS.equals(existing.getString("state"))
                && proposed.equals(existing.getString("leaseId")) && sameRequest(existing, operation, hash)) {
              // This very claim, sent again: its first answer was lost (a store node died with it).
              return Future.succeededFuture(claimed(proposed, existing.getInteger("attempts", 1) > 1));
            }
            if (live && !abandoned(existing, operation, hash, now)) {
              return Future.succeededFuture(answerExisting(existing, operation, hash, now));
            }
            if (attempt >= CLAIM_ATTEMPTS) {
              return Future.failedFuture(ServiceException.conflict("CONCURRENT_MODIFICATION",
                  "idempotency key is being claimed concurrently; retry"));
            }
            // An abandoned claim is taken over in place; an expired record is removed and claimed anew.
            Future<IdempotencyClaim> taken = live ? takeOver(tenant, key, operation, hash, leaseId, now)
                : existing == null ? Future.succeededFuture()
                : removeIfStillExpired(tenant, key, existing).map(v -> null);
            return taken.compose(won -> won != null ? Future.succeededFuture(won)
                : claimAttempt(tenant, key, operation, hash, proposed, attempt + 1));
          });
        });
  }

  /**
   * Takes over an IN_PROGRESS claim whose lease has run out, in one conditional update: it only matches while
   * the record is still that abandoned claim of this request, so of concurrent takeovers exactly one wins (the
   * others, and a holder that completed or released meanwhile, make it match nothing). Null when it lost.
   */
  private Future<IdempotencyClaim> takeOver(String tenant, String key, String operation, String hash,
      String leaseId, Instant now) {
    JsonObject filter = ref(tenant, key)
        .put("state", IN_PROGRESS)
        .put("operation", operation)
        .put("requestHash", hash)
        .put("expiresAt", new JsonObject().put("$gt", Dates.of(now)))
        .put("$or", new JsonArray()
            .add(new JsonObject().put("leaseUntil", new JsonObject().put("$lte", Dates.of(now))))
            // A claim written before leases existed: its lease is counted from its creation.
            .add(new JsonObject().putNull("leaseUntil")
                .put("createdAt", new JsonObject().put("$lte", Dates.of(now.minus(lease))))));
    JsonObject update = new JsonObject()
        .put("$set", new JsonObject()
            .put("leaseId", leaseId)
            .put("leaseUntil", Dates.of(now.plus(lease)))
            .put("claimedAt", Dates.of(now))
            .put("expiresAt", Dates.of(now.plus(ttl))))
        .put("$inc", new JsonObject().put("attempts", 1));
    return mongo.findOneAndUpdateWithOptions(COLLECTION, filter, update, new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .map(taken -> {
          if (taken == null) {
            return null;
          }
          LOG.warn("idempotency key of tenant {} for {}: the claim's lease ran out without completion (its holder "
              + "stopped?); taken over, attempt {}", tenant, operation, taken.getValue("attempts"));
          return claimed(leaseId, true);
        });
  }

  /** Deletes an expired record only if it is still that record (its expiry unchanged), so a fresh one survives. */
  private Future<Void> removeIfStillExpired(String tenant, String key, JsonObject existing) {
    JsonObject filter = ref(tenant, key).put("expiresAt", existing.getValue("expiresAt"));
    return mongo.removeDocument(COLLECTION, filter).mapEmpty();
  }

  private IdempotencyClaim claimed(String leaseId, boolean takenOver) {
    return new IdempotencyClaim(ClaimState.CLAIMED, null, null, leaseId, lease.toMillis(), takenOver);
  }

  private IdempotencyClaim answerExisting(JsonObject existing, String operation, String hash, Instant now) {
    if (!sameRequest(existing, operation, hash)) {
      throw new ServiceException(Errors.UNPROCESSABLE, "IDEMPOTENCY_KEY_REUSED",
          "this idempotency key was used for a different request");
    }
    if (COMPLETED.equals(existing.getString("state"))) {
      return new IdempotencyClaim(ClaimState.COMPLETED, existing.getInteger("status"),
          readResponse(existing.getString("response")));
    }
    long remaining = Math.max(1, leaseUntil(existing) - now.toEpochMilli());
    return new IdempotencyClaim(ClaimState.IN_PROGRESS, null, null, null, remaining, false);
  }

  /**
   * Records the outcome of a claimed key; only an unexpired IN_PROGRESS record can complete, and with a lease id
   * only that claim (a holder whose lease ran out completes as long as nobody took the claim over).
   */
  Future<IdempotencyClaim> complete(CompleteIdempotency complete) {
    RequestChecks.body(complete);
    String tenant = RequestChecks.tenant(complete.subaccountId());
    String key = checkKey(complete.key());
    String leaseId = checkLeaseId(complete.leaseId());
    if (complete.status() < 100 || complete.status() > 599) {
      throw ServiceException.badRequest("INVALID_STATUS", "status must be an HTTP status from 100 to 599");
    }
    String response = writeResponse(complete.response());
    Instant now = clock.instant();
    JsonObject filter = owned(ref(tenant, key), leaseId).put("state", IN_PROGRESS)
        .put("expiresAt", new JsonObject().put("$gt", Dates.of(now)));
    JsonObject update = new JsonObject()
        .put("$set", new JsonObject()
            .put("state", COMPLETED)
            .put("status", complete.status())
            .put("response", response)
            .put("completedAt", Dates.of(now))
            .put("expiresAt", Dates.of(now.plus(ttl))));
    return mongo.updateCollection(COLLECTION, filter, update).compose(result -> {
      if (result.getDocMatched() > 0) {
        return Future.succeededFuture(
            new IdempotencyClaim(ClaimState.COMPLETED, complete.status(), complete.response()));
      }
      return mongo.findOne(COLLECTION, ref(tenant, key), null).compose(existing -> {
        if (existing == null || expired(existing, now)) {
          return Future.failedFuture(
              ServiceException.notFound("IDEMPOTENCY_NOT_FOUND", "no claim for this idempotency key"));
        }
        if (IN_PROGRESS.equals(existing.getString("state"))) {
          return Future.failedFuture(ServiceException.conflict("IDEMPOTENCY_LEASE_LOST",
              "this claim's lease ran out and another request took the idempotency key over"));
        }
        return Future.failedFuture(ServiceException.conflict("IDEMPOTENCY_ALREADY_COMPLETED",
            "this idempotency key has already been completed"));
      });
    });
  }

  /** Gives an IN_PROGRESS claim back so a retry can run (with a lease id, only that claim); a completed one stays. */
  Future<Deleted> release(ReleaseIdempotency release) {
    RequestChecks.body(release);
    String tenant = RequestChecks.tenant(release.subaccountId());
    String key = checkKey(release.key());
    String leaseId = checkLeaseId(release.leaseId());
    return mongo.removeDocument(COLLECTION, owned(ref(tenant, key), leaseId).put("state", IN_PROGRESS))
        .map(result -> new Deleted(result.getRemovedCount() > 0));
  }

  private static JsonObject owned(JsonObject filter, String leaseId) {
    return leaseId == null ? filter : filter.put("leaseId", leaseId);
  }

  private static boolean sameRequest(JsonObject record, String operation, String hash) {
    return hash.equals(record.getString("requestHash")) && operation.equals(record.getString("operation"));
  }

  /** When the claim's lease ends; a record written before leases existed counts from its creation. */
  private long leaseUntil(JsonObject record) {
    Object until = record.getValue("leaseUntil");
    return until != null ? Dates.millis(until) : Dates.millis(record.getValue("createdAt")) + lease.toMillis();
  }

  /** An IN_PROGRESS claim of this very request whose lease has run out: its holder stopped before finishing. */
  private boolean abandoned(JsonObject record, String operation, String hash, Instant now) {
    return IN_PROGRESS.equals(record.getString("state")) && sameRequest(record, operation, hash)
        && leaseUntil(record) <= now.toEpochMilli();
  }

  private boolean expired(JsonObject record, Instant now) {
    return Dates.millis(record.getValue("expiresAt")) <= now.toEpochMilli();
  }

  private static JsonObject ref(String tenant, String key) {
    return new JsonObject().put("subaccountId", tenant).put("key", key);
  }

  private static String checkLeaseId(String leaseId) {
    if (leaseId == null) {
      return null;
    }
    if (leaseId.isEmpty() || leaseId.length() > 64 || !leaseId.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
      throw ServiceException.badRequest("INVALID_LEASE_ID", "leaseId must be the one a claim answered");
    }
    return leaseId;
  }

  private static String checkKey(String key) {
    if (!Identifiers.IDEMPOTENCY_KEY.matcher(key == null ? "" : key).matches()) {
      throw ServiceException.badRequest("INVALID_IDEMPOTENCY_KEY",
          "the idempotency key must be 1 to 255 visible ASCII characters");
    }
    return key;
  }

  private static String writeResponse(Map<String, Object> response) {
    if (response == null) {
      return null;
    }
    try {
      String json = Json.MAPPER.writeValueAsString(response);
      if (json.length() > MAX_RESPONSE_CHARS) {
        throw ServiceException.badRequest("RESPONSE_TOO_LARGE", "the recorded response is larger than 256 KiB");
      }
      return json;
    } catch (JsonProcessingException e) {
      throw ServiceException.badRequest("INVALID_RESPONSE", "the response cannot be encoded as JSON");
    }
  }

  private static Map<String, Object> readResponse(String json) {
    if (json == null) {
      return null;
    }
    try {
      return Json.MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new ServiceException(500, "STORE_ERROR", "the recorded response cannot be read");
    }
  }
  /**
   * Deletes the records whose {@code expiresAt} has passed and says how many. A real MongoDB does this itself
   * through the TTL index; the embedded server keeps TTL indexes without applying them, so the store calls this
   * periodically there (reads already ignore expired records; this keeps the file from growing for ever).
   */
  Future<Long> deleteExpired() {
    JsonObject expired = new JsonObject().put("expiresAt", new JsonObject().put("$lte", Dates.of(clock.instant())));
    return mongo.removeDocuments(COLLECTION, expired)
        .map(result -> result == null ? 0L : result.getRemovedCount());
  }
}
