package dev.trunkline.store;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.DriftNumber;
import dev.trunkline.contract.StoreMessages.DriftNumberPage;
import dev.trunkline.contract.StoreMessages.DriftSummary;
import dev.trunkline.contract.StoreMessages.DriftSweep;
import dev.trunkline.contract.StoreMessages.DriftTenant;
import dev.trunkline.contract.StoreMessages.DriftTenantPage;
import dev.trunkline.contract.StoreMessages.ListDriftNumbers;
import dev.trunkline.contract.StoreMessages.ListDriftTenants;
import dev.trunkline.contract.StoreMessages.PutDriftTenant;
import dev.trunkline.contract.StoreMessages.RecordDriftCheck;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * What the drift watch remembers (docs/drift.md), in three collections of its own so that nothing the flows read
 * changes shape:
 *
 * <pre>
 * driftnumbers { _id: phone_number, subaccountId, status, checkedAt, driftedSince?, repairedAt?, repairFailures,
 *                nextRepairAt? }
 * drifttenants { _id: subaccountId, policy, lastSweep? }
 * driftsweep   { _id: "sweep", tenant, after, startedAt, numberCount, position }
 * </pre>
 *
 * Times are epoch milliseconds. Every write is one conditional update on its document, never a read then a write,
 * so two writers (a sweep and a policy change) cannot lose each other's fields.
 */
final class DriftService {
  static final String NUMBERS = "driftnumbers";
  static final String TENANTS = "drifttenants";
  static final String SWEEP = "driftsweep";
  static final Set<String> STATUSES = Set.of("OK", "MISSING_USERNAME", "WRONG_USERNAME", "WRONG_TERMINATION_URI",
      "NOT_IN_RETELL", "ERROR");
  static final Set<String> POLICIES = Set.of("report", "repair");
  static final String DEFAULT_POLICY = "report";
  private static final int MAX_BACKOFF_DOUBLINGS = 6;

  private final MongoClient mongo;
  private final Clock clock;

  DriftService(MongoClient mongo, Clock clock) {
    this.mongo = mongo;
    this.clock = clock;
  }

  /** Tenants whose Twilio connector has a trunk (a termination URI), in id order. */
  Future<DriftTenantPage> tenants(ListDriftTenants request) {
    RequestChecks.body(request);
    int limit = limit(request.limit());
    JsonObject query = new JsonObject().put("connectorType", ConnectorDocs.TWILIO)
        .put(ConnectorDocs.RI + ".terminationSipUri", new JsonObject().put("$exists", true));
    boolean first = request.after() == null || request.after().isEmpty();
    if (!first) {
      query.put("subaccountId", new JsonObject().put("$gt", request.after()));
    }
    FindOptions options = new FindOptions().setSort(new JsonObject().put("subaccountId", 1)).setLimit(limit + 1)
        .setFields(new JsonObject().put("subaccountId", 1));
    Future<Long> count = first ? mongo.count(PhoneNumberService.COLLECTION, new JsonObject().put("retellStatus",
        new JsonObject().put("$ne", RetellStatus.REMOVED.name()))) : Future.succeededFuture(null);
    return mongo.findWithOptions(ConnectorDocs.COLLECTION, query, options).compose(docs -> count.map(n -> {
      boolean more = docs.size() > limit;
      List<String> ids = docs.stream().limit(limit).map(d -> d.getString("subaccountId")).toList();
      return new DriftTenantPage(ids, more ? ids.get(ids.size() - 1) : null, n);
    }));
  }

  /**
   * Records an inspection: status and time always; {@code driftedSince} set by the first not-OK status (ERROR is
   * no news: it neither starts nor ends a drift) and cleared by OK; a repair's outcome counts failures and sets the
   * next attempt's time, doubling the back-off per failure, or clears them.
   */
  Future<DriftNumber> record(RecordDriftCheck check) {
    RequestChecks.body(check);
    String tenant = RequestChecks.tenant(check.subaccountId());
    String phone = Identifiers.requirePhoneNumber(check.phoneNumber());
    if (check.status() == null || !STATUSES.contains(check.status())) {
      throw ServiceException.badRequest("INVALID_STATUS", "status must be one of " + STATUSES);
    }
    if (check.repair() != null && !check.repair().equals("REPAIRED") && !check.repair().equals("REPAIR_FAILED")) {
      throw ServiceException.badRequest("INVALID_REPAIR", "repair must be REPAIRED or REPAIR_FAILED");
    }
    long now = clock.millis();
    JsonObject set = new JsonObject().put("subaccountId", tenant).put("status", check.status())
        .put("checkedAt", now);
    JsonObject unset = new JsonObject();
    JsonObject inc = new JsonObject();
    if ("OK".equals(check.status())) {
      unset.put("driftedSince", "");
    }
    if ("REPAIRED".equals(check.repair())) {
      set.put("repairedAt", now).put("repairFailures", 0);
      unset.put("nextRepairAt", "");
    } else if ("REPAIR_FAILED".equals(check.repair())) {
      inc.put("repairFailures", 1);
    } else if ("OK".equals(check.status())) {
      set.put("repairFailures", 0);
      unset.put("nextRepairAt", "");
    }
    JsonObject update = new JsonObject().put("$set", set);
    if (!unset.isEmpty()) {
      update.put("$unset", unset);
    }
    if (!inc.isEmpty()) {
      update.put("$inc", inc);
    } else if (!set.containsKey("repairFailures")) {
      update.put("$setOnInsert", new JsonObject().put("repairFailures", 0));
    }
    // The tenant in the filter: a number that moved to another tenant is not written over (duplicate _id: 409).
    JsonObject filter = new JsonObject().put("_id", phone).put("subaccountId", tenant);
    UpdateOptions upsert = new UpdateOptions().setUpsert(true).setReturningNewDocument(true);
    return MongoFailures.upsertWithRetry(
            () -> mongo.findOneAndUpdateWithOptions(NUMBERS, filter, update, new FindOptions(), upsert))
        .recover(err -> Future.failedFuture(MongoFailures.isDuplicateKey(err)
            ? ServiceException.conflict("NUMBER_OWNED_ELSEWHERE", "phone number " + phone
                + " is recorded for another tenant") : err))
        .compose(doc -> followUps(doc, check, now));
  }

  /** The second, conditional step: when the drift started, and when a failed repair may be tried again. */
  private Future<DriftNumber> followUps(JsonObject doc, RecordDriftCheck check, long now) {
    JsonObject set = new JsonObject();
    JsonObject filter = new JsonObject().put("_id", doc.getString("_id"));
    if (!"OK".equals(check.status()) && !"ERROR".equals(check.status()) && doc.getValue("driftedSince") == null) {
      set.put("driftedSince", now);
      filter.put("driftedSince", new JsonObject().put("$exists", false));
    }
    if ("REPAIR_FAILED".equals(check.repair())) {
      int failures = doc.getInteger("repairFailures", 1);
      long backoff = Math.max(1, check.repairBackoffMs()) << Math.min(MAX_BACKOFF_DOUBLINGS, failures);
      set.put("nextRepairAt", now + backoff);
    }
    if (set.isEmpty()) {
      return Future.succeededFuture(toNumber(doc));
    }
    UpdateOptions options = new UpdateOptions().setReturningNewDocument(true);
    return mongo.findOneAndUpdateWithOptions(NUMBERS, filter, new JsonObject().put("$set", set), new FindOptions(),
            options)
        .compose(updated -> updated != null ? Future.succeededFuture(toNumber(updated))
            // Another writer set driftedSince first: its value stands; read what is there now.
            : mongo.findOne(NUMBERS, new JsonObject().put("_id", doc.getString("_id")), null)
                .map(d -> toNumber(d == null ? doc : d)));
  }

  /** The tenant's numbers whose last status is not OK, by phone number. */
  Future<DriftNumberPage> notOk(ListDriftNumbers request) {
    RequestChecks.body(request);
    String tenant = RequestChecks.tenant(request.subaccountId());
    int limit = limit(request.limit());
    JsonObject query = new JsonObject().put("subaccountId", tenant)
        .put("status", new JsonObject().put("$ne", "OK"));
    if (request.checkedSince() != null) {
      query.put("checkedAt", new JsonObject().put("$gte", request.checkedSince()));
    }
    if (request.after() != null && !request.after().isEmpty()) {
      query.put("_id", new JsonObject().put("$gt", Identifiers.require("after", request.after(), Identifiers.E164,
          "the next value of the previous page")));
    }
    FindOptions options = new FindOptions().setSort(new JsonObject().put("_id", 1)).setLimit(limit + 1);
    return mongo.findWithOptions(NUMBERS, query, options).map(docs -> {
      boolean more = docs.size() > limit;
      List<DriftNumber> items = docs.stream().limit(limit).map(DriftService::toNumber).toList();
      return new DriftNumberPage(items, more ? items.get(items.size() - 1).phoneNumber() : null);
    });
  }

  Future<DriftTenant> tenant(TenantRef ref) {
    RequestChecks.body(ref);
    String tenant = RequestChecks.tenant(ref.subaccountId());
    return mongo.findOne(TENANTS, new JsonObject().put("_id", tenant), null).map(doc -> toTenant(tenant, doc));
  }

  Future<DriftTenant> putTenant(PutDriftTenant request) {
    RequestChecks.body(request);
    String tenant = RequestChecks.tenant(request.subaccountId());
    if (request.policy() != null && !POLICIES.contains(request.policy())) {
      throw ServiceException.badRequest("INVALID_POLICY", "policy must be \"report\" or \"repair\"");
    }
    JsonObject set = new JsonObject().put("updatedAt", clock.millis());
    if (request.policy() != null) {
      set.put("policy", request.policy());
    }
    if (request.lastSweep() != null) {
      set.put("lastSweep", Json.toJson(request.lastSweep()));
    }
    UpdateOptions upsert = new UpdateOptions().setUpsert(true).setReturningNewDocument(true);
    return MongoFailures.upsertWithRetry(() -> mongo.findOneAndUpdateWithOptions(TENANTS,
            new JsonObject().put("_id", tenant), new JsonObject().put("$set", set), new FindOptions(), upsert))
        .map(doc -> toTenant(tenant, doc));
  }

  Future<DriftSweep> sweep() {
    return mongo.findOne(SWEEP, new JsonObject().put("_id", "sweep"), null).map(doc -> doc == null
        ? new DriftSweep(null, null, 0, 0, 0)
        : new DriftSweep(doc.getString("tenant"), doc.getString("after"), doc.getLong("startedAt", 0L),
            doc.getLong("numberCount", 0L), doc.getLong("position", 0L)));
  }

  Future<DriftSweep> putSweep(DriftSweep sweep) {
    RequestChecks.body(sweep);
    JsonObject doc = new JsonObject().put("tenant", sweep.tenant()).put("after", sweep.after())
        .put("startedAt", sweep.startedAt()).put("numberCount", sweep.numberCount())
        .put("position", sweep.position());
    return mongo.replaceDocumentsWithOptions(SWEEP, new JsonObject().put("_id", "sweep"), doc,
        new UpdateOptions().setUpsert(true)).map(r -> sweep);
  }

  private static int limit(Integer requested) {
    int limit = requested == null ? PhoneNumberService.DEFAULT_LIMIT : requested;
    if (limit < 1 || limit > PhoneNumberService.MAX_LIMIT) {
      throw ServiceException.badRequest("INVALID_LIMIT", "limit must be from 1 to " + PhoneNumberService.MAX_LIMIT);
    }
    return limit;
  }

  private static DriftNumber toNumber(JsonObject doc) {
    return new DriftNumber(doc.getString("subaccountId"), doc.getString("_id"), doc.getString("status"),
        doc.getLong("checkedAt", 0L), longOrNull(doc, "driftedSince"), longOrNull(doc, "repairedAt"),
        doc.getInteger("repairFailures", 0), longOrNull(doc, "nextRepairAt"));
  }

  private static DriftTenant toTenant(String tenant, JsonObject doc) {
    if (doc == null) {
      return new DriftTenant(tenant, DEFAULT_POLICY, null);
    }
    JsonObject sweep = doc.getJsonObject("lastSweep");
    return new DriftTenant(tenant, doc.getString("policy", DEFAULT_POLICY),
        sweep == null ? null : Json.fromJson(sweep, DriftSummary.class));
  }

  private static Long longOrNull(JsonObject doc, String field) {
    return doc.getValue(field) instanceof Number n ? n.longValue() : null;
  }
}
