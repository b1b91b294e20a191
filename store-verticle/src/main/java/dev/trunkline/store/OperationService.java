package dev.trunkline.store;

import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.CreateOperation;
import dev.trunkline.contract.StoreMessages.FinishOperation;
import dev.trunkline.contract.StoreMessages.ListOperations;
import dev.trunkline.contract.StoreMessages.OperationCreated;
import dev.trunkline.contract.StoreMessages.OperationList;
import dev.trunkline.contract.StoreMessages.OperationPage;
import dev.trunkline.contract.StoreMessages.OperationProgress;
import dev.trunkline.contract.StoreMessages.OperationRef;
import dev.trunkline.contract.StoreMessages.RecordProgress;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Long operations (audits, fixes, rotations run as resources; docs/api.md "Long operations") in three
 * collections:
 *
 * <ul>
 *   <li>{@code operations}: one document per operation ({@code _id} = its id) with state, counts, times, the
 *       owner's lease ({@code leaseUntil}) and, once done, the report without its results;</li>
 *   <li>{@code operation_results}: one document per recorded result, {@code {operationId, seq, phase, index,
 *       result}}, read a page at a time so no reader holds a 10,000-number report;</li>
 *   <li>{@code operations_running}: {@code _id} = tenant/kind while one runs: the database's unique {@code _id}
 *       makes "one at a time per tenant and kind" hold across every node.</li>
 * </ul>
 *
 * <p>A running operation whose owner stopped renewing its lease (its node died) is marked {@code failed} with the
 * results it recorded, when it is next read or when the next one of its kind starts.
 */
final class OperationService {
  static final String COLLECTION = "operations";
  static final String RESULTS = "operation_results";
  static final String RUNNING = "operations_running";
  /** A dry-run fix is a kind of its own: it changes nothing, so it neither waits for nor joins a real fix. */
  static final Set<String> KINDS = Set.of("audit", "fix", "fix-dry-run", "rotate");
  private static final int MAX_PAGE = 500;
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_BATCH = 1000;

  private final MongoClient mongo;
  private final Clock clock;

  OperationService(MongoClient mongo, Clock clock) {
    this.mongo = mongo;
    this.clock = clock;
  }

  Future<OperationCreated> create(CreateOperation request) {
    RequestChecks.body(request);
    String tenant = RequestChecks.tenant(request.subaccountId());
    if (!KINDS.contains(request.kind())) {
      throw ServiceException.badRequest("INVALID_KIND", "kind must be audit, fix, fix-dry-run or rotate");
    }
    String id = RequestChecks.text("operationId", request.operationId(), 100, true);
    String owner = RequestChecks.text("owner", request.owner(), 100, true);
    String key = RequestChecks.text("idempotencyKey", request.idempotencyKey(), 128, false);
    long now = clock.millis();
    JsonObject doc = new JsonObject()
        .put("_id", id).put("subaccountId", tenant).put("kind", request.kind()).put("state", "running")
        .put("owner", owner).put("leaseUntil", now + request.leaseMs())
        .put("request", request.request() == null ? new JsonObject() : new JsonObject(request.request()))
        .put("startedAt", now).put("done", 0L).put("successCount", 0L).put("failCount", 0L)
        .put("cancelRequested", false);
    if (key != null) {
      doc.put("idempotencyKey", key);
    }
    Future<JsonObject> replayed = key == null ? Future.succeededFuture()
        : mongo.findOne(COLLECTION, new JsonObject().put("subaccountId", tenant).put("kind", request.kind())
            .put("idempotencyKey", key), null);
    return replayed.compose(existing -> existing != null
        ? Future.succeededFuture(new OperationCreated(false, view(existing).getMap()))
        : claim(tenant, request.kind(), id, now, true).compose(claimed -> {
          if (claimed != null) {
            return Future.succeededFuture(new OperationCreated(false, claimed.getMap()));
          }
          return mongo.insert(COLLECTION, doc).map(v -> new OperationCreated(true, view(doc).getMap()));
        }));
  }

  /**
   * Takes the tenant's running slot of that kind for {@code id}; null when taken, else the running operation.
   * A slot whose operation is finished, gone or past its lease is taken over (the stale one is marked failed).
   */
  private Future<JsonObject> claim(String tenant, String kind, String id, long now, boolean retry) {
    String slot = tenant + "/" + kind;
    return mongo.insert(RUNNING, new JsonObject().put("_id", slot).put("operationId", id))
        .map(v -> (JsonObject) null)
        .recover(err -> {
          if (!MongoFailures.isDuplicateKey(err)) {
            return Future.failedFuture(err);
          }
          return mongo.findOne(RUNNING, new JsonObject().put("_id", slot), null).compose(running -> {
            if (running == null) {
              return retry ? claim(tenant, kind, id, now, false) : Future.failedFuture(busy());
            }
            String holder = running.getString("operationId");
            return mongo.findOne(COLLECTION, new JsonObject().put("_id", holder), null)
                .compose(this::expireIfLost)
                .compose(op -> {
                  if (op != null && "running".equals(op.getString("state"))) {
                    return Future.succeededFuture(view(op));
                  }
                  JsonObject same = new JsonObject().put("_id", slot).put("operationId", holder);
                  return mongo.findOneAndUpdateWithOptions(RUNNING, same,
                          new JsonObject().put("$set", new JsonObject().put("operationId", id)),
                          new FindOptions(), new UpdateOptions())
                      .compose(taken -> taken != null ? Future.succeededFuture((JsonObject) null)
                          : retry ? claim(tenant, kind, id, now, false) : Future.failedFuture(busy()));
                });
          });
        });
  }

  private static ServiceException busy() {
    return ServiceException.conflict("OPERATION_RUNNING", "another operation of this kind is starting; retry");
  }

  Future<OperationProgress> progress(RecordProgress request) {
    RequestChecks.body(request);
    String id = RequestChecks.text("operationId", request.operationId(), 100, true);
    String owner = RequestChecks.text("owner", request.owner(), 100, true);
    List<Map<String, Object>> results = request.results() == null ? List.of() : request.results();
    if (results.size() > MAX_BATCH) {
      throw ServiceException.badRequest("BATCH_TOO_LARGE", "at most " + MAX_BATCH + " results per record");
    }
    List<BulkOperation> inserts = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      long seq = request.firstSeq() + i;
      // _id = operation and seq: a resent batch overwrites itself instead of doubling.
      JsonObject doc = new JsonObject(results.get(i)).put("_id", id + "/" + seq).put("operationId", id)
          .put("seq", seq);
      inserts.add(BulkOperation.createReplace(new JsonObject().put("_id", doc.getString("_id")), doc, true));
    }
    JsonObject mine = new JsonObject().put("_id", id).put("owner", owner).put("state", "running");
    JsonObject update = new JsonObject()
        .put("$set", new JsonObject().put("leaseUntil", clock.millis() + request.leaseMs())
            .put("done", request.firstSeq() + results.size()))
        .put("$inc", new JsonObject().put("successCount", request.succeeded()).put("failCount", request.failed()));
    Future<?> written = inserts.isEmpty() ? Future.succeededFuture() : mongo.bulkWrite(RESULTS, inserts);
    return written.compose(v -> mongo.findOneAndUpdateWithOptions(COLLECTION, mine, update, new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true)))
        .map(op -> new OperationProgress(op != null, op != null && op.getBoolean("cancelRequested", false)));
  }

  Future<JsonObject> finish(FinishOperation request) {
    RequestChecks.body(request);
    String id = RequestChecks.text("operationId", request.operationId(), 100, true);
    String owner = RequestChecks.text("owner", request.owner(), 100, true);
    long now = clock.millis();
    JsonObject set = new JsonObject().put("state", request.state()).put("status", request.status())
        .put("finishedAt", now).put("expiresAt", Dates.of(Instant.ofEpochMilli(now + request.retainMs())));
    if (request.report() != null) {
      set.put("report", new JsonObject(request.report()));
    }
    JsonObject mine = new JsonObject().put("_id", id).put("owner", owner).put("state", "running");
    return mongo.findOneAndUpdateWithOptions(COLLECTION, mine, new JsonObject().put("$set", set),
            new FindOptions(), new UpdateOptions().setReturningNewDocument(true))
        .compose(op -> op == null ? Future.<JsonObject>failedFuture(notFound())
            : release(op).map(v -> view(op)));
  }

  /** Frees the tenant's running slot of that kind if it is still this operation's. */
  private Future<Void> release(JsonObject op) {
    return mongo.removeDocument(RUNNING, new JsonObject().put("_id", op.getString("subaccountId") + "/"
            + op.getString("kind")).put("operationId", op.getString("_id"))).mapEmpty();
  }

  Future<JsonObject> get(OperationPage request) {
    RequestChecks.body(request);
    String tenant = RequestChecks.tenant(request.subaccountId());
    int limit = request.limit() == null ? DEFAULT_PAGE : request.limit();
    if (limit < 1 || limit > MAX_PAGE) {
      throw ServiceException.badRequest("INVALID_LIMIT", "limit must be from 1 to " + MAX_PAGE);
    }
    return find(tenant, request.operationId()).compose(op -> {
      JsonObject query = new JsonObject().put("operationId", op.getString("_id"));
      if (request.after() != null) {
        query.put("seq", new JsonObject().put("$gt", request.after()));
      }
      FindOptions page = new FindOptions().setSort(new JsonObject().put("seq", 1)).setLimit(limit + 1)
          .setFields(new JsonObject().put("_id", 0).put("operationId", 0));
      return mongo.findWithOptions(RESULTS, query, page).map(found -> {
        JsonArray results = new JsonArray();
        found.stream().limit(limit).forEach(results::add);
        Long next = found.size() > limit ? found.get(limit - 1).getLong("seq") : null;
        return view(op).put("results", results).put("next", next);
      });
    });
  }

  Future<OperationList> list(ListOperations request) {
    RequestChecks.body(request);
    String tenant = RequestChecks.tenant(request.subaccountId());
    int limit = request.limit() == null ? 20 : request.limit();
    if (limit < 1 || limit > 100) {
      throw ServiceException.badRequest("INVALID_LIMIT", "limit must be from 1 to 100");
    }
    FindOptions newest = new FindOptions().setSort(new JsonObject().put("startedAt", -1)).setLimit(limit)
        .setFields(new JsonObject().put("report", 0));
    return mongo.findWithOptions(COLLECTION, new JsonObject().put("subaccountId", tenant), newest)
        .compose(found -> Future.all(found.stream().map(this::expireIfLost).toList()))
        .map(all -> new OperationList(all.<JsonObject>list().stream().map(op -> view(op).getMap()).toList()));
  }

  Future<JsonObject> cancel(OperationRef request) {
    RequestChecks.body(request);
    String tenant = RequestChecks.tenant(request.subaccountId());
    return find(tenant, request.operationId()).compose(op -> {
      if (!"running".equals(op.getString("state"))) {
        return Future.succeededFuture(view(op));
      }
      return mongo.findOneAndUpdateWithOptions(COLLECTION,
              new JsonObject().put("_id", op.getString("_id")).put("state", "running"),
              new JsonObject().put("$set", new JsonObject().put("cancelRequested", true)), new FindOptions(),
              new UpdateOptions().setReturningNewDocument(true))
          .map(updated -> view(updated == null ? op : updated));
    });
  }

  /** The tenant's operation, a lost one marked failed; another tenant's is not found (its id leaks nothing). */
  private Future<JsonObject> find(String tenant, String operationId) {
    String id = RequestChecks.text("operationId", operationId, 100, true);
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", id).put("subaccountId", tenant), null)
        .compose(op -> op == null ? Future.failedFuture(notFound()) : expireIfLost(op));
  }

  /**
   * A running operation past its owner's lease: its node died (a live owner renews with each batch and a
   * heartbeat). It is marked failed with what it recorded; the fix is idempotent, so a new request redoes the rest.
   */
  private Future<JsonObject> expireIfLost(JsonObject op) {
    if (op == null || !"running".equals(op.getString("state")) || op.getLong("leaseUntil", 0L) > clock.millis()) {
      return Future.succeededFuture(op);
    }
    long now = clock.millis();
    JsonObject set = new JsonObject().put("state", "failed").put("status", 502).put("finishedAt", now)
        .put("error", new JsonObject().put("code", "OPERATION_NODE_LOST")
            .put("message", "the node running this operation stopped; the results recorded before are kept"));
    JsonObject lost = new JsonObject().put("_id", op.getString("_id")).put("state", "running")
        .put("leaseUntil", new JsonObject().put("$lte", now));
    return mongo.findOneAndUpdateWithOptions(COLLECTION, lost, new JsonObject().put("$set", set),
            new FindOptions(), new UpdateOptions().setReturningNewDocument(true))
        .compose(updated -> updated == null ? mongo.findOne(COLLECTION, new JsonObject().put("_id",
            op.getString("_id")), null) : release(updated).map(v -> updated));
  }

  /** Finished operations past their expiry, with their results (the embedded server has no TTL index). */
  Future<Long> deleteExpired() {
    JsonObject expired = new JsonObject().put("expiresAt", new JsonObject().put("$lte", Dates.of(clock.instant())));
    FindOptions batch = new FindOptions().setLimit(MAX_BATCH).setFields(new JsonObject().put("_id", 1));
    return mongo.findWithOptions(COLLECTION, expired, batch).compose(ops -> {
      if (ops.isEmpty()) {
        return Future.succeededFuture(0L);
      }
      JsonArray ids = new JsonArray(ops.stream().map(op -> op.getValue("_id")).toList());
      return mongo.removeDocuments(RESULTS, new JsonObject().put("operationId", new JsonObject().put("$in", ids)))
          .compose(v -> mongo.removeDocuments(COLLECTION, new JsonObject().put("_id", new JsonObject().put("$in", ids))))
          .map(result -> result == null ? 0L : result.getRemovedCount());
    });
  }

  private static ServiceException notFound() {
    return ServiceException.notFound("OPERATION_NOT_FOUND", "no such operation for this tenant");
  }

  /** What callers see: the document without its lease bookkeeping, {@code operationId} for {@code _id}. */
  static JsonObject view(JsonObject op) {
    JsonObject view = op.copy();
    view.put("operationId", view.remove("_id"));
    view.remove("owner");
    view.remove("leaseUntil");
    view.remove("idempotencyKey");
    Object expires = view.remove("expiresAt");
    if (expires != null) {
      view.put("expiresAt", Dates.millis(expires));
    }
    return view;
  }
}
