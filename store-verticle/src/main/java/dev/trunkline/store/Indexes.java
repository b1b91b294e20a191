package dev.trunkline.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.util.concurrent.TimeUnit;

/**
 * Creates the store's indexes at start. {@code createIndexes} with the same keys and options is a no-op, so
 * this is idempotent and safe when several instances start at once. Collections are created by their first
 * index.
 */
final class Indexes {
  private Indexes() {}

  static Future<Void> ensure(MongoClient mongo) {
    return create(mongo, ConnectorDocs.COLLECTION,
            new JsonObject().put("subaccountId", 1).put("connectorType", 1),
            new IndexOptions().name("subaccountId_1_connectorType_1").unique(true))
        .compose(v -> create(mongo, PhoneNumberService.COLLECTION, new JsonObject().put("phone_number", 1),
            new IndexOptions().name("phone_number_1").unique(true)))
        // Serves "the numbers of a tenant" and, by prefix, every query on subaccountId alone; the listing
        // pages in phone-number order without a sort in memory.
        .compose(v -> create(mongo, PhoneNumberService.COLLECTION,
            new JsonObject().put("subaccountId", 1).put("phone_number", 1),
            new IndexOptions().name("subaccountId_1_phone_number_1")))
        .compose(v -> create(mongo, IdempotencyService.COLLECTION,
            new JsonObject().put("subaccountId", 1).put("key", 1),
            new IndexOptions().name("subaccountId_1_key_1").unique(true)))
        // TTL: a real MongoDB deletes a record once expiresAt has passed (expiry per document, so 0 here).
        .compose(v -> create(mongo, IdempotencyService.COLLECTION, new JsonObject().put("expiresAt", 1),
            new IndexOptions().name("expiresAt_ttl").expireAfter(0L, TimeUnit.SECONDS)))
        // The drift watch's "numbers of a tenant that are not OK", paged by number (_id).
        .compose(v -> create(mongo, DriftService.NUMBERS,
            new JsonObject().put("subaccountId", 1).put("status", 1).put("_id", 1),
            new IndexOptions().name("subaccountId_1_status_1__id_1")))
        // The sweep's walk of tenants with a trunk, in id order (the unique index leads with subaccountId too,
        // but this one lets the type filter run on the index).
        .compose(v -> create(mongo, ConnectorDocs.COLLECTION,
            new JsonObject().put("connectorType", 1).put("subaccountId", 1),
            new IndexOptions().name("connectorType_1_subaccountId_1")))
        // A tenant's recent operations, newest first; its idempotency keys per kind.
        .compose(v -> create(mongo, OperationService.COLLECTION,
            new JsonObject().put("subaccountId", 1).put("startedAt", -1),
            new IndexOptions().name("subaccountId_1_startedAt_-1")))
        .compose(v -> create(mongo, OperationService.COLLECTION,
            new JsonObject().put("subaccountId", 1).put("kind", 1).put("idempotencyKey", 1),
            new IndexOptions().name("subaccountId_1_kind_1_idempotencyKey_1")))
        .compose(v -> create(mongo, OperationService.COLLECTION, new JsonObject().put("expiresAt", 1),
            new IndexOptions().name("expiresAt_1")))
        // Results are read a page at a time in completion order.
        .compose(v -> create(mongo, OperationService.RESULTS,
            new JsonObject().put("operationId", 1).put("seq", 1),
            new IndexOptions().name("operationId_1_seq_1")));
  }

  private static Future<Void> create(MongoClient mongo, String collection, JsonObject keys, IndexOptions options) {
    return mongo.createIndexWithOptions(collection, keys, options).recover(err -> Future.failedFuture(
        new IllegalStateException("cannot create index " + options.getName() + " on " + collection + ": "
            + (MongoFailures.isDuplicateKey(err)
                ? "existing documents violate its uniqueness; remove the duplicates first"
                : firstLine(err.getMessage())))));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) : line;
  }
}
