package dev.trunkline.twilio.trunk;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Names of the Twilio resources Trunkline creates for a tenant. Each carries the FULL subaccount id, and is
 * matched exactly (never by prefix), so tenants sharing one Twilio account never adopt each other's trunk.
 */
public final class TrunkNames {
  public static final String DOMAIN_SUFFIX = ".pstn.twilio.com";
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String prefix;

  public TrunkNames(String prefix) {
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  /** The trunk's friendly name: {@code <prefix>-<subaccountId>}. */
  public String trunkFriendlyName(String subaccountId) {
    return prefix + "-" + subaccountId.toLowerCase(Locale.ROOT);
  }

  /** The credential list's friendly name (64 characters at most): the same as the trunk's. */
  public String credentialListName(String subaccountId) {
    return trunkFriendlyName(subaccountId);
  }

  /** The friendly name of the origination URL that points at Retell. */
  public String originationUrlName(String subaccountId) {
    return prefix + "-retell-" + subaccountId.toLowerCase(Locale.ROOT);
  }

  /**
   * The termination domain to try on attempt {@code attempt}: first {@code <prefix>-<subaccountId>}, then the
   * same with a random suffix, because domain names are unique across all of Twilio, not just the account.
   */
  public String domainName(String subaccountId, int attempt) {
    String label = prefix.toLowerCase(Locale.ROOT) + "-" + subaccountId.toLowerCase(Locale.ROOT);
    if (attempt > 0) {
      StringBuilder suffix = new StringBuilder("-");
      for (int i = 0; i < 6; i++) {
        suffix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
      }
      label += suffix;
    }
    return label + DOMAIN_SUFFIX;
  }
}
