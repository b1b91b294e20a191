package dev.trunkline.simulators;

import dev.trunkline.simulators.TwilioModel.Account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the Twilio simulator remembers: accounts (created on first use with the token they present), the
 * global registry of trunk domain names (unique across all accounts, like Twilio's), and the numbers sold from the
 * inventory. Route handlers operate on it inside {@code synchronized (state)}: each operation is a handful of map
 * accesses and never blocks, and one lock keeps cross-account rules (domains, inventory) trivially consistent.
 */
final class TwilioState {

  static final int MAX_ACCOUNTS = 10_000;
  /** Per account and resource kind, so a runaway test cannot exhaust the heap. */
  static final int MAX_RESOURCES = 10_000;
  /** Twilio's own rule (its OpenAPI documents), not contract Identifiers: the simulators use no product code. */
  static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Account> accounts = new HashMap<>();
  /** Lower-cased domain name -> sid of the trunk holding it. */
  private final Map<String, String> domains = new HashMap<>();
  private final Set<String> sold = new HashSet<>();

  /**
   * The account for these credentials: created on first use of a well-formed SID, afterwards only its own token
   * matches (constant-time comparison). Null when the credentials are refused.
   */
  synchronized Account authenticate(String accountSid, String token) {
    if (accountSid == null || token == null || token.isEmpty() || !ACCOUNT_SID.matcher(accountSid).matches()) {
      return null;
    }
    Account account = accounts.get(accountSid);
    if (account == null) {
      if (accounts.size() >= MAX_ACCOUNTS) {
        return null;
      }
      account = new Account(accountSid, token);
      accounts.put(accountSid, account);
      return account;
    }
    boolean same = MessageDigest.isEqual(account.authToken.getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
    return same ? account : null;
  }

  synchronized Account account(String accountSid) {
    return accounts.get(accountSid);
  }

  synchronized List<Account> accounts() {
    return List.copyOf(accounts.values());
  }

  /** A new SID: the two-letter prefix and 32 random hex digits, like Twilio's. */
  String newSid(String prefix) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    StringBuilder sid = new StringBuilder(prefix);
    for (byte b : bytes) {
      sid.append(String.format("%02x", b));
    }
    return sid.toString();
  }

  /** Claims {@code domain} for {@code trunkSid}; 409/21248 when any account's trunk already has it. */
  void claimDomain(String domain, String trunkSid) {
    String key = domain.toLowerCase(java.util.Locale.ROOT);
    String holder = domains.get(key);
    if (holder != null && !holder.equals(trunkSid)) {
      throw new TwilioException(409, TwilioErrors.DOMAIN_IN_USE,
          "Domain name " + domain + " is already in use by another trunk");
    }
    domains.put(key, trunkSid);
  }

  void releaseDomain(String domain) {
    if (domain != null) {
      domains.remove(domain.toLowerCase(java.util.Locale.ROOT));
    }
  }

  Set<String> sold() {
    return sold;
  }

  static void checkCapacity(Map<?, ?> resources, String what) {
    if (resources.size() >= MAX_RESOURCES) {
      throw TwilioException.invalid("Too many " + what + " in this account (simulator limit " + MAX_RESOURCES + ")");
    }
  }

  synchronized void clear() {
    accounts.clear();
    domains.clear();
    sold.clear();
  }
}
