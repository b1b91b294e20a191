package dev.trunkline.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why a SIP credential was written ahead as pending. On the bus and in the store it is the lower-case word
 * ({@code "setup"}, {@code "rotation"}) it always was, so stored connectors stay readable; any other word is a 400
 * {@code INVALID_PURPOSE}.
 */
public enum CredentialPurpose {
  /** A setup's credential: the trunk's first one, or a legacy repair. */
  SETUP("setup"),
  /** A rotation's second credential: both work until the rotation completes. */
  ROTATION("rotation");

  private final String wire;

  CredentialPurpose(String wire) {
    this.wire = wire;
  }

  /** The word on the bus and in the store. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Reads the stored or sent word; null stays null (the reader decides what an absent purpose means). */
  @JsonCreator
  public static CredentialPurpose fromWire(String word) {
    if (word == null) {
      return null;
    }
    for (CredentialPurpose purpose : values()) {
      if (purpose.wire.equals(word)) {
        return purpose;
      }
    }
    throw ServiceException.badRequest("INVALID_PURPOSE", "purpose must be \"setup\" or \"rotation\"");
  }
}
