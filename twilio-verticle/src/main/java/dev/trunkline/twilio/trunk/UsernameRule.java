package dev.trunkline.twilio.trunk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The SIP username rule of the origin document: the trunk's friendly name with every non-alphanumeric
 * character replaced by {@code _}, then {@code _user}; without a trunk name,
 * {@code <prefix>_<first 8 chars of subaccountId>_user}.
 *
 * <p>Twilio caps usernames at 32 characters. A longer name is not simply cut (two tenants whose names share a
 * 26-character start would collide): it keeps as much of the stem as fits and adds {@code _} plus the first 6
 * hex digits of SHA-256 of the whole stem before the suffix, so different full names stay different.
 * An existing credential's username is never recomputed: this rule only names new credentials.
 */
public final class UsernameRule {
  public static final int MAX_LENGTH = 32;
  private static final int HASH_HEX = 6;
  private static final Pattern NON_ALNUM = Pattern.compile("[^a-zA-Z0-9]");
  private static final Pattern ROTATION_SUFFIX = Pattern.compile("_r[0-9]+$");

  private UsernameRule() {}

  /** The username of a tenant's first credential. */
  public static String forTrunk(String trunkFriendlyName, String prefix, String subaccountId) {
    String stem = trunkFriendlyName != null && !trunkFriendlyName.isBlank()
        ? sanitize(trunkFriendlyName)
        : sanitize(prefix) + "_" + subaccountId.substring(0, Math.min(8, subaccountId.length()));
    return fit(stem, "_user");
  }

  /**
   * The username of the {@code n}th credential of a rotation, derived from the current one: any earlier
   * rotation suffix is dropped, then {@code _r<n>} is added, within 32 characters.
   */
  public static String forRotation(String currentUsername, int n) {
    String base = ROTATION_SUFFIX.matcher(currentUsername).replaceFirst("");
    return fit(sanitize(base), "_r" + n);
  }

  /** {@code stem + suffix} when it fits in 32 characters, else a trimmed stem with a hash of the whole stem. */
  static String fit(String stem, String suffix) {
    if (stem.length() + suffix.length() <= MAX_LENGTH) {
      return stem + suffix;
    }
    String hash = "_" + sha256Hex(stem).substring(0, HASH_HEX);
    int keep = MAX_LENGTH - suffix.length() - hash.length();
    return stem.substring(0, Math.max(0, keep)) + hash + suffix;
  }

  static String sanitize(String s) {
    return NON_ALNUM.matcher(s).replaceAll("_");
  }

  private static String sha256Hex(String s) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
