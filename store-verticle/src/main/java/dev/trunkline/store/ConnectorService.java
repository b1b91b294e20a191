package dev.trunkline.store;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PutRetellKey;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.PutTwilioAccount;
import dev.trunkline.contract.StoreMessages.RetellKey;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tenant connector: Twilio account, Retell API key, trunk state. */
final class ConnectorService {
  static final int MAX_SECRET = 512;
  static final int MAX_TEXT = 512;

  private static final Logger LOG = LoggerFactory.getLogger(ConnectorService.class);

  private final ConnectorStore store;
  private final SecretStore secrets;
  private final TwilioAdoption adoption;

  ConnectorService(ConnectorStore store, SecretStore secrets, TwilioAdoption adoption) {
    this.store = store;
    this.secrets = secrets;
    this.adoption = adoption;
  }

  /**
   * The connector, after adopting an origin Twilio document. A document that cannot be adopted (no or the wrong
   * legacy key, a plain-text token without adoption) is still shown, without what needs decrypting: this read
   * carries no secret, and the failure is the answer of the reads that do.
   */
  Future<Connector> get(TenantRef ref) {
    RequestChecks.body(ref);
    String tenant = RequestChecks.tenant(ref.subaccountId());
    return store.findBoth(tenant).compose(both -> {
      if (both[0] == null && both[1] == null) {
        return Future.failedFuture(ConnectorStore.notFound(tenant));
      }
      return adoption.adopt(tenant, both[0])
          .recover(err -> {
            LOG.warn("tenant {}: the origin Twilio account is not adopted: {}", tenant,
                err instanceof VaultException ? err.getMessage() : err.getClass().getSimpleName());
            return Future.succeededFuture(both[0]);
          })
          .map(twilio -> ConnectorDocs.connector(tenant, twilio, both[1]));
    });
  }

  Future<Connector> putTwilioAccount(PutTwilioAccount put) {
    RequestChecks.body(put);
    String tenant = RequestChecks.tenant(put.subaccountId());
    Identifiers.require("accountSid", put.accountSid(), Identifiers.ACCOUNT_SID, "AC followed by 32 hexadecimal characters");
    String token = RequestChecks.secret("authToken", put.authToken(), MAX_SECRET);
    SecretField field = SecretField.TWILIO_AUTH_TOKEN;
    JsonObject set = new JsonObject()
        .put("config.accountSid", put.accountSid())
        .put(field.path(), secrets.vault().seal(tenant, field, token));
    // A new account replaces whatever the origin stored, in any of its shapes, and connects an inactive one.
    JsonObject unset = new JsonObject().put("isActive", "");
    OriginConfig.originPaths().forEach(path -> unset.put(path, ""));
    return store.upsert(tenant, ConnectorDocs.TWILIO, null, set, unset)
        .compose(doc -> store.connectorWithTwilio(tenant, doc));
  }

  Future<TwilioAccount> getTwilioAccount(TenantRef ref) {
    RequestChecks.body(ref);
    String tenant = RequestChecks.tenant(ref.subaccountId());
    return store.find(tenant, ConnectorDocs.TWILIO).compose(found -> adoption.adopt(tenant, found)).compose(doc -> {
      String accountSid = OriginConfig.plainSid(doc);
      if (accountSid == null || !OriginConfig.tokenPresent(doc)) {
        return Future.failedFuture(ServiceException.notFound("TWILIO_ACCOUNT_NOT_FOUND",
            "tenant " + tenant + " has no Twilio account"));
      }
      return secrets.reveal(doc, tenant, SecretField.TWILIO_AUTH_TOKEN)
          .map(token -> new TwilioAccount(tenant, accountSid, Secret.of(token)));
    });
  }

  Future<Connector> putRetellKey(PutRetellKey put) {
    RequestChecks.body(put);
    String tenant = RequestChecks.tenant(put.subaccountId());
    String key = RequestChecks.secret("apiKey", put.apiKey(), MAX_SECRET);
    SecretField field = SecretField.RETELL_API_KEY;
    JsonObject set = new JsonObject().put(field.path(), secrets.vault().seal(tenant, field, key));
    return store.upsert(tenant, ConnectorDocs.RETELL, null, set, null)
        .compose(ignored -> store.connector(tenant));
  }

  Future<RetellKey> getRetellKey(TenantRef ref) {
    RequestChecks.body(ref);
    String tenant = RequestChecks.tenant(ref.subaccountId());
    return store.find(tenant, ConnectorDocs.RETELL).compose(doc -> {
      if (doc == null || !ConnectorDocs.present(ConnectorDocs.get(doc, SecretField.RETELL_API_KEY.path()))) {
        return Future.failedFuture(ServiceException.notFound("RETELL_KEY_NOT_FOUND",
            "tenant " + tenant + " has no Retell API key"));
      }
      return secrets.reveal(doc, tenant, SecretField.RETELL_API_KEY)
          .map(key -> new RetellKey(tenant, Secret.of(key)));
    });
  }

  /**
   * Merges the non-null trunk fields ("" clears a field). The SIP username can only be recorded where none is
   * stored yet (or the same one): changing it would orphan the stored password, that is what the pending/promote
   * flow is for.
   */
  Future<Connector> putTrunk(PutTrunk put) {
    RequestChecks.body(put);
    String tenant = RequestChecks.tenant(put.subaccountId());
    Trunk trunk = put.trunk();
    if (trunk == null) {
      throw ServiceException.badRequest("INVALID_TRUNK", "trunk is required");
    }
    checkTrunk(trunk);
    Long expected = put.expectedVersion();
    if (expected != null && expected < 0) {
      throw ServiceException.badRequest("INVALID_EXPECTED_VERSION", "expectedVersion must be 0 or more");
    }
    JsonObject set = new JsonObject();
    JsonObject unset = new JsonObject();
    for (Map.Entry<String, Function<Trunk, String>> e : ConnectorDocs.TRUNK_FIELDS.entrySet()) {
      String value = e.getValue().apply(trunk);
      if (value == null) {
        continue;
      }
      String path = ConnectorDocs.RI + "." + e.getKey();
      if (value.isEmpty()) {
        unset.put(path, "");
      } else {
        set.put(path, value);
      }
    }
    if (trunk.username() != null && trunk.username().isEmpty()) {
      throw ServiceException.badRequest("INVALID_USERNAME",
          "the SIP username cannot be cleared through trunk.put; use trunk.delete");
    }
    JsonObject filter = new JsonObject();
    if (trunk.username() != null) {
      String path = ConnectorDocs.SIP + ".username";
      filter.put("$or", new JsonArray()
          .add(new JsonObject().put(path, (Object) null))
          .add(new JsonObject().put(path, trunk.username())));
    }
    Future<JsonObject> write;
    if (expected == null) {
      write = store.upsert(tenant, ConnectorDocs.TWILIO, filter, set, unset);
    } else if (expected == 0) {
      // "create only, or adopt an origin document that has no version yet"
      filter.put("version", new JsonObject().put("$in", new JsonArray().add(0).addNull()));
      write = store.upsert(tenant, ConnectorDocs.TWILIO, filter, set, unset);
    } else {
      filter.put("version", expected);
      write = store.update(tenant, ConnectorDocs.TWILIO, filter, set, unset, false);
    }
    return write
        .recover(err -> MongoFailures.isDuplicateKey(err) ? Future.succeededFuture(null) : Future.failedFuture(err))
        .compose(doc -> doc != null
            ? store.connectorWithTwilio(tenant, doc)
            : explainRefusedTrunkPut(tenant, trunk, expected));
  }

  /** Reads the document once more only to say why a conditional trunk write did not apply. */
  private Future<Connector> explainRefusedTrunkPut(String tenant, Trunk trunk, Long expected) {
    return store.find(tenant, ConnectorDocs.TWILIO).compose(doc -> {
      if (doc == null) {
        return Future.failedFuture(ConnectorStore.notFound(tenant));
      }
      long version = ConnectorDocs.version(doc);
      if (expected != null && expected != version) {
        return Future.failedFuture(ServiceException.conflict("VERSION_CONFLICT",
            "the connector of tenant " + tenant + " is at version " + version + ", not " + expected));
      }
      String stored = ConnectorDocs.getString(doc, ConnectorDocs.SIP + ".username");
      if (trunk.username() != null && stored != null && !stored.equals(trunk.username())) {
        return Future.failedFuture(ServiceException.conflict("SIP_USERNAME_MISMATCH",
            "tenant " + tenant + " already has SIP username " + stored
                + "; a new credential goes through sip-credentials.pending.put and promote"));
      }
      return Future.failedFuture(ServiceException.conflict("CONCURRENT_MODIFICATION",
          "the connector of tenant " + tenant + " changed during the write; read it and retry"));
    });
  }

  /** Removes every trunk field and the SIP credentials (the trunk and its credential list are gone at Twilio). */
  Future<Connector> deleteTrunk(TenantRef ref) {
    RequestChecks.body(ref);
    String tenant = RequestChecks.tenant(ref.subaccountId());
    JsonObject unset = new JsonObject().put(ConnectorDocs.RI, "");
    return store.update(tenant, ConnectorDocs.TWILIO, null, null, unset, false).compose(doc -> doc == null
        ? Future.failedFuture(ConnectorStore.notFound(tenant))
        : store.connectorWithTwilio(tenant, doc));
  }

  private static void checkTrunk(Trunk t) {
    RequestChecks.optionalSid("trunkSid", t.trunkSid(), Identifiers.TRUNK_SID, "TK followed by 32 hexadecimal characters");
    RequestChecks.credentialListSid("credentialListSid", t.credentialListSid());
    RequestChecks.credentialSid("credentialSid", t.credentialSid());
    RequestChecks.credentialSid("previousCredentialSid", t.previousCredentialSid());
    RequestChecks.originationUrlSid("originationUrlSid", t.originationUrlSid());
    RequestChecks.optionalSid("addressSid", t.addressSid(), Identifiers.ADDRESS_SID, "AD followed by 32 hexadecimal characters");
    RequestChecks.optionalSid("emergencyAddressSid", t.emergencyAddressSid(), Identifiers.ADDRESS_SID,
        "AD followed by 32 hexadecimal characters");
    RequestChecks.optionalSid("bundleSid", t.bundleSid(), Identifiers.BUNDLE_SID, "BU followed by 32 hexadecimal characters");
    RequestChecks.text("friendlyName", t.friendlyName(), 64, false);
    RequestChecks.text("domainName", t.domainName(), 255, false);
    RequestChecks.text("terminationUri", t.terminationUri(), 255, false);
    RequestChecks.text("username", t.username(), 32, false);
  }
}
