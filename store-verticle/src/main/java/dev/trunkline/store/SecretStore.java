package dev.trunkline.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the secrets of {@code connectorsubaccount} documents in whatever format they are stored and moves them
 * to the active envelope.
 *
 * <p>A stored secret is one of: absent; an envelope (current key, or an older key id); an origin plaintext
 * string; an origin hex ciphertext with {@code <field>IV} and {@code <field>AuthTag} beside it. Anything but a
 * current envelope is rewritten as one after it is read, with an update that only applies if the stored value
 * is still the one that was read (matched by its ciphertext, or by document version for a plaintext, so a
 * plaintext never appears in a database filter), so a concurrent write is never overwritten with an older
 * secret.
 *
 * <p>A plain string is trusted only when the operator asked for legacy adoption
 * ({@code vault.adoptLegacyPlaintext}): anyone who can write to the database can put one there, and a Retell
 * key planted that way would receive the tenant's numbers and SIP password. Without adoption it is a
 * {@link VaultException#INTEGRITY} failure and the value is never returned. The origin's ciphertext needs no such
 * switch: only a holder of {@code vault.legacyEncryptionKey} can write one that opens.
 */
final class SecretStore {
  private static final Logger LOG = LoggerFactory.getLogger(SecretStore.class);

  private final MongoClient mongo;
  private final Vault vault;
  private final LegacyKey legacyKey;
  private final boolean adoptPlaintext;

  SecretStore(MongoClient mongo, Vault vault, LegacyKey legacyKey, boolean adoptPlaintext) {
    this.mongo = mongo;
    this.vault = vault;
    this.legacyKey = legacyKey;
    this.adoptPlaintext = adoptPlaintext;
  }

  Vault vault() {
    return vault;
  }

  /** A secret as read: its plaintext, and how to recognise the stored value when rewriting it (null: current). */
  record Opened(String plaintext, JsonObject staleMatch) {
    boolean stale() {
      return staleMatch != null;
    }
  }

  /** Decrypts a secret of {@code doc}; null plaintext when absent. Fails with a {@link VaultException}. */
  Future<Opened> open(JsonObject doc, String subaccountId, SecretField field) {
    Object stored = ConnectorDocs.get(doc, field.path());
    if (stored == null) {
      return Future.succeededFuture(new Opened(null, null));
    }
    try {
      if (Vault.isEnvelope(stored)) {
        JsonObject envelope = (JsonObject) stored;
        String plaintext = vault.open(subaccountId, field, envelope);
        JsonObject match = vault.isCurrent(envelope) ? null : new JsonObject()
            .put(field.path() + ".kid", envelope.getString("kid"))
            .put(field.path() + ".ct", envelope.getString("ct"));
        return Future.succeededFuture(new Opened(plaintext, match));
      }
      if (stored instanceof String legacy) {
        String iv = ConnectorDocs.getString(doc, field.path() + "IV");
        String tag = ConnectorDocs.getString(doc, field.path() + "AuthTag");
        if (iv == null && tag == null) {
          if (!legacy.isEmpty() && !adoptPlaintext) {
            return Future.failedFuture(VaultException.integrity(subaccountId, field,
                "the stored value is plain text, not an envelope; it is not used (plain text is adopted only with "
                    + "vault.adoptLegacyPlaintext)"));
          }
          // Origin plaintext (or an empty one, which is no secret and reads as absent). Matched by version and
          // type, never by value: filters end up in server logs.
          JsonObject match = new JsonObject()
              .put(field.path(), new JsonObject().put("$type", "string"))
              .put("version", doc.getValue("version") instanceof Number n ? n : null);
          return Future.succeededFuture(new Opened(legacy.isEmpty() ? null : legacy, match));
        }
        if (iv == null || tag == null) {
          return Future.failedFuture(new VaultException(subaccountId, field,
              "the legacy ciphertext lacks its " + (iv == null ? "IV" : "auth tag")));
        }
        JsonObject match = new JsonObject().put(field.path(), legacy).put(field.path() + "IV", iv);
        return legacyKey.key(subaccountId, field)
            .map(key -> new Opened(LegacyCipher.decrypt(key, subaccountId, field, legacy, iv, tag), match));
      }
      return Future.failedFuture(new VaultException(subaccountId, field,
          "the stored value is neither an envelope nor a legacy value"));
    } catch (VaultException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Reads one field of the origin's Twilio config ({@link OriginConfig}): null when absent or empty, an envelope
   * opened, a hex ciphertext decrypted with the legacy key, plain text as it is. Plain text of a {@code secret}
   * follows the same rule as {@link #open}: trusted only with {@code vault.adoptLegacyPlaintext}. The SID is no
   * secret, but it has to be decrypted like one when the origin encrypted it.
   */
  Future<String> openOrigin(String subaccountId, OriginConfig.Field field, SecretField secret) {
    String label = secret == null ? OriginConfig.SID_LABEL : secret.label();
    Object stored = field.value();
    if (!field.present()) {
      return Future.succeededFuture(null);
    }
    try {
      if (secret != null && Vault.isEnvelope(stored)) {
        return Future.succeededFuture(vault.open(subaccountId, secret, (JsonObject) stored));
      }
      if (!(stored instanceof String value)) {
        return Future.failedFuture(new VaultException(subaccountId, label,
            "the stored value is neither an envelope nor a legacy value"));
      }
      if (!field.originEncrypted()) {
        if (secret != null && !adoptPlaintext) {
          return Future.failedFuture(VaultException.integrity(subaccountId, secret,
              "the stored value is plain text, not an envelope; it is not used (plain text is adopted only with "
                  + "vault.adoptLegacyPlaintext)"));
        }
        return Future.succeededFuture(value);
      }
      if (field.iv() == null || field.tag() == null) {
        return Future.failedFuture(new VaultException(subaccountId, label,
            "the legacy ciphertext lacks its " + (field.iv() == null ? "IV" : "auth tag")));
      }
      return legacyKey.key(subaccountId, label)
          .map(key -> LegacyCipher.decrypt(key, subaccountId, label, value, field.iv(), field.tag()));
    } catch (VaultException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Decrypts a secret and, when it is not a current envelope, rewrites it as one. A failed rewrite does not fail
   * the read (the next read tries again); it is logged without the secret.
   */
  Future<String> reveal(JsonObject doc, String subaccountId, SecretField field) {
    return open(doc, subaccountId, field).compose(opened -> {
      if (!opened.stale()) {
        return Future.succeededFuture(opened.plaintext());
      }
      return rewrite(subaccountId, field, opened)
          .otherwise(err -> {
            LOG.warn("tenant {}: re-encrypting {} failed ({}); it stays readable and is retried on the next read",
                subaccountId, field.label(), err.getClass().getSimpleName());
            return false;
          })
          .map(ignored -> opened.plaintext());
    });
  }

  /**
   * Writes {@code opened} back as a current envelope, if the stored value is still the one read.
   *
   * @return true when the document was rewritten, false when it changed in between (nothing to do then: the
   *     concurrent writer stored a current envelope)
   */
  Future<Boolean> rewrite(String subaccountId, SecretField field, Opened opened) {
    JsonObject filter = ConnectorDocs.key(subaccountId, field.connectorType()).mergeIn(opened.staleMatch());
    JsonObject update = new JsonObject();
    if (opened.plaintext() == null) {
      update.put("$unset", new JsonObject().put(field.path(), "")
          .put(field.path() + "IV", "").put(field.path() + "AuthTag", ""));
    } else {
      update.put("$set", new JsonObject().put(field.path(), vault.seal(subaccountId, field, opened.plaintext())))
          .put("$unset", new JsonObject().put(field.path() + "IV", "").put(field.path() + "AuthTag", ""));
    }
    return mongo.updateCollection(ConnectorDocs.COLLECTION, filter, update).map(result -> {
      boolean rewritten = result.getDocModified() > 0;
      if (rewritten) {
        LOG.info("tenant {}: {} re-encrypted with key id {}", subaccountId, field.label(),
            vault.keyring().activeKid());
      }
      return rewritten;
    });
  }
}
