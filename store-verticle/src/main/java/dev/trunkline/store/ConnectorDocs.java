package dev.trunkline.store;

import dev.trunkline.contract.CredentialPurpose;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PasswordState;
import dev.trunkline.contract.StoreMessages.PendingInfo;
import dev.trunkline.contract.StoreMessages.Trunk;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The shape of {@code connectorsubaccount} documents: the origin system's collection and field names, so an
 * existing database can be adopted as it is. The origin's other shapes of the Twilio account are read by
 * {@link OriginConfig} and rewritten into this one by {@link TwilioAdoption}.
 *
 * <pre>
 * { subaccountId, connectorType: "twilio",
 *   config: { accountSid, authToken: &lt;envelope&gt; },
 *   metadata: { retellIntegration: { trunkSid, trunkFriendlyName, trunkDomainName, terminationSipUri,
 *       credentialListSid, credentialSid, previousCredentialSid, originationUrlSid, addressSid,
 *       emergencyAddressSid, bundleSid, transport,
 *       sipCredentials: { username, password: &lt;envelope&gt;,
 *                         pending: { username, password: &lt;envelope&gt;, purpose, credentialSid, createdAt } } } },
 *   version, createdAt, updatedAt }
 * { subaccountId, connectorType: "retell", config: { apiKey: &lt;envelope&gt; }, version, createdAt, updatedAt }
 * </pre>
 */
final class ConnectorDocs {
  static final String COLLECTION = "connectorsubaccount";
  static final String TWILIO = "twilio";
  static final String RETELL = "retell";
  static final String RI = "metadata.retellIntegration";
  static final String SIP = RI + ".sipCredentials";
  static final String PENDING = SIP + ".pending";
  static final String DEFAULT_TRANSPORT = "TCP";

  /** Trunk record component -> field under {@link #RI}, in the record's order. */
  static final Map<String, Function<Trunk, String>> TRUNK_FIELDS = new LinkedHashMap<>();

  static {
    TRUNK_FIELDS.put("trunkSid", Trunk::trunkSid);
    TRUNK_FIELDS.put("trunkFriendlyName", Trunk::friendlyName);
    TRUNK_FIELDS.put("trunkDomainName", Trunk::domainName);
    TRUNK_FIELDS.put("terminationSipUri", Trunk::terminationUri);
    TRUNK_FIELDS.put("credentialListSid", Trunk::credentialListSid);
    TRUNK_FIELDS.put("credentialSid", Trunk::credentialSid);
    TRUNK_FIELDS.put("previousCredentialSid", Trunk::previousCredentialSid);
    TRUNK_FIELDS.put("originationUrlSid", Trunk::originationUrlSid);
    TRUNK_FIELDS.put("sipCredentials.username", Trunk::username);
    TRUNK_FIELDS.put("addressSid", Trunk::addressSid);
    TRUNK_FIELDS.put("emergencyAddressSid", Trunk::emergencyAddressSid);
    TRUNK_FIELDS.put("bundleSid", Trunk::bundleSid);
  }

  private ConnectorDocs() {}

  static JsonObject key(String subaccountId, String connectorType) {
    return new JsonObject().put("subaccountId", subaccountId).put("connectorType", connectorType);
  }

  /** The value at a dotted path, or null. */
  static Object get(JsonObject doc, String path) {
    Object current = doc;
    for (String part : path.split("\\.")) {
      if (!(current instanceof JsonObject json)) {
        return null;
      }
      current = json.getValue(part);
    }
    return current;
  }

  static String getString(JsonObject doc, String path) {
    return get(doc, path) instanceof String s ? s : null;
  }

  static JsonObject getObject(JsonObject doc, String path) {
    return get(doc, path) instanceof JsonObject j ? j : null;
  }

  static long version(JsonObject doc) {
    return doc != null && doc.getValue("version") instanceof Number n ? n.longValue() : 0L;
  }

  static Trunk trunk(JsonObject twilioDoc) {
    JsonObject ri = twilioDoc == null ? null : getObject(twilioDoc, RI);
    if (ri == null) {
      return null;
    }
    return Trunk.builder()
        .trunkSid(getString(ri, "trunkSid"))
        .friendlyName(getString(ri, "trunkFriendlyName"))
        .domainName(getString(ri, "trunkDomainName"))
        .terminationUri(getString(ri, "terminationSipUri"))
        .credentialListSid(getString(ri, "credentialListSid"))
        .credentialSid(getString(ri, "credentialSid"))
        .previousCredentialSid(getString(ri, "previousCredentialSid"))
        .originationUrlSid(getString(ri, "originationUrlSid"))
        .username(getString(ri, "sipCredentials.username"))
        .addressSid(getString(ri, "addressSid"))
        .emergencyAddressSid(getString(ri, "emergencyAddressSid"))
        .bundleSid(getString(ri, "bundleSid"))
        .build();
  }

  /**
   * What the store knows of the SIP password, from the document alone (no decryption): a pending write-ahead
   * wins, then a stored password in any format, then a bare username (the legacy "password: null" case).
   */
  static PasswordState passwordState(JsonObject twilioDoc) {
    if (twilioDoc == null) {
      return PasswordState.NONE;
    }
    if (getObject(twilioDoc, PENDING) != null) {
      return PasswordState.PENDING;
    }
    if (present(get(twilioDoc, SecretField.SIP_PASSWORD.path()))) {
      return PasswordState.KNOWN;
    }
    return getString(twilioDoc, SIP + ".username") != null ? PasswordState.UNKNOWN : PasswordState.NONE;
  }

  /** The tenant's connector without any secret (only whether they are present). */
  static Connector connector(String subaccountId, JsonObject twilioDoc, JsonObject retellDoc) {
    // Origin shapes read too (OriginConfig), so a document not adopted yet shows what needs no decryption.
    String accountSid = OriginConfig.plainSid(twilioDoc);
    boolean tokenPresent = OriginConfig.tokenPresent(twilioDoc);
    boolean retellKey = retellDoc != null && present(get(retellDoc, SecretField.RETELL_API_KEY.path()));
    return new Connector(subaccountId, accountSid, accountSid != null && tokenPresent, retellKey,
        trunk(twilioDoc), passwordState(twilioDoc), version(twilioDoc), pendingInfo(twilioDoc));
  }

  /** The pending credential's username, purpose and SID (never its password), or null. */
  static PendingInfo pendingInfo(JsonObject twilioDoc) {
    JsonObject pending = twilioDoc == null ? null : getObject(twilioDoc, PENDING);
    if (pending == null) {
      return null;
    }
    return new PendingInfo(pending.getString("username"), purpose(pending),
        pending.getString("credentialSid"), Dates.millis(pending.getValue("createdAt")));
  }

  /**
   * The pending credential's stored purpose word. A word this version does not know (none is written today) reads as
   * absent: like an absent one, it is not a rotation's.
   */
  static CredentialPurpose purpose(JsonObject pending) {
    try {
      return CredentialPurpose.fromWire(pending.getString("purpose"));
    } catch (ServiceException unknown) {
      return null;
    }
  }

  /** A stored secret in any format; an empty legacy string counts as none (the origin wrote "" for "unknown"). */
  static boolean present(Object stored) {
    return stored != null && !"".equals(stored);
  }

  static String transport(JsonObject twilioDoc) {
    String t = getString(twilioDoc, RI + ".transport");
    return t == null ? DEFAULT_TRANSPORT : t;
  }
}
