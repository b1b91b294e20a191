package dev.trunkline.store;

import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Clock;
import java.util.List;

/**
 * Reads and atomically updates {@code connectorsubaccount} documents. Every write is one {@code findAndModify}
 * that bumps {@code version}, so concurrent writers each apply whole and the last one wins; nothing is read and
 * then written unconditionally.
 */
final class ConnectorStore {
  private final MongoClient mongo;
  private final Clock clock;

  ConnectorStore(MongoClient mongo, Clock clock) {
    this.mongo = mongo;
    this.clock = clock;
  }

  Clock clock() {
    return clock;
  }

  /** One connector document, or null. */
  Future<JsonObject> find(String subaccountId, String connectorType) {
    return mongo.findOne(ConnectorDocs.COLLECTION, ConnectorDocs.key(subaccountId, connectorType), null);
  }

  /** The twilio and retell documents of a tenant in one query: [twilio-or-null, retell-or-null]. */
  Future<JsonObject[]> findBoth(String subaccountId) {
    JsonObject query = new JsonObject().put("subaccountId", subaccountId).put("connectorType",
        new JsonObject().put("$in", new JsonArray().add(ConnectorDocs.TWILIO).add(ConnectorDocs.RETELL)));
    return mongo.findWithOptions(ConnectorDocs.COLLECTION, query, new FindOptions().setLimit(2)).map(docs -> {
      JsonObject[] both = new JsonObject[2];
      for (JsonObject doc : docs) {
        both[ConnectorDocs.TWILIO.equals(doc.getString("connectorType")) ? 0 : 1] = doc;
      }
      return both;
    });
  }

  /** The tenant's connector as the gateway may see it; 404 when the tenant has no connector document at all. */
  Future<Connector> connector(String subaccountId) {
    return findBoth(subaccountId).map(both -> {
      if (both[0] == null && both[1] == null) {
        throw notFound(subaccountId);
      }
      return ConnectorDocs.connector(subaccountId, both[0], both[1]);
    });
  }

  /** The connector after a write that returned the new twilio document (the retell document is read). */
  Future<Connector> connectorWithTwilio(String subaccountId, JsonObject twilioDoc) {
    return find(subaccountId, ConnectorDocs.RETELL)
        .map(retell -> ConnectorDocs.connector(subaccountId, twilioDoc, retell));
  }

  /**
   * Applies an update to one connector document and returns the new document (null when the filter matched
   * nothing and {@code upsert} is false). {@code updatedAt}, {@code createdAt} (on insert) and the {@code version}
   * increment are added here.
   */
  Future<JsonObject> update(String subaccountId, String connectorType, JsonObject extraFilter, JsonObject set,
      JsonObject unset, boolean upsert) {
    JsonObject filter = ConnectorDocs.key(subaccountId, connectorType);
    if (extraFilter != null) {
      filter.mergeIn(extraFilter);
    }
    JsonObject now = Dates.of(clock.instant());
    JsonObject update = new JsonObject()
        .put("$set", (set == null ? new JsonObject() : set.copy()).put("updatedAt", now))
        .put("$inc", new JsonObject().put("version", 1));
    if (unset != null && !unset.isEmpty()) {
      update.put("$unset", unset);
    }
    if (upsert) {
      update.put("$setOnInsert", new JsonObject().put("createdAt", now));
    }
    UpdateOptions options = new UpdateOptions().setUpsert(upsert).setReturningNewDocument(true);
    return mongo.findOneAndUpdateWithOptions(ConnectorDocs.COLLECTION, filter, update, new FindOptions(), options);
  }

  /** {@link #update} as an upsert that survives losing a creation race to a concurrent upsert. */
  Future<JsonObject> upsert(String subaccountId, String connectorType, JsonObject extraFilter, JsonObject set,
      JsonObject unset) {
    return MongoFailures.upsertWithRetry(() -> update(subaccountId, connectorType, extraFilter, set, unset, true));
  }

  /** Every connector document, in pages by (subaccountId, connectorType), for bulk maintenance. */
  Future<List<JsonObject>> page(String afterSubaccount, String afterType, int limit) {
    JsonObject query = new JsonObject();
    if (afterSubaccount != null) {
      query.put("$or", new JsonArray()
          .add(new JsonObject().put("subaccountId", new JsonObject().put("$gt", afterSubaccount)))
          .add(new JsonObject().put("subaccountId", afterSubaccount)
              .put("connectorType", new JsonObject().put("$gt", afterType))));
    }
    FindOptions options = new FindOptions()
        .setSort(new JsonObject().put("subaccountId", 1).put("connectorType", 1))
        .setLimit(limit);
    return mongo.findWithOptions(ConnectorDocs.COLLECTION, query, options);
  }

  static ServiceException notFound(String subaccountId) {
    return ServiceException.notFound("CONNECTOR_NOT_FOUND", "tenant " + subaccountId + " has no connector");
  }
}
