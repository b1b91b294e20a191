package dev.trunkline.store;

import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PendingSip;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * SIP credentials with a write-ahead step: a new password is stored encrypted as {@code pending} before Twilio
 * hears of it, and promoted to active once Twilio has it. A crash in between leaves a password that can be
 * retried, never one that is lost.
 */
final class SipCredentialService {
  private static final int PROMOTE_ATTEMPTS = 5;

  private final ConnectorStore store;
  private final SecretStore secrets;

  SipCredentialService(ConnectorStore store, SecretStore secrets) {
    this.store = store;
    this.secrets = secrets;
  }

  /** Stores (or replaces) the pending credential in one atomic write. */
  Future<Connector> putPending(PutPendingSip put) {
    RequestChecks.body(put);
    String tenant = RequestChecks.tenant(put.subaccountId());
    String username = RequestChecks.text("username", put.username(), 32, true);
    String password = RequestChecks.secret("password", put.password(), 128);
    CredentialPurpose purpose = put.purpose() == null ? CredentialPurpose.SETUP : put.purpose();
    RequestChecks.credentialSid("credentialSid", put.credentialSid());
    JsonObject pending = new JsonObject()
        .put("username", username)
        .put("password", secrets.vault().seal(tenant, SecretField.SIP_PENDING_PASSWORD, password))
        .put("purpose", purpose.wire())
        .put("credentialSid", emptyToNull(put.credentialSid()))
        .put("createdAt", Dates.of(store.clock().instant()));
    return store.upsert(tenant, ConnectorDocs.TWILIO, null, new JsonObject().put(ConnectorDocs.PENDING, pending), null)
        .compose(doc -> store.connectorWithTwilio(tenant, doc));
  }

  /**
   * Moves the pending credential to active. The update only applies while the pending credential is exactly the
   * one read (matched by username and ciphertext), so a concurrent pending.put is never promoted by mistake.
   * Promoting again after success (a retried call) succeeds without change.
   */
  Future<Connector> promote(PromoteSip promote) {
    RequestChecks.body(promote);
    String tenant = RequestChecks.tenant(promote.subaccountId());
    String username = RequestChecks.text("username", promote.username(), 32, true);
    RequestChecks.credentialSid("credentialSid", promote.credentialSid());
    return promoteAttempt(tenant, username, emptyToNull(promote.credentialSid()), 1);
  }

  private Future<Connector> promoteAttempt(String tenant, String username, String credentialSid, int attempt) {
    return store.find(tenant, ConnectorDocs.TWILIO).compose(doc -> {
      if (doc == null) {
        return Future.failedFuture(ConnectorStore.notFound(tenant));
      }
      JsonObject pending = ConnectorDocs.getObject(doc, ConnectorDocs.PENDING);
      String activeUsername = ConnectorDocs.getString(doc, ConnectorDocs.SIP + ".username");
      String activeSid = ConnectorDocs.getString(doc, ConnectorDocs.RI + ".credentialSid");
      if (pending == null) {
        if (username.equals(activeUsername) && (credentialSid == null || credentialSid.equals(activeSid))) {
          return store.connectorWithTwilio(tenant, doc);
        }
        return Future.failedFuture(ServiceException.conflict("SIP_NO_PENDING",
            "tenant " + tenant + " has no pending SIP credential to promote"));
      }
      if (!username.equals(pending.getString("username"))) {
        return Future.failedFuture(ServiceException.conflict("SIP_PENDING_MISMATCH",
            "the pending SIP credential of tenant " + tenant + " is for username " + pending.getString("username")
                + ", not " + username));
      }
      Object password = pending.getValue("password");
      if (!Vault.isEnvelope(password)) {
        return Future.failedFuture(new VaultException(tenant, SecretField.SIP_PENDING_PASSWORD,
            "the pending password is not an envelope"));
      }
      String newSid = credentialSid != null ? credentialSid : pending.getString("credentialSid");
      JsonObject set = new JsonObject()
          .put(ConnectorDocs.SIP + ".username", username)
          // Same AAD label for pending and active: the envelope moves as it is, never decrypted here.
          .put(SecretField.SIP_PASSWORD.path(), password);
      if (newSid != null) {
        set.put(ConnectorDocs.RI + ".credentialSid", newSid);
        if (activeSid != null && !activeSid.equals(newSid)) {
          set.put(ConnectorDocs.RI + ".previousCredentialSid", activeSid);
        }
      }
      JsonObject unset = new JsonObject()
          .put(ConnectorDocs.PENDING, "")
          .put(SecretField.SIP_PASSWORD.path() + "IV", "")
          .put(SecretField.SIP_PASSWORD.path() + "AuthTag", "");
      JsonObject stillThisPending = new JsonObject()
          .put(ConnectorDocs.PENDING + ".username", username)
          .put(ConnectorDocs.PENDING + ".password.ct", ((JsonObject) password).getString("ct"));
      return store.update(tenant, ConnectorDocs.TWILIO, stillThisPending, set, unset, false).compose(updated -> {
        if (updated != null) {
          return store.connectorWithTwilio(tenant, updated);
        }
        if (attempt >= PROMOTE_ATTEMPTS) {
          return Future.failedFuture(ServiceException.conflict("CONCURRENT_MODIFICATION",
              "the pending SIP credential of tenant " + tenant + " kept changing; retry"));
        }
        return promoteAttempt(tenant, username, credentialSid, attempt + 1);
      });
    });
  }

  /** The decrypted credentials (secret reply). Legacy and old-key passwords are re-encrypted on the way. */
  Future<SipCredentials> get(TenantRef ref) {
    RequestChecks.body(ref);
    String tenant = RequestChecks.tenant(ref.subaccountId());
    return store.find(tenant, ConnectorDocs.TWILIO).compose(doc -> {
      if (doc == null) {
        return Future.failedFuture(ConnectorStore.notFound(tenant));
      }
      return secrets.reveal(doc, tenant, SecretField.SIP_PASSWORD).compose(active ->
          secrets.reveal(doc, tenant, SecretField.SIP_PENDING_PASSWORD).map(pendingPassword -> {
            String username = ConnectorDocs.getString(doc, ConnectorDocs.SIP + ".username");
            JsonObject pendingDoc = ConnectorDocs.getObject(doc, ConnectorDocs.PENDING);
            PendingSip pending = pendingDoc == null ? null : new PendingSip(
                pendingDoc.getString("username"), Secret.of(pendingPassword), ConnectorDocs.purpose(pendingDoc),
                pendingDoc.getString("credentialSid"), Dates.millis(pendingDoc.getValue("createdAt")));
            PasswordState state = pending != null ? PasswordState.PENDING
                : active != null ? PasswordState.KNOWN
                : username != null ? PasswordState.UNKNOWN
                : PasswordState.NONE;
            return new SipCredentials(tenant, username, Secret.of(active), state,
                ConnectorDocs.getString(doc, ConnectorDocs.RI + ".terminationSipUri"),
                ConnectorDocs.transport(doc), pending);
          }));
    });
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
