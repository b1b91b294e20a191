package dev.trunkline.store;

import dev.trunkline.contract.ServiceException;

/**
 * A secret that cannot be decrypted or re-encrypted: wrong key, tampered ciphertext, unknown key id, a legacy
 * record without the legacy key; or one that is not what the vault writes and must not be trusted (plain text
 * without legacy adoption). The message names the tenant and field, never the secret.
 */
public final class VaultException extends ServiceException {
  private static final long serialVersionUID = 1L;
  public static final String DECRYPT_FAILED = "VAULT_DECRYPT_FAILED";
  /** The stored value is readable but not trusted as a secret: someone wrote it around the vault. */
  public static final String INTEGRITY = "VAULT_INTEGRITY";

  public VaultException(String subaccountId, SecretField field, String reason) {
    this(subaccountId, field.label(), reason);
  }

  /** For a value that is encrypted but no {@link SecretField} (the origin's encrypted Account SID). */
  VaultException(String subaccountId, String fieldLabel, String reason) {
    super(500, DECRYPT_FAILED, "cannot decrypt " + fieldLabel + " of tenant " + subaccountId + ": " + reason);
  }

  private VaultException(String code, String message) {
    super(500, code, message);
  }

  /** A stored value that the vault refuses to use although it could read it. */
  static VaultException integrity(String subaccountId, SecretField field, String reason) {
    return new VaultException(INTEGRITY,
        "integrity error in " + field.label() + " of tenant " + subaccountId + ": " + reason);
  }
}
