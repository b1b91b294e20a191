package dev.trunkline.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.SecretKey;

/**
 * The origin service's AES key, derived once with scrypt (blocking, so in {@code executeBlocking}) the first time
 * a legacy ciphertext is met, then reused.
 */
final class LegacyKey {
  private final Vertx vertx;
  private final String passphrase;
  private final AtomicReference<Future<SecretKey>> derived = new AtomicReference<>();

  LegacyKey(Vertx vertx, String passphrase) {
    this.vertx = vertx;
    this.passphrase = passphrase;
  }

  boolean configured() {
    return passphrase != null;
  }

  /** The derived key; fails naming tenant and field when no legacy passphrase is configured. */
  Future<SecretKey> key(String subaccountId, SecretField field) {
    return key(subaccountId, field.label());
  }

  /** {@link #key(String, SecretField)} for a field named by its label. */
  Future<SecretKey> key(String subaccountId, String field) {
    if (passphrase == null) {
      return Future.failedFuture(new VaultException(subaccountId, field,
          "it is in the origin service's encrypted format and vault.legacyEncryptionKey is not configured"));
    }
    Future<SecretKey> current = derived.get();
    if (current == null) {
      Future<SecretKey> fresh = vertx.executeBlocking(() -> LegacyCipher.deriveKey(passphrase), false);
      current = derived.compareAndSet(null, fresh) ? fresh : derived.get();
    }
    return current;
  }
}
