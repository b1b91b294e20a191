package dev.trunkline.store;

import dev.trunkline.contract.ServiceException;

/**
 * A secret that cannot be decrypted or re-encrypted: wrong key, tampered ciphertext, unknown key id, a legacy
 * record without the legacy key. The message names the tenant and field, never the secret.
 */
public final class VaultException extends ServiceException {
  private static final long serialVersionUID = 1L;
  public static final String DECRYPT_FAILED = "VAULT_DECRYPT_FAILED";

  public VaultException(String subaccountId, SecretField field, String reason) {
    super(500, DECRYPT_FAILED, "cannot decrypt " + field.label() + " of tenant " + subaccountId + ": " + reason);
  }
}
