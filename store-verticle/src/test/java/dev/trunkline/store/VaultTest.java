package dev.trunkline.store;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecrets;
import static dev.trunkline.contract.testing.SecretAssertions.secrets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class VaultTest {
  private static final String TENANT = "65a1b2c3d4e5f60718293a4b";
  private static final String OTHER_TENANT = "65a1b2c3d4e5f60718293a4c";
  private static final String SECRET = "Sip-Pa55word-Xy";

  private final String k1 = StoreTestSupport.newKeyBase64();
  private final String k2 = StoreTestSupport.newKeyBase64();
  private final Vault vault = new Vault(Keyring.parse("k1:" + k1));

  @Test
  void sealsWithTheActiveKeyIntoAVersionedEnvelopeAndOpensIt() {
    JsonObject envelope = vault.seal(TENANT, SecretField.SIP_PASSWORD, SECRET);

    assertNoSecret("the envelope", envelope.encode(), "the sealed password", SECRET);
    assertThat(envelope.fieldNames()).containsExactlyInAnyOrder("v", "kid", "iv", "ct");
    assertThat(envelope.getInteger("v")).isEqualTo(1);
    assertThat(envelope.getString("kid")).isEqualTo("k1");
    assertThat(Base64.getDecoder().decode(envelope.getString("iv"))).hasSize(12);
    // ciphertext plus the 16-byte GCM tag
    assertThat(Base64.getDecoder().decode(envelope.getString("ct"))).hasSize(SECRET.length() + 16);
    assertThat(vault.open(TENANT, SecretField.SIP_PASSWORD, envelope)).isEqualTo(SECRET);
    assertThat(vault.isCurrent(envelope)).isTrue();
  }

  @Test
  void everyEncryptionUsesAFreshIv() {
    JsonObject a = vault.seal(TENANT, SecretField.SIP_PASSWORD, SECRET);
    JsonObject b = vault.seal(TENANT, SecretField.SIP_PASSWORD, SECRET);
    assertThat(a.getString("iv")).isNotEqualTo(b.getString("iv"));
    assertThat(a.getString("ct")).isNotEqualTo(b.getString("ct"));
  }

  @Test
  void aCiphertextMovedToAnotherTenantOrFieldDoesNotDecrypt() {
    JsonObject envelope = vault.seal(TENANT, SecretField.SIP_PASSWORD, SECRET);

    assertThatThrownBy(() -> vault.open(OTHER_TENANT, SecretField.SIP_PASSWORD, envelope))
        .isInstanceOf(VaultException.class)
        .hasMessageContaining(OTHER_TENANT).hasMessageContaining("sipPassword")
        .hasMessageContaining("authentication failed");
    assertThatThrownBy(() -> vault.open(TENANT, SecretField.TWILIO_AUTH_TOKEN, envelope))
        .isInstanceOf(VaultException.class).hasMessageContaining("twilioAuthToken");
  }

  @Test
  void aTamperedCiphertextIsAClearErrorNamingTenantAndField() {
    JsonObject envelope = vault.seal(TENANT, SecretField.RETELL_API_KEY, SECRET);
    byte[] ct = Base64.getDecoder().decode(envelope.getString("ct"));
    ct[0] ^= 0x01;
    JsonObject tampered = envelope.copy().put("ct", Base64.getEncoder().encodeToString(ct));

    assertThatThrownBy(() -> vault.open(TENANT, SecretField.RETELL_API_KEY, tampered))
        .isInstanceOfSatisfying(VaultException.class, e -> {
          assertThat(e.status()).isEqualTo(500);
          assertThat(e.code()).isEqualTo("VAULT_DECRYPT_FAILED");
          assertThat(e.getMessage()).isEqualTo("cannot decrypt retellApiKey of tenant " + TENANT
              + ": authentication failed with key id k1 (wrong key, or the ciphertext was altered or moved)");
        });
  }

  @Test
  void anUnknownKeyIdIsNamed() {
    JsonObject envelope = vault.seal(TENANT, SecretField.SIP_PASSWORD, SECRET).put("kid", "k9");
    assertThatThrownBy(() -> vault.open(TENANT, SecretField.SIP_PASSWORD, envelope))
        .isInstanceOf(VaultException.class)
        .hasMessage("cannot decrypt sipPassword of tenant " + TENANT + ": unknown key id k9");
  }

  @Test
  void theWrongKeyUnderAKnownKeyIdFailsAuthentication() {
    JsonObject envelope = vault.seal(TENANT, SecretField.SIP_PASSWORD, SECRET);
    Vault other = new Vault(Keyring.parse("k1:" + k2));
    assertThatThrownBy(() -> other.open(TENANT, SecretField.SIP_PASSWORD, envelope))
        .isInstanceOf(VaultException.class).hasMessageContaining("authentication failed with key id k1");
  }

  @Test
  void malformedEnvelopesAreErrorsNotCrashes() {
    JsonObject good = vault.seal(TENANT, SecretField.SIP_PASSWORD, SECRET);
    assertThatThrownBy(() -> vault.open(TENANT, SecretField.SIP_PASSWORD, good.copy().put("v", 2)))
        .isInstanceOf(VaultException.class).hasMessageContaining("not a version-1 envelope");
    assertThatThrownBy(() -> vault.open(TENANT, SecretField.SIP_PASSWORD, good.copy().put("iv", "***")))
        .isInstanceOf(VaultException.class).hasMessageContaining("not base64");
    assertThatThrownBy(() -> vault.open(TENANT, SecretField.SIP_PASSWORD, good.copy().put("iv", "AAAA")))
        .isInstanceOf(VaultException.class).hasMessageContaining("wrong length");
  }

  @Test
  void readsEveryKnownKeyAndWritesWithTheFirst() {
    Vault old = new Vault(Keyring.parse("k1:" + k1));
    JsonObject oldEnvelope = old.seal(TENANT, SecretField.SIP_PASSWORD, SECRET);
    Vault rotated = new Vault(Keyring.parse("k2:" + k2 + ", k1:" + k1));

    assertThat(rotated.open(TENANT, SecretField.SIP_PASSWORD, oldEnvelope)).isEqualTo(SECRET);
    assertThat(rotated.isCurrent(oldEnvelope)).isFalse();
    JsonObject fresh = rotated.seal(TENANT, SecretField.SIP_PASSWORD, SECRET);
    assertThat(fresh.getString("kid")).isEqualTo("k2");
    assertThat(rotated.isCurrent(fresh)).isTrue();
  }

  @Test
  void keyringErrorsSayWhatIsWrongWithoutTheKeyMaterial() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> Keyring.parse(null)).hasMessageContaining("vault.keys is required");
    assertThatThrownBy(() -> Keyring.parse("  ")).hasMessageContaining("vault.keys is required");
    // Each message is scanned before hasMessage(...), which prints it when it fails.
    Throwable noKeyId = thrownBy(() -> Keyring.parse(k1));
    assertNoSecret("the error for an entry without a key id", noKeyId.getMessage(), "k1", k1);
    assertThat(noKeyId).hasMessage("vault.keys entry 1 is not \"kid:base64key\"");
    assertThatThrownBy(() -> Keyring.parse("k1:" + k1 + ",k2:not*base64"))
        .hasMessage("vault.keys key k2 is not valid base64");
    Throwable tooShort = thrownBy(() -> Keyring.parse("k1:" + shortKey));
    assertNoSecret("the error for a short key", tooShort.getMessage(), "the short key", shortKey);
    assertThat(tooShort).hasMessage("vault.keys key k1 must decode to 32 bytes (AES-256), got 16");
    Throwable twice = thrownBy(() -> Keyring.parse("k1:" + k1 + ",k1:" + k2));
    assertNoSecrets("the error for a key id named twice", twice.getMessage(), secrets("k1", k1, "k2", k2));
    assertThat(twice).hasMessage("vault.keys names key id k1 twice");
    assertThatThrownBy(() -> Keyring.parse("bad kid:" + k1)).hasMessageContaining("invalid key id");
    assertNoSecrets("Keyring.toString()", Keyring.parse("k2:" + k2 + ",k1:" + k1).toString(),
        secrets("k1", k1, "k2", k2));
  }

  private static Throwable thrownBy(ThrowingCallable code) {
    Throwable thrown = catchThrowable(code);
    if (thrown == null) {
      throw new AssertionError("expected the call to throw, it returned");
    }
    return thrown;
  }
}
