package dev.trunkline.twilio.client;

import dev.trunkline.contract.Inputs;
import dev.trunkline.contract.Secret;
import java.util.Objects;

/**
 * The HTTP Basic credentials of one Twilio account. The token stays a {@link Secret}, so printing this record
 * (in a log line or an exception) shows {@code [REDACTED]}.
 */
public record TwilioAuth(String accountSid, Secret authToken) {
  public TwilioAuth {
    Objects.requireNonNull(authToken, "authToken");
    if (accountSid == null || !Inputs.ACCOUNT_SID.matcher(accountSid).matches()) {
      // The SID goes into URL paths: a malformed one must never reach a request line.
      throw new IllegalArgumentException("accountSid must be AC followed by 32 hexadecimal characters");
    }
  }
}
