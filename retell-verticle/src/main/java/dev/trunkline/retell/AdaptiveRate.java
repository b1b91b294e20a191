package dev.trunkline.retell;

/**
 * The rate a key may send at, learnt from Retell's answers instead of assumed: Retell publishes no per-second
 * limit, its 429 is the only signal (PHONE_NUMBER_API.md, "Retell does not publish per-second HTTP limits").
 *
 * <p>Additive increase, multiplicative decrease, as TCP finds a link's capacity: the rate starts at the ceiling;
 * a 429 multiplies it by {@code decreaseFactor} (not below the floor); every request Retell accepts adds
 * {@code increasePerSecond / rate}, so a key that keeps sending grows by {@code increasePerSecond} each second
 * (and a key that sends nothing does not grow). A burst of 429s for requests that all left at the old rate is
 * one signal, not many: only a 429 for a request sent after the last cut cuts again.
 *
 * <p>Not thread-safe: its {@link KeyPacer} calls it under its own lock.
 */
final class AdaptiveRate {
  /** The least a node's share can be: a bucket refilling at 0 would never let its first waiter go. */
  static final double MIN_SHARE = 0.01;
  private final double ceiling;
  private final double floor;
  private final double decreaseFactor;
  private final double increasePerSecond;
  private double perSecond;
  private long lastCutNanos;
  private boolean cut;

  /**
   * @param ceiling the rate to start from and never exceed (requests per second)
   * @param floor the lowest rate a cut goes to
   * @param decreaseFactor what a 429 multiplies the rate by, in (0, 1]; 1 never cuts (a fixed rate)
   * @param increasePerSecond what the rate grows by per second of accepted requests; 0 never grows back
   */
  AdaptiveRate(double ceiling, double floor, double decreaseFactor, double increasePerSecond) {
    this.ceiling = ceiling;
    this.floor = Math.min(floor, ceiling);
    this.decreaseFactor = decreaseFactor;
    this.increasePerSecond = increasePerSecond;
    this.perSecond = ceiling;
  }

  /** A fixed rate: no cut, no growth (what a bucket is without adaptation). */
  static AdaptiveRate fixed(double perSecond) {
    return new AdaptiveRate(perSecond, perSecond, 1, 0);
  }

  double perSecond() {
    return perSecond;
  }

  /**
   * Retell answered 429 to a request sent at {@code sentNanos}.
   *
   * @return true when this cut the rate (the first 429 of its episode)
   */
  boolean throttled(long nowNanos, long sentNanos) {
    if (cut && sentNanos - lastCutNanos < 0) {
      return false;
    }
    // A node's share of a cluster-wide rate may sit below the floor already: a cut never raises it.
    perSecond = Math.max(Math.min(floor, perSecond), perSecond * decreaseFactor);
    lastCutNanos = nowNanos;
    cut = true;
    return true;
  }

  /** Retell accepted a request (any answer but 429): probe upward. */
  void accepted() {
    perSecond = Math.min(ceiling, perSecond + increasePerSecond / perSecond);
  }

  /**
   * The rate is decided elsewhere ({@link SharedBudget}: this node's share of the key's cluster-wide rate); it is
   * kept positive and not above the ceiling. Later cuts and growth go on from it.
   */
  void set(double newPerSecond) {
    perSecond = Math.min(ceiling, Math.max(MIN_SHARE, newPerSecond));
  }

  /** True at the ceiling: such a bucket is the same as a new one once full. */
  boolean atCeiling() {
    return perSecond >= ceiling;
  }
}
