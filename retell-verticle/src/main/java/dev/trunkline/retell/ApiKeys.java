package dev.trunkline.retell;

import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.ServiceException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Choosing the API key of a request, and naming a key without revealing it. */
final class ApiKeys {
  private ApiKeys() {}

  /** The request's key, else the configured default; neither is a 400 {@code RETELL_KEY_MISSING}. */
  static Secret resolve(Secret requested, Secret configuredDefault) {
    if (requested != null && !requested.isBlank()) {
      return requested;
    }
    if (configuredDefault != null && !configuredDefault.isBlank()) {
      return configuredDefault;
    }
    throw ServiceException.badRequest(Codes.KEY_MISSING,
        "no Retell API key: the request carries none and retell.defaultApiKey is not configured");
  }

  /**
   * A short SHA-256 fingerprint: keys rate-limit buckets and may appear in logs to tell tenants apart. An
   * API key is long and random, so its truncated hash gives nothing away.
   */
  static String fingerprint(Secret key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(key.reveal().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
