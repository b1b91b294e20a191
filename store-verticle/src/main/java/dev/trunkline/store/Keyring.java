package dev.trunkline.store;

import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The vault's keys: several readable key ids, the first one active (the one every new envelope is written with).
 *
 * <p>Parsed from {@code vault.keys} = {@code "kid:base64-32-byte-key,kid2:..."}. Every error message names the
 * key id or position, never the key material, so a misconfiguration can be reported in a log safely.
 */
public final class Keyring {
  private static final Pattern KID = Pattern.compile("^[A-Za-z0-9_.-]{1,32}$");
  private static final int KEY_BYTES = 32;

  private final String activeKid;
  private final Map<String, SecretKey> keys;

  private Keyring(String activeKid, Map<String, SecretKey> keys) {
    this.activeKid = activeKid;
    this.keys = Collections.unmodifiableMap(keys);
  }

  /**
   * Parses a key list.
   *
   * @throws IllegalArgumentException naming what is wrong (without the key material)
   */
  public static Keyring parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("vault.keys is required (TRUNKLINE_KEYS): a list \"kid:base64key,...\" "
          + "of 32-byte AES keys, the first one active");
    }
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    String active = null;
    String[] entries = spec.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      int colon = entry.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("vault.keys entry " + (i + 1) + " is not \"kid:base64key\"");
      }
      String kid = entry.substring(0, colon).trim();
      if (!KID.matcher(kid).matches()) {
        throw new IllegalArgumentException("vault.keys entry " + (i + 1)
            + " has an invalid key id (1-32 characters of A-Z a-z 0-9 _ . -)");
      }
      byte[] material;
      try {
        material = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("vault.keys key " + kid + " is not valid base64");
      }
      if (material.length != KEY_BYTES) {
        throw new IllegalArgumentException("vault.keys key " + kid + " must decode to 32 bytes (AES-256), got "
            + material.length);
      }
      if (keys.putIfAbsent(kid, new SecretKeySpec(material, "AES")) != null) {
        throw new IllegalArgumentException("vault.keys names key id " + kid + " twice");
      }
      java.util.Arrays.fill(material, (byte) 0);
      if (active == null) {
        active = kid;
      }
    }
    return new Keyring(active, keys);
  }

  public String activeKid() {
    return activeKid;
  }

  SecretKey activeKey() {
    return keys.get(activeKid);
  }

  /** The key for a key id, or null when this keyring does not know it. */
  SecretKey key(String kid) {
    return kid == null ? null : keys.get(kid);
  }

  public java.util.Set<String> kids() {
    return keys.keySet();
  }

  @Override
  public String toString() {
    return "Keyring[active=" + activeKid + ", kids=" + keys.keySet() + "]";
  }
}
