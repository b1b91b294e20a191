package dev.trunkline.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.trunkline.contract.Errors;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.ClaimIdempotency;
import dev.trunkline.contract.StoreMessages.ClaimState;
import dev.trunkline.contract.StoreMessages.CompleteIdempotency;
import dev.trunkline.contract.StoreMessages.Deleted;
import dev.trunkline.contract.StoreMessages.IdempotencyClaim;
import dev.trunkline.contract.StoreMessages.ReleaseIdempotency;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Idempotency records: {@code {subaccountId, key, operation, requestHash, state, status, response, createdAt,
 * completedAt, expiresAt}}, unique on (subaccountId, key), removed by a TTL index on {@code expiresAt}.
 *
 * <p>A claim is an insert: exactly one of any number of concurrent claims wins the unique index. The TTL monitor
 * of a real MongoDB deletes expired records about once a minute and the embedded server not at all, so an
 * expired record is treated as absent here and taken over with a conditional update.
 *
 * <p>The recorded response is kept as a JSON string: response bodies may carry field names a MongoDB document
 * cannot (dots, leading dollars). It must not hold secrets (it is stored in clear).
 */
final class IdempotencyService {
  static final String COLLECTION = "idempotency";
  static final String IN_PROGRESS = "IN_PROGRESS";
  static final String COMPLETED = "COMPLETED";
  static final int MAX_RESPONSE_CHARS = 256 * 1024;
  private static final int CLAIM_ATTEMPTS = 3;

  private final MongoClient mongo;
  private final Clock clock;
  private final Duration ttl;

  IdempotencyService(MongoClient mongo, Clock clock, Duration ttl) {
    this.mongo = mongo;
    this.clock = clock;
    this.ttl = ttl;
  }

  Future<IdempotencyClaim> claim(ClaimIdempotency claim) {
    Checks.body(claim);
    String tenant = Checks.tenant(claim.subaccountId());
    String key = checkKey(claim.key());
    String operation = Checks.text("operation", claim.operation(), 100, true);
    String hash = Checks.text("requestHash", claim.requestHash(), 200, true);
    return claimAttempt(tenant, key, operation, hash, 1);
  }

  private Future<IdempotencyClaim> claimAttempt(String tenant, String key, String operation, String hash,
      int attempt) {
    Instant now = clock.instant();
    JsonObject record = ref(tenant, key)
        .put("operation", operation)
        .put("requestHash", hash)
        .put("state", IN_PROGRESS)
        .put("createdAt", Dates.of(now))
        .put("expiresAt", Dates.of(now.plus(ttl)));
    return mongo.insert(COLLECTION, record)
        .map(id -> new IdempotencyClaim(ClaimState.CLAIMED, null, null))
        .recover(err -> {
          if (!MongoFailures.isDuplicateKey(err)) {
            return Future.failedFuture(err);
          }
          return mongo.findOne(COLLECTION, ref(tenant, key), null).compose(existing -> {
            if (existing == null || expired(existing, now)) {
              if (attempt >= CLAIM_ATTEMPTS) {
                return Future.failedFuture(ServiceException.conflict("CONCURRENT_MODIFICATION",
                    "idempotency key is being claimed concurrently; retry"));
              }
              Future<Void> cleared = existing == null ? Future.succeededFuture()
                  : removeIfStillExpired(tenant, key, existing);
              return cleared.compose(v -> claimAttempt(tenant, key, operation, hash, attempt + 1));
            }
            return Future.succeededFuture(answerExisting(existing, operation, hash));
          });
        });
  }

  /** Deletes an expired record only if it is still that record (its expiry unchanged), so a fresh one survives. */
  private Future<Void> removeIfStillExpired(String tenant, String key, JsonObject existing) {
    JsonObject filter = ref(tenant, key).put("expiresAt", existing.getValue("expiresAt"));
    return mongo.removeDocument(COLLECTION, filter).mapEmpty();
  }

  private IdempotencyClaim answerExisting(JsonObject existing, String operation, String hash) {
    if (!hash.equals(existing.getString("requestHash")) || !operation.equals(existing.getString("operation"))) {
      throw new ServiceException(Errors.UNPROCESSABLE, "IDEMPOTENCY_KEY_REUSED",
          "this idempotency key was used for a different request");
    }
    if (COMPLETED.equals(existing.getString("state"))) {
      return new IdempotencyClaim(ClaimState.COMPLETED, existing.getInteger("status"),
          readResponse(existing.getString("response")));
    }
    return new IdempotencyClaim(ClaimState.IN_PROGRESS, null, null);
  }

  /** Records the outcome of a claimed key; only an unexpired IN_PROGRESS record can complete. */
  Future<IdempotencyClaim> complete(CompleteIdempotency complete) {
    Checks.body(complete);
    String tenant = Checks.tenant(complete.subaccountId());
    String key = checkKey(complete.key());
    if (complete.status() < 100 || complete.status() > 599) {
      throw ServiceException.badRequest("INVALID_STATUS", "status must be an HTTP status from 100 to 599");
    }
    String response = writeResponse(complete.response());
    Instant now = clock.instant();
    JsonObject filter = ref(tenant, key).put("state", IN_PROGRESS)
        .put("expiresAt", new JsonObject().put("$gt", Dates.of(now)));
    JsonObject update = new JsonObject().put("$set", new JsonObject()
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
      return mongo.findOne(COLLECTION, ref(tenant, key), null).compose(existing ->
          Future.failedFuture(existing == null || expired(existing, now)
              ? ServiceException.notFound("IDEMPOTENCY_NOT_FOUND", "no claim for this idempotency key")
              : ServiceException.conflict("IDEMPOTENCY_ALREADY_COMPLETED",
                  "this idempotency key has already been completed")));
    });
  }

  /** Gives an IN_PROGRESS claim back so a retry can run; a completed record stays. */
  Future<Deleted> release(ReleaseIdempotency release) {
    Checks.body(release);
    String tenant = Checks.tenant(release.subaccountId());
    String key = checkKey(release.key());
    return mongo.removeDocument(COLLECTION, ref(tenant, key).put("state", IN_PROGRESS))
        .map(result -> new Deleted(result.getRemovedCount() > 0));
  }

  private boolean expired(JsonObject record, Instant now) {
    return Dates.millis(record.getValue("expiresAt")) <= now.toEpochMilli();
  }

  private static JsonObject ref(String tenant, String key) {
    return new JsonObject().put("subaccountId", tenant).put("key", key);
  }

  private static String checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
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
}
