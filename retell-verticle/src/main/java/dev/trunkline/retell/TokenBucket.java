package dev.trunkline.retell;

import io.vertx.core.shareddata.Shareable;

/**
 * A token bucket with a bounded number of waiters.
 *
 * <p>The bucket holds up to {@code burst} tokens and refills at {@code ratePerSecond}. A request that finds a
 * token (and nobody waiting) goes at once; otherwise it gets a ticket (at most {@code maxQueue} may wait) and
 * comes back when its turn should have come, estimated from how many tickets are ahead of it. It takes its
 * token only then, on its own event loop, right before it sends: a token is never taken by one thread for a
 * request another thread will send later, and the balance never exceeds {@code burst}. So however late a
 * timer fires or an event loop stalls, in any window of {@code W} seconds at most
 * {@code burst + ratePerSecond * W} requests go.
 *
 * <p>A waiter takes a token only when there is one for every waiter ahead of it too, so the queue is first
 * come, first served: a waiter whose event loop is late keeps its turn, and the first waiter always needs
 * just one token, so the queue always moves. A waiter that will not come back (its verticle stopped) gives
 * its place up with {@link #abandon}.
 *
 * <p>Thread-safe: verticle instances on different event loops share one bucket per API key.
 */
final class TokenBucket implements Shareable {
  /** What {@link #acquire} answers when a token was free: go now. */
  static final Ticket NOW = new Ticket(-1, 0);

  /** A waiter's place: {@code seq} orders the waiters, {@code checkAfterNanos} is when its turn may come. */
  record Ticket(long seq, long checkAfterNanos) {
    boolean immediate() {
      return seq < 0;
    }
  }

  private final double ratePerNano;
  private final double burst;
  private final int maxQueue;
  private double tokens;
  private long lastNanos;
  private int waiting;
  private long issued;
  private long served;

  TokenBucket(double ratePerSecond, int burst, int maxQueue, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.maxQueue = maxQueue;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /**
   * Takes a token now, or issues a ticket.
   *
   * @return {@link #NOW}, a ticket, or null when {@code maxQueue} requests already wait
   */
  synchronized Ticket acquire(long nowNanos) {
    refill(nowNanos);
    if (waiting == 0 && tokens >= 1) {
      tokens -= 1;
      return NOW;
    }
    if (waiting >= maxQueue) {
      return null;
    }
    waiting++;
    long seq = issued++;
    return new Ticket(seq, nanosUntilTurn(seq));
  }

  /**
   * A waiter comes back: it takes a token if there is one for it (tokens beyond those the waiters ahead of it
   * need), else learns how long to wait again.
   *
   * @return 0 when the ticket holder may go now (its token is taken), else nanoseconds to wait
   */
  synchronized long tryTake(long nowNanos, long seq) {
    refill(nowNanos);
    if (tokens >= ahead(seq) + 1) {
      tokens -= 1;
      waiting--;
      served++;
      return 0;
    }
    return Math.max(1, nanosUntilTurn(seq));
  }

  /** A waiter that will never come back (its verticle stopped) frees its place. */
  synchronized void abandon() {
    waiting--;
    served++;
  }

  /** How long until a token is free; a refused caller may try again after it. */
  synchronized long nanosUntilNextToken(long nowNanos) {
    refill(nowNanos);
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerNano);
  }

  /** A full bucket with nobody waiting behaves exactly like a new one, so it may be dropped. */
  synchronized boolean isIdle(long nowNanos) {
    refill(nowNanos);
    return waiting == 0 && tokens >= burst;
  }

  synchronized int waiting() {
    return waiting;
  }

  /** Waiters ahead of {@code seq} that have not gone yet (an estimate: waiters may go slightly out of order). */
  private long ahead(long seq) {
    return Math.max(0, Math.min(seq - served, waiting - 1));
  }

  private long nanosUntilTurn(long seq) {
    double missing = ahead(seq) + 1 - tokens;
    return missing <= 0 ? 0 : (long) Math.ceil(missing / ratePerNano);
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      lastNanos = nowNanos;
    }
  }
}
