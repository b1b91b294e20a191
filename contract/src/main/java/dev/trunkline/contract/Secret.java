package dev.trunkline.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * A secret value (auth token, SIP password, API key) as it crosses the event bus.
 *
 * <p>It serialises to its plain value (the addresses that carry it exist to hand it to a verticle), but
 * {@link #toString()} never shows it, so a record that holds a Secret can be logged or put into an
 * exception message without leaking it. Redaction by construction, not by discipline.
 */
public final class Secret {
  private final String value;

  @JsonCreator
  public Secret(String value) {
    this.value = Objects.requireNonNull(value, "secret value");
  }

  public static Secret of(String value) {
    return value == null ? null : new Secret(value);
  }

  /** The plain value. Call it only where the secret is used (an HTTP header, a cipher), never to log. */
  @JsonValue
  public String reveal() {
    return value;
  }

  public boolean isBlank() {
    return value.isBlank();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && java.security.MessageDigest.isEqual(
        value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        s.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "[REDACTED]";
  }
}
