package dev.trunkline.store;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM envelope encryption of the store's secrets.
 *
 * <p>An envelope is {@code {v:1, kid, iv, ct}}: {@code iv} the 12 random bytes of this encryption, {@code ct}
 * the ciphertext followed by the 16-byte GCM tag, both base64. The AAD is {@code "<subaccountId>|<field>"},
 * so a ciphertext moved to another tenant or another field fails authentication instead of decrypting.
 * Envelopes are written with the active key and read with whichever known key their {@code kid} names.
 *
 * <p>Encrypting a short secret takes microseconds, so this runs on the event loop; only the legacy scrypt
 * derivation ({@link LegacyCipher}) is blocking.
 */
public final class Vault {
  public static final int VERSION = 1;
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final Keyring keyring;
  private final SecureRandom random = new SecureRandom();

  public Vault(Keyring keyring) {
    this.keyring = keyring;
  }

  public Keyring keyring() {
    return keyring;
  }

  /** Encrypts {@code plaintext} with the active key, bound to tenant and field. */
  public JsonObject seal(String subaccountId, SecretField field, String plaintext) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, keyring.activeKey(), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad(subaccountId, field));
      byte[] ct = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return new JsonObject()
          .put("v", VERSION)
          .put("kid", keyring.activeKid())
          .put("iv", Base64.getEncoder().encodeToString(iv))
          .put("ct", Base64.getEncoder().encodeToString(ct));
    } catch (GeneralSecurityException e) {
      // Only a broken JCE gets here (AES-GCM is mandatory in every Java 17 runtime).
      throw new IllegalStateException("AES-GCM is unavailable: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Decrypts an envelope.
   *
   * @throws VaultException naming tenant and field: unknown key id, malformed envelope, or a ciphertext that
   *     fails authentication (wrong key, tampered, or bound to another tenant/field)
   */
  public String open(String subaccountId, SecretField field, JsonObject envelope) {
    if (!isEnvelope(envelope)) {
      throw new VaultException(subaccountId, field, "the stored value is not a version-1 envelope");
    }
    String kid = envelope.getString("kid");
    SecretKey key = keyring.key(kid);
    if (key == null) {
      throw new VaultException(subaccountId, field, "unknown key id " + kid);
    }
    byte[] iv;
    byte[] ct;
    try {
      iv = Base64.getDecoder().decode(envelope.getString("iv"));
      ct = Base64.getDecoder().decode(envelope.getString("ct"));
    } catch (IllegalArgumentException e) {
      throw new VaultException(subaccountId, field, "the envelope's iv or ct is not base64");
    }
    if (iv.length != IV_BYTES || ct.length < TAG_BITS / 8) {
      throw new VaultException(subaccountId, field, "the envelope's iv or ct has the wrong length");
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad(subaccountId, field));
      return new String(cipher.doFinal(ct), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new VaultException(subaccountId, field,
          "authentication failed with key id " + kid + " (wrong key, or the ciphertext was altered or moved)");
    } catch (GeneralSecurityException e) {
      throw new VaultException(subaccountId, field, "decryption error " + e.getClass().getSimpleName());
    }
  }

  /** True when the envelope is written with the active key (nothing to re-encrypt). */
  public boolean isCurrent(JsonObject envelope) {
    return keyring.activeKid().equals(envelope.getString("kid"));
  }

  /** True for a value shaped like an envelope this vault writes ({@code v}, {@code kid}, {@code iv}, {@code ct}). */
  public static boolean isEnvelope(Object value) {
    return value instanceof JsonObject json
        && Integer.valueOf(VERSION).equals(asInt(json.getValue("v")))
        && json.getValue("kid") instanceof String
        && json.getValue("iv") instanceof String
        && json.getValue("ct") instanceof String;
  }

  private static Integer asInt(Object v) {
    return v instanceof Number n ? n.intValue() : null;
  }

  private static byte[] aad(String subaccountId, SecretField field) {
    return (subaccountId + "|" + field.label()).getBytes(StandardCharsets.UTF_8);
  }
}
