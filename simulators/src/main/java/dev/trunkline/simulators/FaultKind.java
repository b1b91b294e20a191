package dev.trunkline.simulators;

/** What an injected fault does to a matching request. */
public enum FaultKind {
  /** Wait {@code latencyMs}, then handle the request normally. */
  LATENCY,
  /** Answer {@code status} with the simulator's error body, without touching state. */
  ERROR,
  /** Answer 429 with a {@code Retry-After} header of {@code retryAfterSeconds}, without touching state. */
  TOO_MANY_REQUESTS,
  /** Close the connection without any response, without touching state (the request was lost). */
  DROP_CONNECTION,
  /** Apply the request to the state, then close the connection without a response (the reply was lost). */
  DROP_RESPONSE,
  /**
   * Hold the request until the test releases the rule ({@link FaultRule#release()}), at most {@code latencyMs}
   * (so a forgotten hold cannot hang a suite); then later rules still apply and the request is handled. Makes a
   * race deterministic: a test can keep one request in flight while it issues another.
   */
  HOLD;

  static FaultKind parse(String value) {
    try {
      return FaultKind.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unknown fault kind: " + value);
    }
  }
}
