package dev.trunkline.contract;

import java.util.List;

/**
 * Requests and replies of {@link Addresses.Retell}. The Retell verticle keeps no state: each request carries
 * the tenant's API key ({@code null} means the configured default key) and what it needs.
 *
 * <p>Failure codes beyond the defaults: {@code RETELL_NOT_FOUND} (404), {@code RETELL_VERIFY_MISMATCH} (502:
 * Retell accepted an update but its reply does not show it), {@code RETELL_UNAUTHORIZED} (502: Retell refused
 * the key), {@code RETELL_RATE_LIMITED} (429 after retries), {@code RETELL_ERROR} (502, details carry
 * {@code upstreamStatus}), {@code RETELL_TIMEOUT} (504). Added since: {@code RETELL_KEY_MISSING} (400: no key
 * in the request and no default configured), {@code RETELL_UNAUTHORIZED} is 400 on {@code key.verify} (the key
 * under test is the caller's input), {@code RETELL_CONFLICT} (409 after retries), {@code RETELL_REJECTED} (422:
 * Retell refused the input with 400/422), {@code RETELL_UNREACHABLE} (502: no connection after retries),
 * {@code RETELL_BAD_REPLY} (502: a 2xx reply that is not the documented JSON), {@code RETELL_REDIRECT} (502: Retell
 * answered 3xx; redirects are never followed, they would carry the API key elsewhere). Every failure caused by an
 * upstream HTTP status carries {@code details.upstreamStatus} and {@code details.attempts}. See
 * {@link Codes} and {@code docs/event-bus.md}.
 */
public final class RetellMessages {
  private RetellMessages() {}

  /** The failure codes of the Retell addresses. */
  public static final class Codes {
    public static final String KEY_MISSING = "RETELL_KEY_MISSING";
    public static final String NOT_FOUND = "RETELL_NOT_FOUND";
    public static final String VERIFY_MISMATCH = "RETELL_VERIFY_MISMATCH";
    public static final String UNAUTHORIZED = "RETELL_UNAUTHORIZED";
    public static final String RATE_LIMITED = "RETELL_RATE_LIMITED";
    public static final String CONFLICT = "RETELL_CONFLICT";
    public static final String REJECTED = "RETELL_REJECTED";
    public static final String ERROR = "RETELL_ERROR";
    public static final String TIMEOUT = "RETELL_TIMEOUT";
    public static final String UNREACHABLE = "RETELL_UNREACHABLE";
    public static final String BAD_REPLY = "RETELL_BAD_REPLY";
    public static final String REDIRECT = "RETELL_REDIRECT";

    private Codes() {}
  }

  public record VerifyKey(Secret apiKey) {}

  public record KeyVerified(boolean ok) {}

  /** A number as Retell shows it (the fields Trunkline uses). */
  public record RetellNumber(
      String phoneNumber,
      String phoneNumberType,
      String nickname,
      String terminationUri,
      String transport,
      String authUsername,
      Long lastModificationTimestamp) {}

  /** Where a number's outbound calls go and with which SIP credentials. */
  public record SipTarget(String terminationUri, String username, Secret password, String transport) {}

  public record ImportNumber(Secret apiKey, String phoneNumber, SipTarget target, String nickname) {}

  /** A number of the Retell workspace that {@code apiKey} opens (null: the configured default key). */
  public record KeyedNumber(Secret apiKey, String phoneNumber) {}

  public record ListNumbers(Secret apiKey) {}

  /**
   * Every number of the key's workspace, all pages followed. {@code truncated} is true when the list had more
   * pages than the verticle follows ({@code retell.listMaxPages}); the items are then the first pages only.
   */
  public record NumberList(List<RetellNumber> items, boolean truncated) {
    public NumberList(List<RetellNumber> items) {
      this(items, false);
    }
  }

  /** {@code deleted} is false when Retell did not know the number (deleting is idempotent). */
  public record Deleted(String phoneNumber, boolean deleted) {}

  /**
   * Sets a number's SIP credentials and checks Retell's reply shows them. With {@code importIfMissing} a
   * number Retell does not know is imported instead of failing with RETELL_NOT_FOUND.
   */
  public record SyncNumber(Secret apiKey, String phoneNumber, SipTarget target, boolean importIfMissing,
      String nickname) {}

  public enum SyncOutcome { UPDATED, IMPORTED }

  public record SyncResult(String phoneNumber, SyncOutcome outcome, String authUsername,
      String terminationUri) {}

  /** Read-only: compares a number's {@code sip_outbound_trunk_config} with what is expected. */
  public record InspectNumber(Secret apiKey, String phoneNumber, String expectedTerminationUri,
      String expectedUsername) {}

  public enum InspectionStatus { OK, MISSING_USERNAME, WRONG_USERNAME, WRONG_TERMINATION_URI, NOT_IN_RETELL }

  public record Inspection(String phoneNumber, InspectionStatus status, String authUsername,
      String terminationUri, String transport) {}
}
