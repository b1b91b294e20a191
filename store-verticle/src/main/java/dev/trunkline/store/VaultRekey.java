package dev.trunkline.store;

import dev.trunkline.contract.StoreMessages.RekeyReport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk re-encryption: walks every {@code connectorsubaccount} document in pages (keyset order on the unique
 * (subaccountId, connectorType) index, so a long run holds no cursor) and rewrites each secret that is not a
 * current envelope (older key id, origin plaintext, origin ciphertext) with the active key, through the same
 * conditional update the read path uses. After a run with {@code failed == 0}, the old key ids can be removed
 * from {@code vault.keys}.
 *
 * <p>Counts are per document: {@code reencrypted} documents had at least one secret rewritten,
 * {@code alreadyCurrent} needed nothing, {@code failed} had a secret that could not be read (listed in
 * {@code failures}, at most {@value #MAX_FAILURES_LISTED}, tenant and field named, never a secret).
 *
 * <p>Operators know it as key rotation ({@code rotate-keys}, {@code store.rotation*}, its log lines); the code
 * calls it a re-key, because "rotation" in Trunkline's code means rotating a tenant's SIP credential.
 */
final class VaultRekey {
  private static final Logger LOG = LoggerFactory.getLogger(VaultRekey.class);
  static final int MAX_FAILURES_LISTED = 100;

  private final ConnectorStore store;
  private final SecretStore secrets;
  private final TwilioAdoption adoption;
  private final int logEvery;

  VaultRekey(ConnectorStore store, SecretStore secrets, TwilioAdoption adoption, int logEvery) {
    this.store = store;
    this.secrets = secrets;
    this.adoption = adoption;
    this.logEvery = logEvery;
  }

  Future<RekeyReport> run(int batchSize) {
    Progress progress = new Progress();
    LOG.info("key rotation started: re-encrypting every secret to key id {}", secrets.vault().keyring().activeKid());
    return nextPage(null, null, batchSize, progress).map(v -> {
      LOG.info("key rotation finished: {} documents scanned, {} re-encrypted, {} already current, {} failed",
          progress.scanned, progress.reencrypted, progress.current, progress.failed);
      return new RekeyReport(progress.scanned, progress.reencrypted, progress.current, progress.failed,
          List.copyOf(progress.failures));
    });
  }

  private Future<Void> nextPage(String afterTenant, String afterType, int batchSize, Progress progress) {
    return store.page(afterTenant, afterType, batchSize).compose(docs -> {
      if (docs.isEmpty()) {
        return Future.succeededFuture();
      }
      // One document at a time: bounded work, and the database is never flooded by a large collection.
      Future<Void> chain = Future.succeededFuture();
      for (JsonObject doc : docs) {
        chain = chain.compose(v -> rekeyDocument(doc, progress));
      }
      JsonObject last = docs.get(docs.size() - 1);
      return chain.compose(v -> docs.size() < batchSize ? Future.succeededFuture()
          : nextPage(last.getString("subaccountId"), last.getString("connectorType"), batchSize, progress));
    });
  }

  private Future<Void> rekeyDocument(JsonObject found, Progress progress) {
    String tenant = ConnectorDocs.getString(found, "subaccountId");
    String type = ConnectorDocs.getString(found, "connectorType");
    List<String> docFailures = new ArrayList<>();
    // An origin Twilio account (OriginConfig) is adopted first: its token may sit under another name, or with its
    // IV elsewhere, where reading config.authToken alone would miss it or take its ciphertext for plain text.
    Future<JsonObject> adopted = !ConnectorDocs.TWILIO.equals(type) ? Future.succeededFuture(found)
        : adoption.adopt(tenant, found).recover(err -> {
          docFailures.add(err instanceof VaultException ? err.getMessage()
              : "tenant " + tenant + ": the origin Twilio account could not be adopted ("
                  + err.getClass().getSimpleName() + ")");
          return Future.succeededFuture(found);
        });
    return adopted.compose(doc -> rekeyFields(doc == null ? found : doc, tenant, type,
        doc != null && doc != found, !docFailures.isEmpty(), docFailures, progress));
  }

  private Future<Void> rekeyFields(JsonObject doc, String tenant, String type, boolean adoptedNow,
      boolean adoptionFailed, List<String> docFailures, Progress progress) {
    Future<Boolean> chain = Future.succeededFuture(adoptedNow);
    for (SecretField field : SecretField.values()) {
      if (!field.connectorType().equals(type) || adoptionFailed && field == SecretField.TWILIO_AUTH_TOKEN) {
        continue;
      }
      chain = chain.compose(changed -> secrets.open(doc, tenant, field)
          .compose(opened -> opened.stale() ? secrets.rewrite(tenant, field, opened) : Future.succeededFuture(false))
          .map(rewritten -> changed || rewritten)
          .recover(err -> {
            docFailures.add(err instanceof VaultException ? err.getMessage()
                : "tenant " + tenant + ": " + field.label() + " could not be rewritten ("
                    + err.getClass().getSimpleName() + ")");
            return Future.succeededFuture(changed);
          }));
    }
    return chain.map(changed -> {
      progress.scanned++;
      if (!docFailures.isEmpty()) {
        progress.failed++;
        for (String failure : docFailures) {
          LOG.warn("key rotation: {}", failure);
          if (progress.failures.size() < MAX_FAILURES_LISTED) {
            progress.failures.add(failure);
          }
        }
      } else if (changed) {
        progress.reencrypted++;
      } else {
        progress.current++;
      }
      if (progress.scanned % logEvery == 0) {
        LOG.info("key rotation progress: {} documents scanned, {} re-encrypted, {} already current, {} failed",
            progress.scanned, progress.reencrypted, progress.current, progress.failed);
      }
      return null;
    });
  }

  private static final class Progress {
    long scanned;
    long reencrypted;
    long current;
    long failed;
    final List<String> failures = new ArrayList<>();
  }
}
