package dev.trunkline.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * Reads secrets written by the origin Node service: {@code crypto.createCipheriv('aes-256-gcm', key, iv)} with a
 * 16-byte IV, no AAD, hex ciphertext in the field itself, hex {@code <field>IV} and {@code <field>AuthTag} beside
 * it, and {@code key = scrypt(ENCRYPTION_KEY, "twilio-connector-salt", 32)} with Node's defaults N=16384, r=8, p=1.
 * Only reading: Trunkline never writes this format.
 */
public final class LegacyCipher {
  static final byte[] SALT = "twilio-connector-salt".getBytes(StandardCharsets.UTF_8);
  static final int N = 16384;
  static final int R = 8;
  static final int P = 1;
  static final int KEY_BYTES = 32;

  private LegacyCipher() {}

  /** Derives the origin key. Blocking (about 16 MB and tens of milliseconds): call it off the event loop. */
  public static SecretKey deriveKey(String passphrase) {
    byte[] key = SCrypt.generate(passphrase.getBytes(StandardCharsets.UTF_8), SALT, N, R, P, KEY_BYTES);
    return new SecretKeySpec(key, "AES");
  }

  /**
   * Decrypts one origin value.
   *
   * @throws VaultException naming tenant and field when the hex is malformed or authentication fails
   */
  public static String decrypt(SecretKey key, String subaccountId, SecretField field, String hexCiphertext,
      String hexIv, String hexTag) {
    return decrypt(key, subaccountId, field.label(), hexCiphertext, hexIv, hexTag);
  }

  /** {@link #decrypt(SecretKey, String, SecretField, String, String, String)} for a field named by its label. */
  static String decrypt(SecretKey key, String subaccountId, String field, String hexCiphertext, String hexIv,
      String hexTag) {
    byte[] ct;
    byte[] iv;
    byte[] tag;
    try {
      ct = HexFormat.of().parseHex(hexCiphertext);
      iv = HexFormat.of().parseHex(hexIv);
      tag = HexFormat.of().parseHex(hexTag);
    } catch (IllegalArgumentException e) {
      throw new VaultException(subaccountId, field, "the legacy ciphertext, IV or auth tag is not hex");
    }
    if (iv.length == 0 || tag.length != 16) {
      throw new VaultException(subaccountId, field, "the legacy IV or auth tag has the wrong length");
    }
    byte[] joined = new byte[ct.length + tag.length];
    System.arraycopy(ct, 0, joined, 0, ct.length);
    System.arraycopy(tag, 0, joined, ct.length, tag.length);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
      return new String(cipher.doFinal(joined), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new VaultException(subaccountId, field,
          "legacy authentication failed (wrong legacyEncryptionKey, or the ciphertext was altered)");
    } catch (GeneralSecurityException e) {
      throw new VaultException(subaccountId, field, "legacy decryption error " + e.getClass().getSimpleName());
    }
  }
}
