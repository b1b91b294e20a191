package dev.trunkline.store;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.StoreMessages.Trunk;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import javax.crypto.SecretKey;

/**
 * One origin tenant, decrypted and ready to be written through the store's addresses: the Twilio account of its
 * active {@code connectorsubaccount} document ({@link OriginConfig}), the trunk and SIP credential of its
 * {@code metadata.retellIntegration}, and the Retell API key of the tenant manager's export. Every value is read
 * before anything is written, so a tenant that cannot be read (wrong key, altered ciphertext, plain text without
 * {@code vault.adoptLegacyPlaintext}) fails naming tenant and field and leaves Trunkline untouched.
 *
 * @param accountSid null when the tenant has no Twilio connector
 * @param authToken secret
 * @param trunk null when the origin has no trunk state
 * @param sipPassword secret; null when the origin does not know it (Twilio never returns it)
 * @param retellApiKey secret; null when the export has none for the tenant
 */
record OriginTenant(String subaccountId, String accountSid, String authToken, Trunk trunk, String sipPassword,
    String retellApiKey) {

  /** Never prints a secret, only whether it is there. */
  @Override
  public String toString() {
    return "OriginTenant[" + subaccountId + ", accountSid=" + accountSid + ", trunk=" + (trunk != null)
        + ", sipPassword=" + (sipPassword != null) + ", retellApiKey=" + (retellApiKey != null) + "]";
  }

  /**
   * Reads and decrypts one tenant.
   *
   * @param twilioDoc the origin's active twilio connector, or null
   * @param retellEntry the tenant manager's record ({@code apiKey}, {@code encryptionIV}), or null
   * @param retellKey derives the tenant manager's key on first use (blocking work, so a future)
   */
  static Future<OriginTenant> read(SecretStore secrets, String tenant, JsonObject twilioDoc, JsonObject retellEntry,
      Function<String, Future<SecretKey>> retellKey) {
    Future<String> sid = twilioDoc == null ? Future.succeededFuture(null)
        : secrets.openOrigin(tenant, OriginConfig.sid(twilioDoc), null);
    return sid.compose(accountSid -> {
      if (twilioDoc != null && (accountSid == null || !Identifiers.ACCOUNT_SID.matcher(accountSid).matches())) {
        return Future.failedFuture(new VaultException(tenant, OriginConfig.SID_LABEL,
            accountSid == null ? "the connector has no Account SID" : "the Account SID is malformed"));
      }
      Future<String> token = twilioDoc == null ? Future.succeededFuture(null)
          : secrets.openOrigin(tenant, OriginConfig.token(twilioDoc), SecretField.TWILIO_AUTH_TOKEN);
      return token.compose(authToken -> {
        if (twilioDoc != null && authToken == null) {
          return Future.failedFuture(new VaultException(tenant, SecretField.TWILIO_AUTH_TOKEN,
              "the connector has no auth token"));
        }
        return sipPassword(secrets, tenant, twilioDoc).compose(password -> retellApiKey(tenant, retellEntry,
            retellKey).map(apiKey -> new OriginTenant(tenant, accountSid, authToken,
                orNull(ConnectorDocs.trunk(twilioDoc)), password, apiKey)));
      });
    });
  }

  /** The SIP password at {@code sipCredentials.password}, encrypted when {@code passwordIV} and tag are there. */
  private static Future<String> sipPassword(SecretStore secrets, String tenant, JsonObject twilioDoc) {
    JsonObject sip = twilioDoc == null ? null : ConnectorDocs.getObject(twilioDoc, ConnectorDocs.SIP);
    if (sip == null || sip.getString("username") == null) {
      return Future.succeededFuture(null);
    }
    OriginConfig.Field field = new OriginConfig.Field("password", sip.getValue("password"),
        emptyToNull(sip.getString("passwordIV")), emptyToNull(sip.getString("passwordAuthTag")));
    return secrets.openOrigin(tenant, field, SecretField.SIP_PASSWORD);
  }

  private static Future<String> retellApiKey(String tenant, JsonObject entry,
      Function<String, Future<SecretKey>> retellKey) {
    if (entry == null || !ConnectorDocs.present(entry.getValue("apiKey"))) {
      return Future.succeededFuture(null);
    }
    String label = SecretField.RETELL_API_KEY.label();
    if (!(entry.getValue("apiKey") instanceof String apiKey) || !(entry.getValue("encryptionIV") instanceof String iv)
        || iv.isEmpty()) {
      return Future.failedFuture(new VaultException(tenant, label,
          "the tenant manager's record has no string apiKey with its encryptionIV"));
    }
    return retellKey.apply(tenant).map(key -> LegacyCipher.decryptRetellKey(key, tenant, apiKey, iv));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** The trunk without the SIP username (written with the credential), or null when there is nothing else. */
  Trunk trunkWithoutUsername() {
    return trunk == null ? null : orNull(trunk.toBuilder().username(null).build());
  }

  /**
   * Whether Trunkline already has this trunk: by its SID when the origin has one, which is written last, so a run
   * stopped after the SIP credential is not taken for a finished one; by the SIP username otherwise.
   */
  boolean trunkIn(Trunk have) {
    if (have == null) {
      return false;
    }
    return trunk.trunkSid() != null ? have.trunkSid() != null : have.username() != null;
  }

  /** An empty {@code retellIntegration} (or one of unknown fields only) is no trunk: nothing to write. */
  private static Trunk orNull(Trunk trunk) {
    return trunk == null || Trunk.EMPTY.equals(trunk) ? null : trunk;
  }

  String sipUsername() {
    return trunk == null ? null : trunk.username();
  }
}
