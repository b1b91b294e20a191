package dev.trunkline.store;

import dev.trunkline.contract.Identifiers;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * Reads secrets written by the origin Node service: {@code crypto.createCipheriv('aes-256-gcm', key, iv)} with a
 * 16-byte IV, no AAD, hex ciphertext in the field itself, hex {@code <field>IV} and {@code <field>AuthTag} beside
 * it, and {@code key = scrypt(ENCRYPTION_KEY, "twilio-connector-salt", 32)} with Node's defaults N=16384, r=8, p=1.
 * The origin's tenant manager keeps Retell API keys differently ({@link #decryptRetellKey}): hex AES-256-CBC with
 * {@code key = scrypt(ENCRYPTION_KEY, "retell-salt", 32)}. Only reading: Trunkline never writes these formats.
 */
public final class LegacyCipher {
  static final byte[] SALT = "twilio-connector-salt".getBytes(StandardCharsets.UTF_8);
  static final byte[] RETELL_SALT = "retell-salt".getBytes(StandardCharsets.UTF_8);
  static final int N = 16384;
  static final int R = 8;
  static final int P = 1;
  static final int KEY_BYTES = 32;
  private static final String UNREADABLE_RETELL_KEY =
      "the legacy ciphertext does not decrypt to an API key (wrong legacyEncryptionKey, or the ciphertext was "
          + "altered)";

  private LegacyCipher() {}

  /** Derives the origin key. Blocking (about 16 MB and tens of milliseconds): call it off the event loop. */
  public static SecretKey deriveKey(String passphrase) {
    return derive(passphrase, SALT);
  }

  /** Derives the tenant manager's key for Retell API keys. Blocking, like {@link #deriveKey}. */
  public static SecretKey deriveRetellKey(String passphrase) {
    return derive(passphrase, RETELL_SALT);
  }

  private static SecretKey derive(String passphrase, byte[] salt) {
    byte[] key = SCrypt.generate(passphrase.getBytes(StandardCharsets.UTF_8), salt, N, R, P, KEY_BYTES);
    return new SecretKeySpec(key, "AES");
  }

  /**
   * Decrypts a Retell API key of the tenant manager: {@code crypto.createCipheriv('aes-256-cbc', key, iv)}, hex
   * ciphertext and hex IV ({@code encryptionIV}); its {@code encryptionAuthTag} means nothing in CBC and is not
   * read. CBC does not authenticate, so a wrong key or an altered ciphertext is caught by the padding or, when
   * the padding happens to pass, by the result not being a printable key.
   *
   * @throws VaultException naming tenant and field when the key does not decrypt to a plausible API key
   */
  public static String decryptRetellKey(SecretKey key, String subaccountId, String hexCiphertext, String hexIv) {
    String field = SecretField.RETELL_API_KEY.label();
    byte[] ct;
    byte[] iv;
    try {
      ct = HexFormat.of().parseHex(hexCiphertext);
      iv = HexFormat.of().parseHex(hexIv);
    } catch (IllegalArgumentException e) {
      throw new VaultException(subaccountId, field, "the legacy ciphertext or IV is not hex");
    }
    if (iv.length != 16 || ct.length == 0 || ct.length % 16 != 0) {
      throw new VaultException(subaccountId, field, "the legacy IV or ciphertext has the wrong length");
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
      plain = cipher.doFinal(ct);
    } catch (BadPaddingException e) {
      throw new VaultException(subaccountId, field, UNREADABLE_RETELL_KEY);
    } catch (GeneralSecurityException e) {
      throw new VaultException(subaccountId, field, "legacy decryption error " + e.getClass().getSimpleName());
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(plain)).toString();
    } catch (CharacterCodingException e) {
      throw new VaultException(subaccountId, field, UNREADABLE_RETELL_KEY);
    }
    if (!Identifiers.ANY_SECRET.matcher(text).matches()) {
      throw new VaultException(subaccountId, field, UNREADABLE_RETELL_KEY);
    }
    return text;
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
