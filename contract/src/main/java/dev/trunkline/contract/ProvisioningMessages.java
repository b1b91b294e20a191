package dev.trunkline.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Requests and replies of the provisioning service ({@link Addresses.Provisioning}): Trunkline's multi-step flows
 * as bus services, each the same operation as one HTTP route (docs/api.md) with the same answer.
 *
 * <p>Every request names its tenant ({@code subaccountId}, lower case as the HTTP API canonicalises it). A flow
 * that completes, whatever happened to each number, replies with a {@link FlowReply}: the HTTP status the REST API
 * would answer and the very body it would send. A request that cannot run at all (unknown tenant, setup missing,
 * malformed request, a refused credential) fails the bus request with a {@link ServiceException}: status, code and
 * message as the REST API's error, on the bus as {@code message.fail(status, {"code","message","details"})}.
 */
public final class ProvisioningMessages {
  private ProvisioningMessages() {}

  /** Verifies a Twilio account at Twilio, then stores it encrypted. The token is never echoed. */
  public record ConnectTwilio(String subaccountId, String accountSid, Secret authToken) {
    @Override
    public String toString() {
      return "ConnectTwilio[subaccountId=" + subaccountId + ", accountSid=" + accountSid + ", authToken=****]";
    }
  }

  /** Verifies a Retell API key with a cheap Retell call, then stores it encrypted. */
  public record ConnectRetell(String subaccountId, Secret apiKey) {
    @Override
    public String toString() {
      return "ConnectRetell[subaccountId=" + subaccountId + ", apiKey=****]";
    }
  }

  /** Creates or repairs the tenant's trunk (idempotent); optional address and bundle SIDs for regulated numbers. */
  public record SetupTrunk(String subaccountId, String addressSid, String emergencyAddressSid, String bundleSid) {}

  /**
   * Available numbers at Twilio. Null fields take the REST API's defaults (US, local, 20).
   *
   * @param type {@code local}, {@code mobile} or {@code tollFree}
   */
  public record SearchNumbers(String subaccountId, String countryCode, String areaCode, String contains,
      String type, Integer limit) {}

  /**
   * Buys a number exactly once per {@code idempotencyKey} (1 to 128 of {@code A-Za-z0-9._:-}), attaches it to the
   * trunk, imports it into Retell and records it. Retry with the same key and number: a finished purchase answers
   * its recorded reply (header {@code Idempotent-Replayed: true}), a running one fails 409
   * {@code IDEMPOTENCY_IN_PROGRESS} with {@code details.retryAfterSeconds}.
   */
  public record PurchaseNumber(String subaccountId, String phoneNumber, String idempotencyKey) {}

  /** Attaches a number the tenant already owns at Twilio to the trunk, imports it into Retell, records it. */
  public record ImportNumber(String subaccountId, String phoneNumber) {}

  /** One page of the tenant's recorded numbers ({@code limit} 1..200, default 50; {@code after} from the last page). */
  public record ListNumbers(String subaccountId, Integer limit, String after) {}

  /** Removes a number from Retell and the trunk; with {@code release} also releases it at Twilio. */
  public record RemoveNumber(String subaccountId, String phoneNumber, boolean release) {}

  /** Read-only: which numbers' Retell SIP credentials are wrong. {@code phoneNumber} null means every number. */
  public record Audit(String subaccountId, String phoneNumber) {}

  /**
   * Repairs the numbers' Retell SIP credentials, each verified by reading it back.
   *
   * @param phoneNumber just this number, or every number when null
   * @param importMissing import numbers Retell does not have instead of reporting them failed
   * @param dryRun inspect only and report what a fix would change
   */
  public record Fix(String subaccountId, String phoneNumber, boolean importMissing, boolean dryRun) {}

  /** Zero-downtime rotation of the tenant's SIP credential (docs/api.md "Rotate credentials"). */
  public record RotateCredentials(String subaccountId) {}

  /** Deletes the tenant's trunk and credential list; refused (409 NUMBERS_REMAIN) while live numbers remain. */
  public record Teardown(String subaccountId) {}

  /**
   * Asks the audit, fix or rotation running for {@code requestId} to start no new numbers (published: whichever
   * node runs it hears it). What is in flight finishes; the reply reports the numbers that were started.
   */
  public record Cancel(String subaccountId, String requestId) {}

  /** How a fan-out ended, from its status: every number succeeded (or there were none), some did, none did. */
  public enum Outcome {
    ALL_OK, PARTIAL, ALL_FAILED;

    public static Outcome of(int status) {
      return status < 300 ? ALL_OK : status == 207 ? PARTIAL : ALL_FAILED;
    }
  }

  /**
   * A flow's answer: the HTTP status and body the REST API sends for the same request, and the headers it adds
   * ({@code Idempotent-Replayed} on a replayed purchase). Bodies are {@code {"success", "message", "data"}} or, for
   * a failure reported as an answer (a purchase bought but not recorded), {@code {"success": false, "error"}}.
   */
  public record FlowReply(int status, Map<String, Object> body, Map<String, String> headers) {
    /** Whether the request did everything it asked ({@code body.success}). */
    public boolean succeeded() {
      return body != null && Boolean.TRUE.equals(body.get("success"));
    }

    public Outcome outcome() {
      return Outcome.of(status);
    }

    /** The report of an audit, fix or rotation, typed: totals and per-number results in input order. */
    public Report report() {
      Object data = body == null ? null : body.get("data");
      return data == null ? null : Json.MAPPER.convertValue(data, Report.class);
    }
  }

  /**
   * The counts and per-number results of an audit, fix or rotation ({@link FlowReply#report()}). A reply carries at
   * most {@code provisioning.replyMaxResults} results: beyond, {@code results} is absent and {@code resultsOmitted}
   * says how many it leaves out (run it as an operation to page them from the store).
   */
  public record Report(int total, int successCount, int failCount, List<NumberResult> results,
      Integer resultsOmitted) {}

  /**
   * One number's result, as the REST API reports it. Which optional fields are present depends on the flow
   * (docs/api.md): {@code status} for audits and dry runs, {@code notInRetell} and {@code resynced} for rotations.
   */
  public record NumberResult(String phoneNumber, boolean success, String status, String message,
      @JsonProperty("auth_username") String authUsername, Boolean wouldChange, Boolean notInRetell,
      Boolean resynced, Failure error) {}

  /** A failure as the REST API and per-number results carry it. */
  public record Failure(String code, String message, Map<String, Object> details) {}

  /**
   * Published on {@link Addresses.Events#numbers(String)} as each number of an audit, fix or rotation completes.
   *
   * @param flow {@code audit}, {@code fix} or {@code rotate}
   * @param phase for a rotation {@code move} then {@code verify}; otherwise the flow's name
   * @param index the number's position in the report's results (0-based), per phase
   */
  public record NumberEvent(String type, String requestId, String subaccountId, String flow, String phase,
      int index, NumberResult result) {
    public static final String TYPE = "number";
  }

  /**
   * Published on {@link Addresses.Events#numbers(String)} once the flow has answered: the status and totals of its
   * reply, or the failure of a flow that could not run ({@code error}, totals zero). A request refused as malformed
   * (400 before any flow starts) publishes none.
   */
  public record CompletedEvent(String type, String requestId, String subaccountId, String flow, int status,
      Outcome outcome, int total, int successCount, int failCount, Failure error) {
    public static final String TYPE = "completed";
  }

  /** The tenant's drift watch: its last sweep, policy and a page of the numbers not OK (limit 1..200, default 50). */
  public record DriftStatus(String subaccountId, Integer limit, String after) {}

  /** Sets the tenant's drift policy: "report" (publish and count) or "repair" (run the fix for drifted numbers). */
  public record DriftPolicy(String subaccountId, String policy) {}

  /**
   * On {@code trunkline.events.v1.drift.<subaccountId>}: {@code type} "drift.found" (a number's Retell settings
   * differ from the trunk's), "drift.repaired" or "drift.repair-failed" (then {@code code} says why), or
   * "drift.backing-off" (a number that failed repair is left alone until {@code nextRepairAt}), or "drift.trunk"
   * (once per tenant per sweep: the trunk at Twilio is missing or unhealthy; {@code problems} says how, no
   * {@code phoneNumber}). No secret: the status and problems name what is wrong, never the credential.
   */
  public record DriftEvent(String type, String subaccountId, String phoneNumber, String status, long checkedAt,
      Long driftedSince, String policy, String code, Long nextRepairAt, List<String> problems) {
    public static final String TRUNK = "drift.trunk";
    public static final String FOUND = "drift.found";
    public static final String REPAIRED = "drift.repaired";
    public static final String REPAIR_FAILED = "drift.repair-failed";
    public static final String BACKING_OFF = "drift.backing-off";
  }

  /**
   * An audit, fix or rotation as a durable operation ({@code kind} {@code audit}, {@code fix} or {@code rotate};
   * {@code request} that flow's fields: {@code phoneNumber}, {@code importMissing}, {@code dryRun}). The reply is the
   * final report when it is done within {@code waitMs}, else 202 with the operation; a running operation of that
   * tenant and kind, or one with the same {@code idempotencyKey}, is answered 200 instead of a second run.
   */
  public record RunOperation(String subaccountId, String kind, Map<String, Object> request, String idempotencyKey,
      long waitMs) {}

  /** One operation with a page of its results ({@code after} the last page's {@code next}; limit 1..500). */
  public record GetOperation(String subaccountId, String operationId, Long after, Integer limit) {}

  /** The tenant's recent operations ({@code limit} 1..100, default 20). */
  public record ListOperations(String subaccountId, Integer limit) {}

  /** Cancels a running operation: what is in flight finishes, nothing new starts. */
  public record CancelOperation(String subaccountId, String operationId) {}
}
