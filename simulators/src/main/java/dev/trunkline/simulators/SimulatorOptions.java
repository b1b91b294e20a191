package dev.trunkline.simulators;

/**
 * Where a simulator listens and how it starts. Mutable with fluent setters so tests and the sandbox can build it in
 * one expression; the simulator copies the values at start, so later changes have no effect on a running one.
 */
public final class SimulatorOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";

  private String host = DEFAULT_HOST;
  private int port;
  private int rateLimitPerSecond;
  private int maxBodyBytes = 256 * 1024;

  public String host() {
    return host;
  }

  public SimulatorOptions host(String host) {
    this.host = host == null || host.isBlank() ? DEFAULT_HOST : host;
    return this;
  }

  /** 0 (the default) binds a free port; read the real one from the simulator's {@code port()}. */
  public int port() {
    return port;
  }

  public SimulatorOptions port(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    this.port = port;
    return this;
  }

  /**
   * Requests per second per API key before the Retell simulator answers 429 (0 = unlimited, the default). The Twilio
   * simulator ignores it; use a fault rule for Twilio 429s.
   */
  public int rateLimitPerSecond() {
    return rateLimitPerSecond;
  }

  public SimulatorOptions rateLimitPerSecond(int rateLimitPerSecond) {
    if (rateLimitPerSecond < 0) {
      throw new IllegalArgumentException("rateLimitPerSecond must be >= 0");
    }
    this.rateLimitPerSecond = rateLimitPerSecond;
    return this;
  }

  /** Largest request body accepted; bigger ones get 413 (keeps a misbehaving client from filling the heap). */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public SimulatorOptions maxBodyBytes(int maxBodyBytes) {
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("maxBodyBytes must be >= 1024");
    }
    this.maxBodyBytes = maxBodyBytes;
    return this;
  }

  SimulatorOptions copy() {
    return new SimulatorOptions().host(host).port(port).rateLimitPerSecond(rateLimitPerSecond)
        .maxBodyBytes(maxBodyBytes);
  }
}
