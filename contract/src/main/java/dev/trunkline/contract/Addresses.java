package dev.trunkline.contract;

/**
 * Every event-bus address of Trunkline, version {@value #VERSION}.
 *
 * <p>An address names a service, the contract version and an operation:
 * {@code trunkline.<service>.v1.<operation>}. A breaking change gets a new version and both are served
 * while callers move. Request and reply records live in {@link StoreMessages}, {@link TwilioMessages} and
 * {@link RetellMessages}; the full contract for sibling-verticle developers is {@code docs/event-bus.md}.
 *
 * <p>Each address is marked {@link PublicAddress} (a sibling verticle may call it) or {@link InternalAddress}
 * (Trunkline's own verticles only: a direct call would skip a guard of the flow around it, or it hands out a
 * decrypted secret). Siblings run flows through {@link Provisioning}, with {@link ProvisioningClient}.
 *
 * <p>Each service has its typed caller, one method per address: {@link StoreClient}, {@link TwilioClient},
 * {@link RetellClient}, {@link ProvisioningClient} ({@code TypedCallersTest} fails for an address without one).
 */
public final class Addresses {
  public static final String VERSION = "v1";

  private static final String STORE = "trunkline.store." + VERSION + ".";
  private static final String TWILIO = "trunkline.twilio." + VERSION + ".";
  private static final String RETELL = "trunkline.retell." + VERSION + ".";
  private static final String PROVISIONING = "trunkline.provisioning." + VERSION + ".";
  private static final String EVENTS = "trunkline.events." + VERSION + ".";

  /**
   * Provisioning: Trunkline's flows as bus services, each the same operation as one REST route, with the same
   * guards and the same answer ({@link ProvisioningMessages}). What a sibling verticle calls. Each request names its
   * tenant; the reply is a {@link ProvisioningMessages.FlowReply}, a request that cannot run fails with the REST
   * API's status and code. Call them through {@link ProvisioningClient}, which sets a fitting timeout.
   */
  /**
   * Whether {@code address} is a service's request address (store, Twilio, Retell, provisioning): one that is sent
   * to, so any node serving it may answer. Events and the cluster's own notices are not.
   */
  public static boolean isServiceRequest(String address) {
    return address != null && (address.startsWith(STORE) || address.startsWith(TWILIO) || address.startsWith(RETELL)
        || address.startsWith(PROVISIONING));
  }

  public static final class Provisioning {
    /** ConnectTwilio -> FlowReply 200; 422 INVALID_TWILIO_CREDENTIALS. */
    @PublicAddress
    public static final String CONNECT_TWILIO = PROVISIONING + "connect-twilio";
    /** ConnectRetell -> FlowReply 200; 422 INVALID_RETELL_KEY. */
    @PublicAddress
    public static final String CONNECT_RETELL = PROVISIONING + "connect-retell";
    /** SetupTrunk -> FlowReply 201 created / 200 ready (idempotent, under the tenant lock). */
    @PublicAddress
    public static final String SETUP = PROVISIONING + "setup";
    /** TenantRef -> FlowReply 200 with the trunk's status (read-only). */
    @PublicAddress
    public static final String TRUNK_STATUS = PROVISIONING + "trunk-status";
    /** SearchNumbers -> FlowReply 200 {numbers}. */
    @PublicAddress
    public static final String SEARCH = PROVISIONING + "search";
    /** PurchaseNumber -> FlowReply 201 / 207 (bought, Retell import failed) / 502 PURCHASED_NOT_RECORDED. */
    @PublicAddress
    public static final String PURCHASE = PROVISIONING + "purchase";
    /** ImportNumber -> FlowReply 201 / 207. */
    @PublicAddress
    public static final String IMPORT = PROVISIONING + "import";
    /** ListNumbers -> FlowReply 200 {items, next}. */
    @PublicAddress
    public static final String LIST = PROVISIONING + "list";
    /** RemoveNumber -> FlowReply 200; 404 NUMBER_NOT_FOUND. */
    @PublicAddress
    public static final String REMOVE = PROVISIONING + "remove";
    /** Audit -> FlowReply 200 / 207 / 502 with the report; events on {@link Events#numbers}. */
    @PublicAddress
    public static final String AUDIT = PROVISIONING + "audit";
    /** Fix -> FlowReply 200 / 207 / 502 with the report; events on {@link Events#numbers}. */
    @PublicAddress
    public static final String FIX = PROVISIONING + "fix";
    /** RotateCredentials -> FlowReply 200 finished / 207 / 502 not finished; events on {@link Events#numbers}. */
    @PublicAddress
    public static final String ROTATE = PROVISIONING + "rotate";
    /** Teardown -> FlowReply 200; 409 NUMBERS_REMAIN. */
    @PublicAddress
    public static final String TEARDOWN = PROVISIONING + "teardown";
    /** TenantRef + page -> FlowReply 200 {lastSweep, policy, numbers not OK, next} (DriftStatus). */
    @PublicAddress
    public static final String DRIFT_STATUS = PROVISIONING + "drift-status";
    /** DriftPolicy -> FlowReply 200 {policy}; 400 INVALID_POLICY. */
    @PublicAddress
    public static final String DRIFT_POLICY = PROVISIONING + "drift-policy";
    /** Cancel (publish, no reply): the named audit, fix or rotation starts no new numbers. */
    @PublicAddress
    public static final String CANCEL = PROVISIONING + "cancel";
    /**
     * RunOperation -> FlowReply: starts an audit, fix or rotation as a durable operation (docs/api.md
     * "Long operations"), or joins the tenant's running one of that kind (200 with its Location). Answers the final
     * report when it is done within {@code waitMs}, else 202 with the operation's state and its Location.
     */
    @PublicAddress
    public static final String OPERATION_RUN = PROVISIONING + "operations.run";
    /** GetOperation -> FlowReply 200 with the operation and a page of its results; 404 OPERATION_NOT_FOUND. */
    @PublicAddress
    public static final String OPERATION_GET = PROVISIONING + "operations.get";
    /** ListOperations -> FlowReply 200 with the tenant's recent operations, newest first. */
    @PublicAddress
    public static final String OPERATION_LIST = PROVISIONING + "operations.list";
    /** OperationRef -> FlowReply 200 (cancel requested; a finished one as it is); 404 OPERATION_NOT_FOUND. */
    @PublicAddress
    public static final String OPERATION_CANCEL = PROVISIONING + "operations.cancel";

    private Provisioning() {}
  }

  /** What the launcher tells the verticles of its own JVM about the cluster (published local only). */
  public static final class Cluster {
    /**
     * {@code {"member": "<id>"}} when a member leaves the cluster (its death included): the provisioning service
     * resends the idempotent requests a fan-out still waits for, so the numbers of a dead node are done by a
     * survivor.
     */
    @InternalAddress("published by the launcher's cluster membership listener, on its own JVM only")
    public static final String MEMBER_LEFT = "trunkline.cluster." + VERSION + ".member-left";

    /**
     * {@code {"member": "<id>"}}, published to every node by a member that begins a graceful stop, before its
     * consumers go: each node's launcher stops routing service requests to it wherever another node serves the same
     * address, so no request is sent to it in the moment after its consumers are unregistered, which Vert.x would
     * drop unanswered.
     */
    @InternalAddress("published cluster-wide by a stopping node's launcher, consumed by every node's launcher")
    public static final String MEMBER_STOPPING = "trunkline.cluster." + VERSION + ".member-stopping";

    private Cluster() {}
  }

  /** Events that siblings may listen to (published, never requested). No event carries a secret. */
  public static final class Events {
    /**
     * Prefix of the per-tenant progress address: {@code trunkline.events.v1.numbers.<subaccountId>} carries a
     * {@link ProvisioningMessages.NumberEvent} as each number of an audit, fix or rotation completes, then one
     * {@link ProvisioningMessages.CompletedEvent}; both carry the request id.
     */
    @PublicAddress
    public static final String NUMBERS_PREFIX = EVENTS + "numbers.";

    /** The tenant's progress address. */
    public static String numbers(String subaccountId) {
      return NUMBERS_PREFIX + subaccountId;
    }

    /**
     * Prefix of the per-tenant drift address: {@code trunkline.events.v1.drift.<subaccountId>} carries a
     * {@link ProvisioningMessages.DriftEvent} when the drift watch finds a number whose Retell SIP settings are not
     * what the trunk needs, and again with the outcome when it repaired (or failed to repair) it. docs/drift.md.
     */
    @PublicAddress
    public static final String DRIFT_PREFIX = EVENTS + "drift.";

    /** The tenant's drift address. */
    public static String drift(String subaccountId) {
      return DRIFT_PREFIX + subaccountId;
    }

    private Events() {}
  }

  /** Store: tenants, secrets, trunk state, phone numbers, idempotency, key rotation. */
  public static final class Store {
    /** {} -> PingReply{ok, backend "embedded"|"mongodb"} after a round trip to the database; 503 when down. */
    @PublicAddress
    public static final String PING = STORE + "ping";
    /** TenantRef -> Connector (no secrets); 404 CONNECTOR_NOT_FOUND. */
    @PublicAddress
    public static final String CONNECTOR_GET = STORE + "connector.get";
    /** PutTwilioAccount -> Connector. */
    @InternalAddress("stores a Twilio account that was not verified (provisioning connectTwilio verifies it)")
    public static final String TWILIO_ACCOUNT_PUT = STORE + "twilio-account.put";
    /** secret: the tenant's Twilio Account SID and auth token. */
    @InternalAddress("secret: replies with the decrypted auth token")
    public static final String TWILIO_ACCOUNT_GET = STORE + "twilio-account.get";
    /** PutRetellKey -> Connector. */
    @InternalAddress("stores a Retell key that was not verified (provisioning connectRetell verifies it)")
    public static final String RETELL_KEY_PUT = STORE + "retell-key.put";
    /** secret: the tenant's Retell API key. */
    @InternalAddress("secret: replies with the decrypted API key")
    public static final String RETELL_KEY_GET = STORE + "retell-key.get";
    /** PutTrunk -> Connector; "" clears a field; 409 VERSION_CONFLICT / SIP_USERNAME_MISMATCH. */
    @InternalAddress("trunk state is the Twilio service's, written under the tenant lock")
    public static final String TRUNK_PUT = STORE + "trunk.put";
    /** TenantRef -> Connector without trunk and SIP credentials; 404 CONNECTOR_NOT_FOUND. */
    @InternalAddress("trunk state is the Twilio service's, written under the tenant lock")
    public static final String TRUNK_DELETE = STORE + "trunk.delete";
    /** PutPendingSip -> Connector (passwordState PENDING); replaces an open pending credential. */
    @InternalAddress("write-ahead of a credential the Twilio service creates under the tenant lock")
    public static final String SIP_PENDING_PUT = STORE + "sip-credentials.pending.put";
    /** PromoteSip -> Connector; 409 SIP_PENDING_MISMATCH / SIP_NO_PENDING; a repeated promote succeeds. */
    @InternalAddress("promotes a credential only a finished rotation may promote")
    public static final String SIP_PROMOTE = STORE + "sip-credentials.promote";
    /** secret: the tenant's SIP credentials (active, and pending when a write-ahead is open). */
    @InternalAddress("secret: replies with the decrypted SIP password")
    public static final String SIP_GET = STORE + "sip-credentials.get";
    /** PhoneNumber -> PhoneNumber; 409 NUMBER_OWNED_ELSEWHERE. */
    @InternalAddress("records a number without Twilio or Retell having it (provisioning purchase/import do both)")
    public static final String NUMBER_SAVE = STORE + "phone-numbers.save";
    /** TenantNumber -> PhoneNumber; 404 NUMBER_NOT_FOUND (also for another tenant's number). */
    @PublicAddress
    public static final String NUMBER_GET = STORE + "phone-numbers.get";
    /** ListNumbers -> NumberPage (limit 1..1000, default 100; next null at the end). */
    @PublicAddress
    public static final String NUMBER_LIST = STORE + "phone-numbers.list";
    /** TenantNumber -> Deleted{deleted:false when the tenant has no such number}. */
    @InternalAddress("forgets a number that may still be on the trunk and in Retell (provisioning remove)")
    public static final String NUMBER_DELETE = STORE + "phone-numbers.delete";
    /** ClaimIdempotency -> IdempotencyClaim{CLAIMED|IN_PROGRESS|COMPLETED}; 422 IDEMPOTENCY_KEY_REUSED. */
    @InternalAddress("the purchase flow's own bookkeeping (provisioning purchase)")
    public static final String IDEMPOTENCY_CLAIM = STORE + "idempotency.claim";
    /** CompleteIdempotency -> IdempotencyClaim{COMPLETED}; 404 IDEMPOTENCY_NOT_FOUND,
     * 409 IDEMPOTENCY_ALREADY_COMPLETED. */
    @InternalAddress("the purchase flow's own bookkeeping (provisioning purchase)")
    public static final String IDEMPOTENCY_COMPLETE = STORE + "idempotency.complete";
    /** ReleaseIdempotency -> Deleted (only an IN_PROGRESS claim is released). */
    @InternalAddress("the purchase flow's own bookkeeping (provisioning purchase)")
    public static final String IDEMPOTENCY_RELEASE = STORE + "idempotency.release";
    /**
     * AcquireLock -> LockReply{held}: a named lease-based lock in the database (the Twilio service's per-tenant
     * lock). held=false while another owner's lease runs; an expired lease is taken over.
     */
    @InternalAddress("the Twilio service's tenant lock")
    public static final String LOCK_ACQUIRE = STORE + "locks.acquire";
    /** RenewLock -> LockReply{held=false when the owner no longer holds it}. */
    @InternalAddress("the Twilio service's tenant lock")
    public static final String LOCK_RENEW = STORE + "locks.renew";
    /** ReleaseLock -> Deleted{deleted=false when the owner did not hold it}. */
    @InternalAddress("the Twilio service's tenant lock")
    public static final String LOCK_RELEASE = STORE + "locks.release";
    /** RekeyVault -> RekeyReport; 409 ROTATION_RUNNING. Use a long request timeout. */
    @InternalAddress("operator command: re-encrypts every secret (java -jar trunkline.jar rotate-keys)")
    public static final String ADMIN_ROTATE_KEYS = STORE + "admin.rotate-keys";
    /** ListDriftTenants -> DriftTenantPage: tenants with a trunk, paged (the drift sweep's walk). */
    @InternalAddress("the drift watch's bookkeeping (provisioning drift sweep)")
    public static final String DRIFT_TENANTS = STORE + "drift.tenants.list";
    /** RecordDriftCheck -> DriftNumber: records one inspection (driftedSince, repair failures and backoff). */
    @InternalAddress("the drift watch's bookkeeping (provisioning drift sweep)")
    public static final String DRIFT_NUMBER_RECORD = STORE + "drift.numbers.record";
    /** ListDriftNumbers -> DriftNumberPage: the tenant's numbers whose last status is not OK. */
    @InternalAddress("read through provisioning drift-status, which checks the tenant")
    public static final String DRIFT_NUMBERS_LIST = STORE + "drift.numbers.list";
    /** TenantRef -> DriftTenant (policy "report" and no sweep when none was stored). */
    @InternalAddress("read through provisioning drift-status")
    public static final String DRIFT_TENANT_GET = STORE + "drift.tenant.get";
    /** PutDriftTenant -> DriftTenant; 400 INVALID_POLICY. */
    @InternalAddress("written by provisioning drift-policy and the drift sweep")
    public static final String DRIFT_TENANT_PUT = STORE + "drift.tenant.put";
    /** {} -> DriftSweep: where the sweep is (zeros before the first). */
    @InternalAddress("the drift sweep's cursor, written by the lease holder only")
    public static final String DRIFT_SWEEP_GET = STORE + "drift.sweep.get";
    /** DriftSweep -> DriftSweep. */
    @InternalAddress("the drift sweep's cursor, written by the lease holder only")
    public static final String DRIFT_SWEEP_PUT = STORE + "drift.sweep.put";
    /**
     * CreateOperation -> OperationCreated: records a running operation, or names the tenant's running one of that
     * kind (or the one with that idempotency key) with created=false. A running one whose owner stopped renewing its
     * lease is marked failed first.
     */
    @InternalAddress("the provisioning service's operation bookkeeping")
    public static final String OPERATION_CREATE = STORE + "operations.create";
    /** RecordProgress -> OperationProgress: appends a batch of results, renews the owner's lease. */
    @InternalAddress("the provisioning service's operation bookkeeping")
    public static final String OPERATION_PROGRESS = STORE + "operations.progress";
    /** FinishOperation -> Operation: the final state and report; the results expire with it. */
    @InternalAddress("the provisioning service's operation bookkeeping")
    public static final String OPERATION_FINISH = STORE + "operations.finish";
    /** OperationPage -> Operation with a page of results; 404 OPERATION_NOT_FOUND (also another tenant's). */
    @InternalAddress("raw store view: provisioning operations.get shapes it into the API's answer")
    public static final String OPERATION_GET = STORE + "operations.get";
    /** ListOperations -> OperationList, newest first. */
    @PublicAddress
    public static final String OPERATION_LIST = STORE + "operations.list";
    /** OperationRef -> Operation with cancelRequested set when it runs; 404 OPERATION_NOT_FOUND. */
    @InternalAddress("a step of provisioning operations.cancel (which also stops the running flow)")
    public static final String OPERATION_CANCEL = STORE + "operations.cancel";

    private Store() {}
  }

  /** Twilio: trunk provisioning, credentials, numbers. Each request names the tenant; the verticle reads
   * the tenant's Twilio account from the store itself. "locked" = under the tenant's cluster-wide lock
   * (409 TENANT_BUSY after twilio.lockTimeoutMs). See docs/event-bus.md. */
  public static final class Twilio {
    /** VerifyAccount -> AccountInfo; 400 TWILIO_CREDENTIALS_INVALID. No tenant, no lock. */
    @InternalAddress("a step of provisioning connectTwilio")
    public static final String ACCOUNT_VERIFY = TWILIO + "account.verify";
    /** EnsureTrunk -> TrunkInfo (locked); idempotent setup, no Twilio write on a complete trunk. */
    @InternalAddress("a step of provisioning setup")
    public static final String TRUNK_ENSURE = TWILIO + "trunk.ensure";
    /** TenantRef -> TrunkStatus (read-only). */
    @PublicAddress
    public static final String TRUNK_STATUS = TWILIO + "trunk.status";
    /** TenantRef -> TeardownResult (locked); 409 TRUNK_HAS_NUMBERS. */
    @InternalAddress("skips the check that no live number remains (provisioning teardown)")
    public static final String TRUNK_TEARDOWN = TWILIO + "trunk.teardown";
    /** TenantRef -> CredentialRotationStarted (locked); the new password is the store's pending one (SIP_GET). */
    @InternalAddress("a rotation step: without the move, drain and verification of provisioning rotate, numbers lose their credential")
    public static final String CREDENTIAL_ROTATE_BEGIN = TWILIO + "credentials.rotate.begin";
    /** FinishCredentialRotation -> CredentialRotationFinished (locked); promotes, then deletes the old credential. */
    @InternalAddress("deletes the old credential without the credential-lease drain and Retell verification of provisioning rotate (the origin incident)")
    public static final String CREDENTIAL_ROTATE_FINISH = TWILIO + "credentials.rotate.finish";
    /** SearchNumbers -> AvailableNumbers; 400 INVALID_AREA_CODE etc. */
    @PublicAddress
    public static final String NUMBERS_SEARCH = TWILIO + "numbers.search";
    /** TenantNumber -> TrunkNumber (locked); 409 NUMBER_UNAVAILABLE, never another number. */
    @InternalAddress("buys without an Idempotency-Key claim, Retell import or record (provisioning purchase)")
    public static final String NUMBERS_PURCHASE = TWILIO + "numbers.purchase";
    /** TenantNumber -> TrunkNumber (locked); 404 NUMBER_NOT_FOUND, 409 NUMBER_ON_OTHER_TRUNK. */
    @InternalAddress("attaches without Retell import or record (provisioning import)")
    public static final String NUMBERS_IMPORT = TWILIO + "numbers.import";
    /** TenantRef -> TrunkNumbers (the trunk's numbers, all pages). */
    @PublicAddress
    public static final String NUMBERS_LIST = TWILIO + "numbers.list";
    /** TenantNumber -> NumberRemoved (locked); removed=false when it was not on the trunk. */
    @InternalAddress("leaves the number in Retell and recorded (provisioning remove)")
    public static final String NUMBERS_REMOVE = TWILIO + "numbers.remove";
    /** TenantNumber -> Released (locked); 404 NUMBER_NOT_FOUND, 409 NUMBER_NOT_ON_TRUNK. */
    @InternalAddress("releases without removing it from Retell or the record (provisioning remove)")
    public static final String NUMBERS_RELEASE = TWILIO + "numbers.release";

    private Twilio() {}
  }

  /** Retell: phone numbers and per-number SIP credential sync. Stateless: every request carries the API
   * key (or none, for the configured default) and what it needs. */
  public static final class Retell {
    @InternalAddress("carries a Retell API key, or none for the shared default key, which spans tenants; writes skip the credential lease a rotation waits for (provisioning fix, audit)")
    public static final String KEY_VERIFY = RETELL + "key.verify";
    @InternalAddress("carries a Retell API key, or none for the shared default key, which spans tenants; writes skip the credential lease a rotation waits for (provisioning fix, audit)")
    public static final String NUMBER_IMPORT = RETELL + "numbers.import";
    @InternalAddress("carries a Retell API key, or none for the shared default key, which spans tenants; writes skip the credential lease a rotation waits for (provisioning fix, audit)")
    public static final String NUMBER_GET = RETELL + "numbers.get";
    @InternalAddress("carries a Retell API key, or none for the shared default key, which spans tenants; writes skip the credential lease a rotation waits for (provisioning fix, audit)")
    public static final String NUMBER_LIST = RETELL + "numbers.list";
    @InternalAddress("carries a Retell API key, or none for the shared default key, which spans tenants; writes skip the credential lease a rotation waits for (provisioning fix, audit)")
    public static final String NUMBER_DELETE = RETELL + "numbers.delete";
    @InternalAddress("carries a Retell API key, or none for the shared default key, which spans tenants; writes skip the credential lease a rotation waits for (provisioning fix, audit)")
    public static final String NUMBER_SYNC = RETELL + "numbers.sync";
    @InternalAddress("carries a Retell API key, or none for the shared default key, which spans tenants; writes skip the credential lease a rotation waits for (provisioning fix, audit)")
    public static final String NUMBER_INSPECT = RETELL + "numbers.inspect";

    private Retell() {}
  }

  private Addresses() {}
}
