package dev.trunkline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trunkline.contract.testing.OriginFormat;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

class LegacyCipherTest {
  private static final String TENANT = "65a1b2c3d4e5f60718293a4b";

  @Test
  void decryptsWhatTheOriginServiceWrote() throws Exception {
    OriginFormat.Encrypted origin = OriginFormat.encrypt("origin-passphrase", "Origin-Fixed-Pass9");
    SecretKey key = LegacyCipher.deriveKey("origin-passphrase");

    assertThat(LegacyCipher.decrypt(key, TENANT, SecretField.SIP_PASSWORD, origin.hex(), origin.ivHex(),
        origin.tagHex())).isEqualTo("Origin-Fixed-Pass9");
  }

  @Test
  void theWrongPassphraseOrAnAlteredTagIsAClearError() throws Exception {
    OriginFormat.Encrypted origin = OriginFormat.encrypt("origin-passphrase", "Origin-Fixed-Pass9");
    SecretKey wrong = LegacyCipher.deriveKey("another-passphrase");
    assertThatThrownBy(() -> LegacyCipher.decrypt(wrong, TENANT, SecretField.SIP_PASSWORD, origin.hex(),
        origin.ivHex(), origin.tagHex()))
        .isInstanceOf(VaultException.class)
        .hasMessage("cannot decrypt sipPassword of tenant " + TENANT
            + ": legacy authentication failed (wrong legacyEncryptionKey, or the ciphertext was altered)");

    SecretKey key = LegacyCipher.deriveKey("origin-passphrase");
    String badTag = (origin.tagHex().charAt(0) == '0' ? "1" : "0") + origin.tagHex().substring(1);
    assertThatThrownBy(() -> LegacyCipher.decrypt(key, TENANT, SecretField.SIP_PASSWORD, origin.hex(),
        origin.ivHex(), badTag)).isInstanceOf(VaultException.class);
    assertThatThrownBy(() -> LegacyCipher.decrypt(key, TENANT, SecretField.SIP_PASSWORD, "zz",
        origin.ivHex(), origin.tagHex())).isInstanceOf(VaultException.class).hasMessageContaining("not hex");
  }
}
