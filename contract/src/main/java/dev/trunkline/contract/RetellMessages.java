package dev.trunkline.contract;

import java.util.List;

/**
 * Requests and replies of {@link Addresses.Retell}. The Retell verticle keeps no state: each request carries
 * the tenant's API key ({@code null} means the configured default key) and what it needs.
 *
 * <p>Failure codes beyond the defaults: {@code RETELL_NOT_FOUND} (404), {@code RETELL_VERIFY_MISMATCH} (502:
 * Retell accepted an update but its reply does not show it), {@code RETELL_UNAUTHORIZED} (502: Retell refused
 * the key), {@code RETELL_RATE_LIMITED} (429 after retries), {@code RETELL_ERROR} (502, details carry
 * {@code upstreamStatus}), {@code RETELL_TIMEOUT} (504).
 */
public final class RetellMessages {
  private RetellMessages() {}

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

  public record NumberRef(Secret apiKey, String phoneNumber) {}

  public record ListNumbers(Secret apiKey) {}

  public record NumberList(List<RetellNumber> items) {}

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
