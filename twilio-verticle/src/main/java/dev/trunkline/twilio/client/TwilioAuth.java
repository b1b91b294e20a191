package dev.trunkline.twilio.client;

import dev.trunkline.contract.Identifiers;
import dev.trunkline.contract.Secret;
import java.util.Objects;

/**
 * The HTTP Basic credentials of one Twilio account, as one bus request uses them. The token stays a
 * {@link Secret}, so printing this record (in a log line or an exception) shows {@code [REDACTED]}.
 *
 * @param deadlineMillis when the bus request these calls serve stops being waited for (epoch milliseconds, 0 when
 *     unknown): Twilio's 429s are retried until shortly before it ({@link dev.trunkline.contract.retry.RetryPolicy})
 */
public record TwilioAuth(String accountSid, Secret authToken, long deadlineMillis) {
  public TwilioAuth(String accountSid, Secret authToken) {
    this(accountSid, authToken, 0);
  }

  public TwilioAuth {
    Objects.requireNonNull(authToken, "authToken");
    if (accountSid == null || !Identifiers.ACCOUNT_SID.matcher(accountSid).matches()) {
      // The SID goes into URL paths: a malformed one must never reach a request line.
      throw new IllegalArgumentException("accountSid must be AC followed by 32 hexadecimal characters");
    }
  }
}
