package dev.trunkline.contract;

/** Event-bus (and HTTP) headers that Trunkline propagates with every request. */
public final class Headers {
  /** Correlates one client request across the gateway, the bus and every log line. */
  public static final String REQUEST_ID = "x-request-id";
  /** The tenant a request acts for, so a consumer can log it without parsing the body. */
  public static final String TENANT = "x-trunkline-tenant";
  /**
   * How long the sender waits for the reply, in milliseconds ({@link Bus#request} sets it from its timeout). A
   * long-running consumer (a provisioning fan-out) stops starting new work before it runs out, so that its
   * answer, partial if need be, arrives while somebody still waits for it.
   */
  public static final String TIMEOUT_MS = "x-trunkline-timeout-ms";
  /** The contract version a sender speaks; the addresses also carry it, this is for logs and metrics. */
  public static final String CONTRACT_VERSION = "x-trunkline-contract";

  private Headers() {}
}
