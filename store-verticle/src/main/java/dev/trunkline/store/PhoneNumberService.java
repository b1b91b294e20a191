package dev.trunkline.store;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Deleted;
import dev.trunkline.contract.StoreMessages.ListNumbers;
import dev.trunkline.contract.StoreMessages.NumberPage;
import dev.trunkline.contract.TenantNumber;
import dev.trunkline.contract.StoreMessages.PhoneNumber;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Clock;
import java.util.List;

/**
 * The {@code phonenumbers} collection: one document per number, unique on {@code phone_number}, always read and
 * written through the owning tenant so that another tenant's number is simply not found.
 *
 * <pre>{ phone_number, subaccountId, twilioSid, trunkSid, retellStatus, retellError, createdAt, updatedAt }</pre>
 */
final class PhoneNumberService {
  static final String COLLECTION = "phonenumbers";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final MongoClient mongo;
  private final Clock clock;

  PhoneNumberService(MongoClient mongo, Clock clock) {
    this.mongo = mongo;
    this.clock = clock;
  }

  /**
   * Creates or updates the tenant's number: non-null fields are set ("" clears twilioSid/trunkSid); a given
   * {@code retellStatus} replaces {@code retellError} with the one given (none clears it). A number that belongs to
   * another tenant is a 409 and is left untouched: the unique index refuses the insert the upsert attempts.
   */
  Future<PhoneNumber> save(PhoneNumber number) {
    RequestChecks.body(number);
    String tenant = RequestChecks.tenant(number.subaccountId());
    String phone = Identifiers.requirePhoneNumber(number.phoneNumber());
    RequestChecks.optionalSid("twilioSid", number.twilioSid(), Identifiers.PHONE_NUMBER_SID,
        "PN followed by 32 hexadecimal characters");
    RequestChecks.optionalSid("trunkSid", number.trunkSid(), Identifiers.TRUNK_SID, "TK followed by 32 hexadecimal characters");
    RequestChecks.text("retellError", number.retellError(), 1000, false);
    JsonObject now = Dates.of(clock.instant());
    JsonObject set = new JsonObject().put("updatedAt", now);
    JsonObject unset = new JsonObject();
    setOrClear(set, unset, "twilioSid", number.twilioSid());
    setOrClear(set, unset, "trunkSid", number.trunkSid());
    if (number.retellStatus() != null) {
      set.put("retellStatus", number.retellStatus().name());
      setOrClear(set, unset, "retellError", number.retellError() == null ? "" : number.retellError());
    } else if (number.retellError() != null) {
      setOrClear(set, unset, "retellError", number.retellError());
    }
    JsonObject update = new JsonObject().put("$set", set).put("$setOnInsert", new JsonObject().put("createdAt", now));
    if (!unset.isEmpty()) {
      update.put("$unset", unset);
    }
    JsonObject filter = ref(tenant, phone);
    UpdateOptions options = new UpdateOptions().setUpsert(true).setReturningNewDocument(true);
    return MongoFailures.upsertWithRetry(
            () -> mongo.findOneAndUpdateWithOptions(COLLECTION, filter, update, new FindOptions(), options))
        .recover(err -> Future.failedFuture(MongoFailures.isDuplicateKey(err)
            ? ServiceException.conflict("NUMBER_OWNED_ELSEWHERE",
                "phone number " + phone + " is already registered to another tenant")
            : err))
        .map(PhoneNumberService::toRecord);
  }

  Future<PhoneNumber> get(TenantNumber ref) {
    RequestChecks.body(ref);
    String tenant = RequestChecks.tenant(ref.subaccountId());
    String phone = Identifiers.requirePhoneNumber(ref.phoneNumber());
    return mongo.findOne(COLLECTION, ref(tenant, phone), null).map(doc -> {
      if (doc == null) {
        throw notFound(tenant, phone);
      }
      return toRecord(doc);
    });
  }

  /** A page in phone-number order; {@code next} is the last number of a full page, null at the end. */
  Future<NumberPage> list(ListNumbers request) {
    RequestChecks.body(request);
    String tenant = RequestChecks.tenant(request.subaccountId());
    int limit = request.limit() == null ? DEFAULT_LIMIT : request.limit();
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ServiceException.badRequest("INVALID_LIMIT", "limit must be from 1 to " + MAX_LIMIT);
    }
    JsonObject query = new JsonObject().put("subaccountId", tenant);
    if (request.after() != null && !request.after().isEmpty()) {
      query.put("phone_number", new JsonObject().put("$gt", Identifiers.require("after", request.after(), Identifiers.E164,
          "the next value of the previous page")));
    }
    FindOptions options = new FindOptions().setSort(new JsonObject().put("phone_number", 1)).setLimit(limit + 1);
    return mongo.findWithOptions(COLLECTION, query, options).map(docs -> {
      boolean more = docs.size() > limit;
      List<PhoneNumber> items = docs.stream().limit(limit).map(PhoneNumberService::toRecord).toList();
      return new NumberPage(items, more ? items.get(items.size() - 1).phoneNumber() : null);
    });
  }

  /** Deletes the tenant's number; {@code deleted:false} when the tenant has no such number. */
  Future<Deleted> delete(TenantNumber ref) {
    RequestChecks.body(ref);
    String tenant = RequestChecks.tenant(ref.subaccountId());
    String phone = Identifiers.requirePhoneNumber(ref.phoneNumber());
    return mongo.removeDocument(COLLECTION, ref(tenant, phone))
        .map(result -> new Deleted(result.getRemovedCount() > 0));
  }

  private static JsonObject ref(String tenant, String phone) {
    return new JsonObject().put("phone_number", phone).put("subaccountId", tenant);
  }

  private static void setOrClear(JsonObject set, JsonObject unset, String field, String value) {
    if (value == null) {
      return;
    }
    if (value.isEmpty()) {
      unset.put(field, "");
    } else {
      set.put(field, value);
    }
  }

  private static ServiceException notFound(String tenant, String phone) {
    return ServiceException.notFound("NUMBER_NOT_FOUND", "tenant " + tenant + " has no phone number " + phone);
  }

  static PhoneNumber toRecord(JsonObject doc) {
    String status = ConnectorDocs.getString(doc, "retellStatus");
    RetellStatus retellStatus = null;
    if (status != null) {
      try {
        retellStatus = RetellStatus.valueOf(status);
      } catch (IllegalArgumentException ignored) {
        // an origin value Trunkline does not know: reported as unknown (null), the fix flow re-checks it
      }
    }
    // Tolerant reads (a field of another type reads as null): adopted origin documents may differ.
    return new PhoneNumber(ConnectorDocs.getString(doc, "subaccountId"), ConnectorDocs.getString(doc, "phone_number"),
        ConnectorDocs.getString(doc, "twilioSid"), ConnectorDocs.getString(doc, "trunkSid"), retellStatus,
        ConnectorDocs.getString(doc, "retellError"),
        Dates.millis(doc.getValue("createdAt")), Dates.millis(doc.getValue("updatedAt")));
  }
}
