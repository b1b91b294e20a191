package dev.trunkline.contract;

/**
 * Every event-bus address of Trunkline, version {@value #VERSION}.
 *
 * <p>An address names a service, the contract version and an operation:
 * {@code trunkline.<service>.v1.<operation>}. A breaking change gets a new version and both are served
 * while callers move. Request and reply records live in {@link StoreMessages}, {@link TwilioMessages} and
 * {@link RetellMessages}; the full contract for sibling-verticle developers is {@code docs/event-bus.md}.
 *
 * <p>Addresses marked "secret" reply with a decrypted secret: they exist to hand it to a Trunkline verticle.
 * Call them only from inside the trust boundary, and across machines only over event-bus TLS.
 */
public final class Addresses {
  public static final String VERSION = "v1";

  private static final String STORE = "trunkline.store." + VERSION + ".";
  private static final String TWILIO = "trunkline.twilio." + VERSION + ".";
  private static final String RETELL = "trunkline.retell." + VERSION + ".";

  /** Store: tenants, secrets, trunk state, phone numbers, idempotency, key rotation. */
  public static final class Store {
    /** {} -> PingReply{ok, backend "embedded"|"mongodb"} after a round trip to the database; 503 when down. */
    public static final String PING = STORE + "ping";
    /** TenantRef -> Connector (no secrets); 404 CONNECTOR_NOT_FOUND. */
    public static final String CONNECTOR_GET = STORE + "connector.get";
    /** PutTwilioAccount -> Connector. */
    public static final String TWILIO_ACCOUNT_PUT = STORE + "twilio-account.put";
    /** secret: the tenant's Twilio Account SID and auth token. */
    public static final String TWILIO_ACCOUNT_GET = STORE + "twilio-account.get";
    /** PutRetellKey -> Connector. */
    public static final String RETELL_KEY_PUT = STORE + "retell-key.put";
    /** secret: the tenant's Retell API key. */
    public static final String RETELL_KEY_GET = STORE + "retell-key.get";
    /** PutTrunk -> Connector; "" clears a field; 409 VERSION_CONFLICT / SIP_USERNAME_MISMATCH. */
    public static final String TRUNK_PUT = STORE + "trunk.put";
    /** TenantRef -> Connector without trunk and SIP credentials; 404 CONNECTOR_NOT_FOUND. */
    public static final String TRUNK_DELETE = STORE + "trunk.delete";
    /** PutPendingSip -> Connector (passwordState PENDING); replaces an open pending credential. */
    public static final String SIP_PENDING_PUT = STORE + "sip-credentials.pending.put";
    /** PromoteSip -> Connector; 409 SIP_PENDING_MISMATCH / SIP_NO_PENDING; a repeated promote succeeds. */
    public static final String SIP_PROMOTE = STORE + "sip-credentials.promote";
    /** secret: the tenant's SIP credentials (active, and pending when a write-ahead is open). */
    public static final String SIP_GET = STORE + "sip-credentials.get";
    /** PhoneNumber -> PhoneNumber; 409 NUMBER_OWNED_ELSEWHERE. */
    public static final String NUMBER_SAVE = STORE + "phone-numbers.save";
    /** NumberRef -> PhoneNumber; 404 NUMBER_NOT_FOUND (also for another tenant's number). */
    public static final String NUMBER_GET = STORE + "phone-numbers.get";
    /** ListNumbers -> NumberPage (limit 1..1000, default 100; next null at the end). */
    public static final String NUMBER_LIST = STORE + "phone-numbers.list";
    /** NumberRef -> Deleted{deleted:false when the tenant has no such number}. */
    public static final String NUMBER_DELETE = STORE + "phone-numbers.delete";
    /** ClaimIdempotency -> IdempotencyClaim{CLAIMED|IN_PROGRESS|COMPLETED}; 422 IDEMPOTENCY_KEY_REUSED. */
    public static final String IDEMPOTENCY_CLAIM = STORE + "idempotency.claim";
    /** CompleteIdempotency -> IdempotencyClaim{COMPLETED}; 404 IDEMPOTENCY_NOT_FOUND,
     * 409 IDEMPOTENCY_ALREADY_COMPLETED. */
    public static final String IDEMPOTENCY_COMPLETE = STORE + "idempotency.complete";
    /** ReleaseIdempotency -> Deleted (only an IN_PROGRESS claim is released). */
    public static final String IDEMPOTENCY_RELEASE = STORE + "idempotency.release";
    /**
     * AcquireLock -> LockReply{held}: a named lease-based lock in the database (the Twilio service's per-tenant
     * lock). held=false while another owner's lease runs; an expired lease is taken over.
     */
    public static final String LOCK_ACQUIRE = STORE + "locks.acquire";
    /** RenewLock -> LockReply{held=false when the owner no longer holds it}. */
    public static final String LOCK_RENEW = STORE + "locks.renew";
    /** ReleaseLock -> Deleted{deleted=false when the owner did not hold it}. */
    public static final String LOCK_RELEASE = STORE + "locks.release";
    /** RotateKeys -> RotateKeysReport; 409 ROTATION_RUNNING. Use a long request timeout. */
    public static final String ADMIN_ROTATE_KEYS = STORE + "admin.rotate-keys";

    private Store() {}
  }

  /** Twilio: trunk provisioning, credentials, numbers. Each request names the tenant; the verticle reads
   * the tenant's Twilio account from the store itself. "locked" = under the tenant's cluster-wide lock
   * (409 TENANT_BUSY after twilio.lockTimeoutMs). See docs/event-bus.md. */
  public static final class Twilio {
    /** VerifyAccount -> AccountInfo; 400 TWILIO_CREDENTIALS_INVALID. No tenant, no lock. */
    public static final String ACCOUNT_VERIFY = TWILIO + "account.verify";
    /** EnsureTrunk -> TrunkInfo (locked); idempotent setup, no Twilio write on a complete trunk. */
    public static final String TRUNK_ENSURE = TWILIO + "trunk.ensure";
    /** TenantRef -> TrunkStatus (read-only). */
    public static final String TRUNK_STATUS = TWILIO + "trunk.status";
    /** TenantRef -> TeardownResult (locked); 409 TRUNK_HAS_NUMBERS. */
    public static final String TRUNK_TEARDOWN = TWILIO + "trunk.teardown";
    /** TenantRef -> RotationStarted (locked); the new password is the store's pending one (SIP_GET). */
    public static final String CREDENTIAL_ROTATE_BEGIN = TWILIO + "credentials.rotate.begin";
    /** FinishRotation -> RotationFinished (locked); promotes, then deletes the old credential. */
    public static final String CREDENTIAL_ROTATE_FINISH = TWILIO + "credentials.rotate.finish";
    /** SearchNumbers -> AvailableNumbers; 400 INVALID_AREA_CODE etc. */
    public static final String NUMBERS_SEARCH = TWILIO + "numbers.search";
    /** NumberRef -> TrunkNumber (locked); 409 NUMBER_UNAVAILABLE, never another number. */
    public static final String NUMBERS_PURCHASE = TWILIO + "numbers.purchase";
    /** NumberRef -> TrunkNumber (locked); 404 NUMBER_NOT_FOUND, 409 NUMBER_ON_OTHER_TRUNK. */
    public static final String NUMBERS_IMPORT = TWILIO + "numbers.import";
    /** TenantRef -> TrunkNumbers (the trunk's numbers, all pages). */
    public static final String NUMBERS_LIST = TWILIO + "numbers.list";
    /** NumberRef -> NumberRemoved (locked); removed=false when it was not on the trunk. */
    public static final String NUMBERS_REMOVE = TWILIO + "numbers.remove";
    /** NumberRef -> Released (locked); 404 NUMBER_NOT_FOUND, 409 NUMBER_NOT_ON_TRUNK. */
    public static final String NUMBERS_RELEASE = TWILIO + "numbers.release";

    private Twilio() {}
  }

  /** Retell: phone numbers and per-number SIP credential sync. Stateless: every request carries the API
   * key (or none, for the configured default) and what it needs. */
  public static final class Retell {
    public static final String KEY_VERIFY = RETELL + "key.verify";
    public static final String NUMBER_IMPORT = RETELL + "numbers.import";
    public static final String NUMBER_GET = RETELL + "numbers.get";
    public static final String NUMBER_LIST = RETELL + "numbers.list";
    public static final String NUMBER_DELETE = RETELL + "numbers.delete";
    public static final String NUMBER_SYNC = RETELL + "numbers.sync";
    public static final String NUMBER_INSPECT = RETELL + "numbers.inspect";

    private Retell() {}
  }

  private Addresses() {}
}
