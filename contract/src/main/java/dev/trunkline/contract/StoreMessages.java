package dev.trunkline.contract;

import java.util.List;
import java.util.Map;

/**
 * Requests and replies of {@link Addresses.Store}. Replies carry no secrets except the records returned
 * by the addresses marked "secret" there ({@link TwilioAccount}, {@link RetellKey}, {@link SipCredentials}).
 */
public final class StoreMessages {
  private StoreMessages() {}

  /** How much the store knows of the tenant's SIP password. */
  public enum PasswordState {
    /** No SIP credential has been made yet. */
    NONE,
    /** An encrypted password is stored and readable. */
    KNOWN,
    /** A new password was written ahead of a Twilio call that has not been confirmed; retry with it. */
    PENDING,
    /** A username is stored but no password (legacy records): Twilio must be given a new one. */
    UNKNOWN
  }

  public record PingReply(boolean ok, String backend) {}

  /**
   * The Twilio trunk as Trunkline knows it. Every field may be null while setup is incomplete.
   *
   * <p>Also the shape of a trunk.put patch: only its non-null fields are written ("" clears one). Build one with
   * {@link #builder()} and name the fields you set, rather than counting twelve positional arguments.
   */
  public record Trunk(
      String trunkSid,
      String friendlyName,
      String domainName,
      String terminationUri,
      String credentialListSid,
      String credentialSid,
      String previousCredentialSid,
      String originationUrlSid,
      String username,
      String addressSid,
      String emergencyAddressSid,
      String bundleSid) {
    /** No field known: what a tenant without a stored trunk has. */
    public static final Trunk EMPTY = builder().build();

    public static Builder builder() {
      return new Builder();
    }

    /** A builder that starts from this trunk's fields. */
    public Builder toBuilder() {
      return new Builder().trunkSid(trunkSid).friendlyName(friendlyName).domainName(domainName)
          .terminationUri(terminationUri).credentialListSid(credentialListSid).credentialSid(credentialSid)
          .previousCredentialSid(previousCredentialSid).originationUrlSid(originationUrlSid).username(username)
          .addressSid(addressSid).emergencyAddressSid(emergencyAddressSid).bundleSid(bundleSid);
    }

    /** This trunk read as a patch laid over {@code base}: each of its non-null fields wins, the rest are base's. */
    public Trunk over(Trunk base) {
      return new Trunk(or(trunkSid, base.trunkSid), or(friendlyName, base.friendlyName),
          or(domainName, base.domainName), or(terminationUri, base.terminationUri),
          or(credentialListSid, base.credentialListSid), or(credentialSid, base.credentialSid),
          or(previousCredentialSid, base.previousCredentialSid), or(originationUrlSid, base.originationUrlSid),
          or(username, base.username), or(addressSid, base.addressSid),
          or(emergencyAddressSid, base.emergencyAddressSid), or(bundleSid, base.bundleSid));
    }

    /**
     * This trunk read as a patch, less what {@code known} already holds: the fields it sets to another value than
     * {@code known}'s. {@link #EMPTY} when writing it would change nothing.
     */
    public Trunk minus(Trunk known) {
      return new Trunk(changed(trunkSid, known.trunkSid), changed(friendlyName, known.friendlyName),
          changed(domainName, known.domainName), changed(terminationUri, known.terminationUri),
          changed(credentialListSid, known.credentialListSid), changed(credentialSid, known.credentialSid),
          changed(previousCredentialSid, known.previousCredentialSid),
          changed(originationUrlSid, known.originationUrlSid), changed(username, known.username),
          changed(addressSid, known.addressSid), changed(emergencyAddressSid, known.emergencyAddressSid),
          changed(bundleSid, known.bundleSid));
    }

    private static String or(String patch, String base) {
      return patch != null ? patch : base;
    }

    private static String changed(String patch, String known) {
      return patch != null && !patch.equals(known) ? patch : null;
    }

    /** Names each field it sets; the others stay null (in a patch: not written). */
    public static final class Builder {
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

      private Builder() {}

      public Builder trunkSid(String v) { trunkSid = v; return this; }
      public Builder friendlyName(String v) { friendlyName = v; return this; }
      public Builder domainName(String v) { domainName = v; return this; }
      public Builder terminationUri(String v) { terminationUri = v; return this; }
      public Builder credentialListSid(String v) { credentialListSid = v; return this; }
      public Builder credentialSid(String v) { credentialSid = v; return this; }
      public Builder previousCredentialSid(String v) { previousCredentialSid = v; return this; }
      public Builder originationUrlSid(String v) { originationUrlSid = v; return this; }
      public Builder username(String v) { username = v; return this; }
      public Builder addressSid(String v) { addressSid = v; return this; }
      public Builder emergencyAddressSid(String v) { emergencyAddressSid = v; return this; }
      public Builder bundleSid(String v) { bundleSid = v; return this; }

      public Trunk build() {
        return new Trunk(trunkSid, friendlyName, domainName, terminationUri, credentialListSid, credentialSid,
            previousCredentialSid, originationUrlSid, username, addressSid, emergencyAddressSid, bundleSid);
      }
    }
  }

  /**
   * A tenant's connector without secrets: what the gateway may show.
   *
   * @param pending the pending SIP credential without its password (null when none), so that a reader that must
   *     not see secrets (the audit) can still tell a rotation is open and which username it moves to
   */
  public record Connector(
      String subaccountId,
      String twilioAccountSid,
      boolean twilioConnected,
      boolean retellKeyPresent,
      Trunk trunk,
      PasswordState passwordState,
      long version,
      PendingInfo pending) {}

  /** The pending SIP credential without its password. */
  public record PendingInfo(String username, CredentialPurpose purpose, String credentialSid, long createdAt) {}

  public record PutTwilioAccount(String subaccountId, String accountSid, Secret authToken) {}

  /** secret */
  public record TwilioAccount(String subaccountId, String accountSid, Secret authToken) {}

  public record PutRetellKey(String subaccountId, Secret apiKey) {}

  /** secret */
  public record RetellKey(String subaccountId, Secret apiKey) {}

  /**
   * Merges the non-null fields of {@code trunk} into the stored trunk. With {@code expectedVersion} the
   * write only happens when the connector is still at that version (409 otherwise).
   */
  public record PutTrunk(String subaccountId, Trunk trunk, Long expectedVersion) {}

  /**
   * Write-ahead: stores a generated password, encrypted, as pending BEFORE Twilio is told about it.
   *
   * @param purpose a setup's credential or a rotation's second one (null: setup)
   * @param credentialSid the Twilio credential it belongs to, when already known
   */
  public record PutPendingSip(String subaccountId, String username, Secret password, CredentialPurpose purpose,
      String credentialSid) {}

  /** Promotes the pending credential (which must have this username) to active. */
  public record PromoteSip(String subaccountId, String username, String credentialSid) {}

  public record PendingSip(String username, Secret password, CredentialPurpose purpose, String credentialSid,
      long createdAt) {}

  /** secret: the decrypted SIP credentials and where they apply. */
  public record SipCredentials(
      String subaccountId,
      String username,
      Secret password,
      PasswordState passwordState,
      String terminationUri,
      String transport,
      PendingSip pending) {}

  /** Retell import state of a number as Trunkline last saw it. */
  public enum RetellStatus { IMPORTED, NOT_IMPORTED, REMOVED }

  public record PhoneNumber(
      String subaccountId,
      String phoneNumber,
      String twilioSid,
      String trunkSid,
      RetellStatus retellStatus,
      String retellError,
      long createdAt,
      long updatedAt) {}

  /** Paged by phone number: {@code after} is the {@code next} of the previous page. */
  public record ListNumbers(String subaccountId, Integer limit, String after) {}

  public record NumberPage(List<PhoneNumber> items, String next) {}

  public record Deleted(boolean deleted) {}

  /**
   * Takes the lock {@code name} for {@code owner} (unique per acquisition) for {@code leaseMs}, unless another
   * owner's lease is still running. Renew before the lease runs out; release when done.
   */
  public record AcquireLock(String name, String owner, long leaseMs) {}

  public record RenewLock(String name, String owner, long leaseMs) {}

  public record ReleaseLock(String name, String owner) {}

  /**
   * @param holder who holds the lock when {@code held} is false (the owner its holder gave), else null: a waiter
   *     whose holder's node left the cluster releases it at once instead of waiting out its lease
   */
  public record LockReply(boolean held, String holder) {
    public LockReply(boolean held) {
      this(held, null);
    }
  }

  /**
   * Claims an idempotency key for a tenant. The reply says whether this caller owns the work now
   * ({@code CLAIMED}), another request holds it ({@code IN_PROGRESS}), or it is done ({@code COMPLETED}, with
   * the recorded response). The same key with another {@code requestHash} fails with 422.
   *
   * <p>A claim is a lease ({@code store.idempotencyLeaseSeconds}): once it has run out without the holder
   * completing or releasing the key (the holder crashed), the next claim with the same request takes it over
   * and gets {@code CLAIMED} with {@code takenOver = true}. A completed record is never taken over.
   *
   * @param leaseId the lease id the claim is to have, chosen by the caller (null: the store picks one). The same
   *     claim sent again (its first answer lost with a store node that died) finds its own lease and is answered
   *     {@code CLAIMED} again instead of {@code IN_PROGRESS}, so a caller may resend it.
   */
  public record ClaimIdempotency(String subaccountId, String key, String operation, String requestHash,
      String leaseId) {
    public ClaimIdempotency(String subaccountId, String key, String operation, String requestHash) {
      this(subaccountId, key, operation, requestHash, null);
    }
  }

  public enum ClaimState { CLAIMED, IN_PROGRESS, COMPLETED }

  /**
   * @param status and {@code response}: {@code COMPLETED} only, the recorded outcome
   * @param leaseId {@code CLAIMED} only: this claim's owner token. Pass it to complete and release, so that a
   *     holder whose lease was taken over can neither close nor free its successor's claim
   * @param leaseExpiresInMs {@code CLAIMED}: how long the claim is the caller's alone; {@code IN_PROGRESS}: how
   *     long until the holder's lease runs out, after which a retry with the same request takes the claim over
   *     (when the holder has not finished by then). Measured on the store's clock
   * @param takenOver {@code CLAIMED} only: the claim was taken over from an earlier holder whose lease ran out;
   *     that holder may have done part of the work, so the caller must converge on it, not repeat it blindly
   */
  public record IdempotencyClaim(ClaimState state, Integer status, Map<String, Object> response, String leaseId,
      Long leaseExpiresInMs, boolean takenOver) {
    public IdempotencyClaim(ClaimState state, Integer status, Map<String, Object> response) {
      this(state, status, response, null, null, false);
    }
  }

  /**
   * Records the outcome of a claim. With {@code leaseId} it only completes that claim (409
   * {@code IDEMPOTENCY_LEASE_LOST} when another claim took it over); without, whichever claim holds the key.
   */
  public record CompleteIdempotency(String subaccountId, String key, int status, Map<String, Object> response,
      String leaseId) {
    public CompleteIdempotency(String subaccountId, String key, int status, Map<String, Object> response) {
      this(subaccountId, key, status, response, null);
    }
  }

  /**
   * Gives a claimed key back after a failure that changed nothing, so a retry can run. With {@code leaseId} only
   * that claim is given back (a claim taken over since stays); without, whichever claim holds the key.
   */
  public record ReleaseIdempotency(String subaccountId, String key, String leaseId) {
    public ReleaseIdempotency(String subaccountId, String key) {
      this(subaccountId, key, null);
    }
  }

  public record RekeyVault(Integer batchSize) {}

  public record RekeyReport(long scanned, long reencrypted, long alreadyCurrent, long failed,
      List<String> failures) {}

  // ---- drift watch (the provisioning service's sweep; docs/drift.md) ----------------------------------

  /** The tenants that have a trunk, by subaccount id: {@code after} is the {@code next} of the previous page. */
  public record ListDriftTenants(Integer limit, String after) {}

  /**
   * A page of tenant ids with a trunk; {@code next} null at the end. {@code numberCount} (first page only, else
   * null) is how many recorded numbers are not removed, all tenants together: the sweep spreads them over its period.
   */
  public record DriftTenantPage(List<String> items, String next, Long numberCount) {}

  /**
   * One inspection's outcome for a number: {@code status} is the audit's (OK, MISSING_USERNAME, WRONG_USERNAME,
   * WRONG_TERMINATION_URI, NOT_IN_RETELL) or ERROR when Retell could not be asked. {@code repair} is null (none
   * tried), REPAIRED or REPAIR_FAILED; a failed repair's next attempt waits {@code repairBackoffMs} doubled per
   * failure before it (capped at 64 times).
   */
  public record RecordDriftCheck(String subaccountId, String phoneNumber, String status, String repair,
      long repairBackoffMs) {}

  /** What the watch remembers of a number. Times are epoch milliseconds; null when never. */
  public record DriftNumber(String subaccountId, String phoneNumber, String status, long checkedAt,
      Long driftedSince, Long repairedAt, int repairFailures, Long nextRepairAt) {}

  /**
   * The tenant's numbers whose last status is not OK, by phone number (limit 1..1000, default 100); with
   * {@code checkedSince} only those checked since then (a number removed from Trunkline is checked no more, so the
   * last sweep's start leaves it out).
   */
  public record ListDriftNumbers(String subaccountId, Integer limit, String after, Long checkedSince) {
    public ListDriftNumbers(String subaccountId, Integer limit, String after) {
      this(subaccountId, limit, after, null);
    }
  }

  public record DriftNumberPage(List<DriftNumber> items, String next) {}

  /** Counts of one tenant's sweep (epoch milliseconds). */
  public record DriftSummary(long startedAt, long finishedAt, int checked, int ok, int drifted, int errors,
      int repaired, int repairFailed) {}

  /** A tenant's watch settings and last sweep: policy "report" (the default) or "repair". */
  public record DriftTenant(String subaccountId, String policy, DriftSummary lastSweep) {}

  /** Sets the non-null fields; policy must be "report" or "repair" (400 INVALID_POLICY). */
  public record PutDriftTenant(String subaccountId, String policy, DriftSummary lastSweep) {}

  /**
   * Where the sweep is, so that a restarted (or another) node resumes there: the tenant it is in and the last number
   * done ({@code after}), when the sweep started, how many numbers it spreads over its period and how many it did.
   * All zero / null before the first sweep.
   */
  public record DriftSweep(String tenant, String after, long startedAt, long numberCount, long position) {}

  // ---- long operations (docs/api.md "Long operations") --------------------------------------------------

  /**
   * A running audit, fix or rotation to record: {@code kind} is {@code audit}, {@code fix} or {@code rotate};
   * {@code owner} the node's run of it, which renews {@code leaseMs} with each progress record; {@code request} its
   * parameters (no secret); {@code expected} the number of results it will likely record (for progress bars).
   */
  public record CreateOperation(String subaccountId, String kind, String operationId, String owner,
      Map<String, Object> request, String idempotencyKey, long leaseMs) {}

  /** {@code created=false}: {@code operation} is the tenant's running one of that kind (or the key's). */
  public record OperationCreated(boolean created, Map<String, Object> operation) {}

  /**
   * A batch of per-number results, in completion order from {@code firstSeq}: each {@code {phase, index,
   * result}}; {@code succeeded} and {@code failed} count them.
   */
  public record RecordProgress(String operationId, String owner, long firstSeq, List<Map<String, Object>> results,
      int succeeded, int failed, long leaseMs) {}

  /** {@code owned=false} once another node took the operation over; {@code cancelRequested} after a DELETE. */
  public record OperationProgress(boolean owned, boolean cancelRequested) {}

  /**
   * The end: {@code state} is {@code succeeded}, {@code partly_failed}, {@code failed} or {@code cancelled};
   * {@code report} the synchronous reply's body without its results (those are the recorded ones).
   */
  public record FinishOperation(String operationId, String owner, String state, int status,
      Map<String, Object> report, long retainMs) {}

  public record OperationRef(String subaccountId, String operationId) {}

  /** An operation and its results from {@code after} (a result's {@code seq}; null from the first), {@code limit}. */
  public record OperationPage(String subaccountId, String operationId, Long after, Integer limit) {}

  public record ListOperations(String subaccountId, Integer limit) {}

  public record OperationList(List<Map<String, Object>> items) {}
}
