package dev.trunkline.store;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a Twilio connector written by the origin service ({@link OriginConfig}) into Trunkline's shape on first
 * read: the SID in plain text at {@code config.accountSid}, the token as an envelope at {@code config.authToken},
 * every origin name, IV and tag removed.
 *
 * <p>All or nothing: both values are decrypted before anything is written, so a wrong key or an altered
 * ciphertext fails the read (naming tenant and field) and leaves the document as it was. The write applies only
 * while the document is still the one read (same {@code version}, which every Trunkline write bumps and origin
 * documents lack, and the same stored values), so two nodes adopting at once write once and a concurrent
 * {@code twilio-account.put} is never overwritten with the origin's older token; the loser reads the winner's
 * result.
 */
final class TwilioAdoption {
  private static final Logger LOG = LoggerFactory.getLogger(TwilioAdoption.class);
  /** A document that keeps changing under the adoption is left to the next read after this many tries. */
  private static final int ATTEMPTS = 3;

  private final ConnectorStore store;
  private final SecretStore secrets;

  TwilioAdoption(ConnectorStore store, SecretStore secrets) {
    this.store = store;
    this.secrets = secrets;
  }

  /** The twilio document in Trunkline's shape (the same one when it already is, null when null). */
  Future<JsonObject> adopt(String subaccountId, JsonObject doc) {
    return attempt(subaccountId, doc, 1);
  }

  private Future<JsonObject> attempt(String subaccountId, JsonObject doc, int attempt) {
    if (!OriginConfig.needsAdoption(doc)) {
      return Future.succeededFuture(doc);
    }
    OriginConfig.Field sid = OriginConfig.sid(doc);
    OriginConfig.Field token = OriginConfig.token(doc);
    return secrets.openOrigin(subaccountId, sid, null)
        .compose(sidPlain -> secrets.openOrigin(subaccountId, token, SecretField.TWILIO_AUTH_TOKEN)
            .compose(tokenPlain -> write(subaccountId, doc, sid, sidPlain, token, tokenPlain)))
        .compose(written -> {
          if (written != null) {
            LOG.info("tenant {}: origin Twilio account adopted (token re-encrypted with key id {})", subaccountId,
                secrets.vault().keyring().activeKid());
            return Future.succeededFuture(written);
          }
          if (attempt >= ATTEMPTS) {
            return Future.failedFuture(ServiceException.conflict("CONCURRENT_MODIFICATION",
                "the connector of tenant " + subaccountId + " kept changing while it was adopted; retry"));
          }
          return store.find(subaccountId, ConnectorDocs.TWILIO)
              .compose(current -> attempt(subaccountId, current, attempt + 1));
        });
  }

  private Future<JsonObject> write(String subaccountId, JsonObject doc, OriginConfig.Field sid, String sidPlain,
      OriginConfig.Field token, String tokenPlain) {
    JsonObject set = new JsonObject();
    if (sidPlain != null) {
      set.put("config.accountSid", sidPlain);
    }
    boolean tokenCurrent = "authToken".equals(token.name()) && Vault.isEnvelope(token.value());
    if (tokenPlain != null && !tokenCurrent) {
      SecretField field = SecretField.TWILIO_AUTH_TOKEN;
      set.put(field.path(), secrets.vault().seal(subaccountId, field, tokenPlain));
    }
    JsonObject unset = new JsonObject();
    OriginConfig.originPaths().forEach(path -> unset.put(path, ""));
    return store.update(subaccountId, ConnectorDocs.TWILIO, stillAsRead(doc, sid, token), set, unset, false);
  }

  /**
   * Matches the document only while it is the one read: by version, by the SID (no secret), by the token's
   * ciphertext when encrypted, and by type for a plain-text token, which must never appear in a filter (filters
   * end up in server logs).
   */
  private static JsonObject stillAsRead(JsonObject doc, OriginConfig.Field sid, OriginConfig.Field token) {
    JsonObject filter = new JsonObject().put("version", doc.getValue("version") instanceof Number n ? n : null);
    if (sid.value() instanceof String s) {
      filter.put("config." + sid.name(), s);
    }
    String tokenPath = "config." + token.name();
    if (Vault.isEnvelope(token.value())) {
      filter.put(tokenPath + ".ct", ((JsonObject) token.value()).getString("ct"));
    } else if (token.value() instanceof String t) {
      filter.put(tokenPath, token.originEncrypted() ? t : new JsonObject().put("$type", "string"));
    }
    return filter;
  }
}
