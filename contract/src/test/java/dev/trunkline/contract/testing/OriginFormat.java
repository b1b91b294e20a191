package dev.trunkline.contract.testing;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The origin Node service's encryption, written out from its source independently of the store's
 * {@code LegacyCipher}, so tests of every module build origin ciphertext the way Node did:
 * <pre>
 * const key = crypto.scryptSync(ENCRYPTION_KEY, 'twilio-connector-salt', 32);   // N=16384 r=8 p=1
 * const iv = crypto.randomBytes(16);
 * const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
 * let password = cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
 * const passwordAuthTag = cipher.getAuthTag().toString('hex'); const passwordIV = iv.toString('hex');
 * </pre>
 * and the origin's tenant manager for Retell API keys ({@link #encryptRetellKey}):
 * <pre>
 * const key = crypto.scryptSync(ENCRYPTION_KEY, 'retell-salt', 32);
 * const iv = crypto.randomBytes(16);
 * const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
 * apiKey = cipher.update(text, 'utf8', 'hex') + cipher.final('hex'); encryptionIV = iv.toString('hex');
 * </pre>
 */
public final class OriginFormat {
  /** Hex ciphertext, IV and tag (the tag is null for CBC). */
  public record Encrypted(String hex, String ivHex, String tagHex) {}

  private OriginFormat() {}

  public static Encrypted encrypt(String passphrase, String plaintext) throws Exception {
    byte[] key = SCrypt.generate(passphrase.getBytes(StandardCharsets.UTF_8),
        "twilio-connector-salt".getBytes(StandardCharsets.UTF_8), 16384, 8, 1, 32);
    byte[] iv = new byte[16];
    new SecureRandom().nextBytes(iv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    byte[] out = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
    byte[] ct = Arrays.copyOfRange(out, 0, out.length - 16);
    byte[] tag = Arrays.copyOfRange(out, out.length - 16, out.length);
    HexFormat hex = HexFormat.of();
    return new Encrypted(hex.formatHex(ct), hex.formatHex(iv), hex.formatHex(tag));
  }

  /** A Retell API key as the tenant manager stores it; the tag is null (CBC has none). */
  public static Encrypted encryptRetellKey(String passphrase, String plaintext) throws Exception {
    byte[] key = SCrypt.generate(passphrase.getBytes(StandardCharsets.UTF_8),
        "retell-salt".getBytes(StandardCharsets.UTF_8), 16384, 8, 1, 32);
    byte[] iv = new byte[16];
    new SecureRandom().nextBytes(iv);
    Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    byte[] ct = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
    return new Encrypted(HexFormat.of().formatHex(ct), HexFormat.of().formatHex(iv), null);
  }
}
