package dev.trunkline.contract;

import java.util.List;
import java.util.Map;

/**
 * Requests and replies of {@link Addresses.Twilio}. A request names the tenant; the Twilio verticle reads the
 * tenant's Twilio account from the store. No reply carries a password or an auth token.
 */
public final class TwilioMessages {
  private TwilioMessages() {}

  /** Checks an Account SID and auth token against Twilio before they are stored. */
  public record VerifyAccount(String accountSid, Secret authToken) {}

  public record AccountInfo(String accountSid, String friendlyName, String status) {}

  public record EnsureTrunk(String subaccountId, String addressSid, String emergencyAddressSid,
      String bundleSid) {}

  public record TrunkInfo(
      String subaccountId,
      String trunkSid,
      String friendlyName,
      String domainName,
      String terminationUri,
      String username,
      String credentialListSid,
      String credentialSid,
      String originationUrl,
      boolean created,
      List<String> repaired) {}

  public record TrunkStatus(
      String subaccountId,
      boolean exists,
      String trunkSid,
      String friendlyName,
      String domainName,
      String terminationUri,
      String username,
      boolean credentialPresent,
      boolean passwordKnown,
      String originationUrl,
      int numberCount,
      List<String> problems) {}

  public record TeardownResult(String trunkSid, boolean deleted, List<String> removed) {}

  /** A second credential was added to the trunk's list; its password is pending in the store. */
  public record CredentialRotationStarted(String subaccountId, String username, String credentialSid,
      String previousCredentialSid) {}

  public record FinishCredentialRotation(String subaccountId, String credentialSid) {}

  public record CredentialRotationFinished(String subaccountId, String username, String credentialSid,
      String deletedCredentialSid) {}

  /**
   * @param type "local", "mobile" or "tollFree"
   */
  public record SearchNumbers(String subaccountId, String countryCode, String areaCode, String contains,
      String type, Integer limit) {}

  public record AvailableNumber(String phoneNumber, String friendlyName, String locality, String region,
      String isoCountry, String postalCode, Map<String, Boolean> capabilities) {}

  public record AvailableNumbers(List<AvailableNumber> numbers) {}

  public record TrunkNumber(String phoneNumber, String sid, String trunkSid, String friendlyName) {}

  public record TrunkNumbers(List<TrunkNumber> numbers) {}

  public record Released(String phoneNumber, boolean released) {}

  /**
   * Reply of {@code numbers.remove}: the number was taken off the tenant's trunk (it stays in the Twilio
   * account); {@code removed} is false when it was not on the trunk.
   */
  public record NumberRemoved(String phoneNumber, String trunkSid, boolean removed) {}
}
