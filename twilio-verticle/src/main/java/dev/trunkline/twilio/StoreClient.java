package dev.trunkline.twilio;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.StoreMessages.Connector;
import dev.trunkline.contract.StoreMessages.PromoteSip;
import dev.trunkline.contract.StoreMessages.PutPendingSip;
import dev.trunkline.contract.StoreMessages.PutTrunk;
import dev.trunkline.contract.StoreMessages.SipCredentials;
import dev.trunkline.contract.StoreMessages.Trunk;
import dev.trunkline.contract.StoreMessages.TwilioAccount;
import dev.trunkline.contract.TenantRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** The store requests the Twilio verticle makes, each over the bus with the configured timeout. */
public final class StoreClient {
  public static final String PURPOSE_SETUP = "setup";
  public static final String PURPOSE_ROTATION = "rotation";

  private final Vertx vertx;
  private final long timeoutMs;

  public StoreClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** secret: the tenant's Account SID and auth token. */
  public Future<TwilioAccount> twilioAccount(String subaccountId, String requestId) {
    return Bus.request(vertx, Addresses.Store.TWILIO_ACCOUNT_GET, new TenantRef(subaccountId), TwilioAccount.class,
        timeoutMs, requestId);
  }

  public Future<Connector> connector(String subaccountId, String requestId) {
    return Bus.request(vertx, Addresses.Store.CONNECTOR_GET, new TenantRef(subaccountId), Connector.class,
        timeoutMs, requestId);
  }

  /** secret: the decrypted SIP credentials (active and pending). */
  public Future<SipCredentials> sipCredentials(String subaccountId, String requestId) {
    return Bus.request(vertx, Addresses.Store.SIP_GET, new TenantRef(subaccountId), SipCredentials.class,
        timeoutMs, requestId);
  }

  /** Merges the non-null fields of {@code trunk} into the stored trunk. */
  public Future<Void> putTrunk(String subaccountId, Trunk trunk, String requestId) {
    return Bus.request(vertx, Addresses.Store.TRUNK_PUT, new PutTrunk(subaccountId, trunk, null), JsonObject.class,
        timeoutMs, requestId).mapEmpty();
  }

  public Future<Void> deleteTrunk(String subaccountId, String requestId) {
    return Bus.request(vertx, Addresses.Store.TRUNK_DELETE, new TenantRef(subaccountId), JsonObject.class,
        timeoutMs, requestId).mapEmpty();
  }

  /** Write-ahead: the password is stored, encrypted, before Twilio hears of it. */
  public Future<Void> putPending(String subaccountId, String username, Secret password, String purpose,
      String credentialSid, String requestId) {
    return Bus.request(vertx, Addresses.Store.SIP_PENDING_PUT,
        new PutPendingSip(subaccountId, username, password, purpose, credentialSid), JsonObject.class, timeoutMs,
        requestId).mapEmpty();
  }

  public Future<Void> promote(String subaccountId, String username, String credentialSid, String requestId) {
    return Bus.request(vertx, Addresses.Store.SIP_PROMOTE, new PromoteSip(subaccountId, username, credentialSid),
        JsonObject.class, timeoutMs, requestId).mapEmpty();
  }

  /** A trunk record with only the given fields set, for {@link #putTrunk}. */
  public static TrunkPatch patch() {
    return new TrunkPatch();
  }

  /** Builds the partial {@link Trunk} that TRUNK_PUT merges. */
  public static final class TrunkPatch {
    private String trunkSid;
    private String friendlyName;
    private String domainName;
    private String terminationUri;
    private String credentialListSid;
    private String credentialSid;
    private String previousCredentialSid;
    private String originationUrlSid;
    private String username;
    private String addressSid;
    private String emergencyAddressSid;
    private String bundleSid;

    public TrunkPatch trunkSid(String v) { trunkSid = v; return this; }
    public TrunkPatch friendlyName(String v) { friendlyName = v; return this; }
    public TrunkPatch domainName(String v) { domainName = v; return this; }
    public TrunkPatch terminationUri(String v) { terminationUri = v; return this; }
    public TrunkPatch credentialListSid(String v) { credentialListSid = v; return this; }
    public TrunkPatch credentialSid(String v) { credentialSid = v; return this; }
    public TrunkPatch previousCredentialSid(String v) { previousCredentialSid = v; return this; }
    public TrunkPatch originationUrlSid(String v) { originationUrlSid = v; return this; }
    public TrunkPatch username(String v) { username = v; return this; }
    public TrunkPatch addressSid(String v) { addressSid = v; return this; }
    public TrunkPatch emergencyAddressSid(String v) { emergencyAddressSid = v; return this; }
    public TrunkPatch bundleSid(String v) { bundleSid = v; return this; }

    public Trunk build() {
      return new Trunk(trunkSid, friendlyName, domainName, terminationUri, credentialListSid, credentialSid,
          previousCredentialSid, originationUrlSid, username, addressSid, emergencyAddressSid, bundleSid);
    }
  }
}
