package dev.trunkline.retell;

import dev.trunkline.contract.rate.TokenBucket;
import io.vertx.core.shareddata.Shareable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Paces one API key's requests to Retell: the product's {@link TokenBucket} with a bounded number of waiters, shared
 * fairly between the tenants ("lanes") that use it, at a rate learnt from Retell ({@link AdaptiveRate}).
 *
 * <p>The bucket holds up to {@code burst} tokens and refills at {@code ratePerSecond}. A request that finds a
 * token (and nobody waiting) goes at once; otherwise it gets a ticket and comes back when its turn should have
 * come, estimated from how many tickets are ahead of it. It takes its token only then, on its own event loop,
 * right before it sends: a token is never taken by one thread for a request another thread will send later,
 * and the balance never exceeds {@code burst}. So however late a timer fires or an event loop stalls, in any
 * window of {@code W} seconds at most {@code burst + ratePerSecond * W} requests go.
 *
 * <p>Whose turn it is: start-time fair queuing. Each lane (a tenant; tenants that share an API key share its
 * bucket) numbers its tickets from where the bucket is now ({@code rank = max(virtual time, the lane's last
 * rank) + 1}, the virtual time being the rank last served), and tickets go in rank order (arrival breaks ties).
 * One lane with a thousand waiting requests therefore holds ranks far ahead, while another lane's single
 * request gets the next rank and waits for about one token, not for the thousand: a tenant's bulk fix does not
 * stall another tenant's one-number fix.
 *
 * <p>Inside a lane, each request ("flow": one bus request, so a whole fix's fan-out is one flow and a one-number
 * fix another) takes its turn the same way, weighted so that the tenant's flows together still count as one lane:
 * a flow's ranks step by the number of the tenant's flows with waiters. A tenant's one-number request therefore
 * gets a rank about one step ahead, not behind the tenant's own bulk fix; interactive requests go ahead of bulk
 * fan-outs. With one flow the order is first come, first served.
 *
 * <p>A waiter takes a token only when there is one for every waiter ahead of it too, so the first waiter always
 * needs just one token and the queue always moves. At most {@code maxQueue} tickets wait per lane and
 * {@link #LANES_PER_QUEUE} times that per bucket; a waiter that will not come back (its verticle stopped) gives
 * its place up with {@link #abandon}.
 *
 * <p>The rate adapts ({@link AdaptiveRate}): Retell's 429 cuts it and holds the bucket, so no request of the key
 * leaves before Retell's {@code Retry-After} has passed ({@link #throttled}); accepted requests raise it again
 * ({@link #accepted}). Waiters learn of a hold when they come back, and then wait it out.
 *
 * <p>Across nodes ({@link SharedBudget}): the bucket counts what it used and what Retell accepted or refused since
 * the last sync ({@link #drain}), and the sync sets its rate and burst to this node's share of the key's
 * cluster-wide rate ({@link #share}); while it is shared, accepted requests do not raise the rate here (the shared
 * rate grows instead), a 429 still cuts it here at once. {@link #solo} falls back to the node's own adaptation.
 *
 * <p>Thread-safe: verticle instances on different event loops share one bucket per API key.
 */
final class KeyPacer implements Shareable {
  /** What {@link #acquire} answers when a token was free: go now. */
  static final Ticket NOW = new Ticket(-1, -1, null, null, 0);
  /** The bucket's waiters are bounded at this many lanes' worth of {@code maxQueue}. */
  static final int LANES_PER_QUEUE = 4;
  private static final String NO_LANE = "";
  private static final String NO_FLOW = "";

  /**
   * A waiter's place: {@code rank} then {@code seq} order the waiters, {@code lane} is whose share it takes and
   * {@code flow} which of the lane's requests,
   * {@code checkAfterNanos} is when its turn may come.
   */
  record Ticket(long rank, long seq, String lane, String flow, long checkAfterNanos) {
    boolean immediate() {
      return seq < 0;
    }
  }

  private static final Comparator<Ticket> TURN = Comparator.comparingLong(Ticket::rank)
      .thenComparingLong(Ticket::seq);

  private final AdaptiveRate rate;
  /** Refills at {@code rate}; its burst is fixed for a node's own budget, this node's part of the key's while shared. */
  private final TokenBucket bucket;
  private final int maxQueue;
  private final TreeSet<Ticket> waiting = new TreeSet<>(TURN);
  /** Per lane with waiters: its waiting tickets and its flows. Bounded by the waiters. */
  private final Map<String, Lane> lanes = new HashMap<>();
  private long issued;
  private long virtualTime;
  /** True while the rate is this node's share of a cluster-wide one ({@link #share}). */
  private boolean shared;
  // Since the last drain: tokens taken, requests Retell accepted, cuts (429s of a new episode) and the last one's send time.
  private long taken;
  private long acceptedSinceDrain;
  private int cuts;
  private long lastCutSentNanos;
  // Sync bookkeeping for SharedBudget: one sync of a key at a time, and when the last one started.
  private boolean syncing;
  private boolean syncTried;
  private long lastSyncNanos;
  private boolean leased;

  /**
   * What the bucket saw since the last {@link #drain}, for the key's cluster-wide budget.
   *
   * @param taken tokens taken (requests sent)
   * @param accepted answers that were not 429
   * @param waiting requests waiting for a token now
   * @param cuts 429s that cut the rate here (each the first of its episode)
   * @param lastCutSentNanos when the request of the last such 429 was sent
   * @param perSecond the rate here now
   * @param holdNanos how long no request may leave from now (Retell's Retry-After)
   */
  record Demand(long taken, long accepted, int waiting, int cuts, long lastCutSentNanos, double perSecond,
      long holdNanos) {
    boolean any() {
      return taken > 0 || waiting > 0 || cuts > 0;
    }
  }

  /** A bucket with a fixed rate. */
  KeyPacer(double ratePerSecond, int burst, int maxQueue, long nowNanos) {
    this(AdaptiveRate.fixed(ratePerSecond), burst, maxQueue, nowNanos);
  }

  KeyPacer(AdaptiveRate rate, int burst, int maxQueue, long nowNanos) {
    this(rate, burst, maxQueue, nowNanos, burst);
  }

  /**
   * @param initialTokens what the bucket holds at first: a bucket that will share a cluster-wide budget starts
   *     with one token, since other nodes may already spend the key's whole burst
   */
  KeyPacer(AdaptiveRate rate, int burst, int maxQueue, long nowNanos, double initialTokens) {
    this.rate = rate;
    this.bucket = new TokenBucket(rate.perSecond(), burst, initialTokens, nowNanos);
    this.maxQueue = maxQueue;
  }

  /** {@link #acquire(long, String, String)} for a caller that names no lane. */
  Ticket acquire(long nowNanos) {
    return acquire(nowNanos, null, null);
  }

  /** {@link #acquire(long, String, String)} for a caller that names no flow. */
  Ticket acquire(long nowNanos, String lane) {
    return acquire(nowNanos, lane, null);
  }

  /**
   * Takes a token now, or issues a ticket in {@code lane}'s share.
   *
   * @return {@link #NOW}, a ticket, or null when the lane (or the whole bucket) has as many waiters as allowed
   */
  synchronized Ticket acquire(long nowNanos, String lane, String flow) {
    if (waiting.isEmpty() && bucket.tryTake(nowNanos)) {
      taken++;
      return NOW;
    }
    String key = lane == null ? NO_LANE : lane;
    String flowKey = flow == null ? NO_FLOW : flow;
    Lane state = lanes.get(key);
    if (waiting.size() >= (long) maxQueue * LANES_PER_QUEUE || (state != null && state.waiting >= maxQueue)) {
      return null;
    }
    if (state == null) {
      state = new Lane();
      lanes.put(key, state);
    }
    long[] flowState = state.flows.computeIfAbsent(flowKey, f -> new long[] {0, virtualTime});
    // The lane's flows share its one step: each steps by their number, so together they advance as one lane.
    long rank = Math.max(virtualTime, flowState[1]) + state.flows.size();
    state.waiting++;
    flowState[0]++;
    flowState[1] = rank;
    Ticket ticket = new Ticket(rank, issued++, key, flowKey, 0);
    waiting.add(ticket);
    return new Ticket(rank, ticket.seq(), key, flowKey, nanosUntilTurn(ticket, nowNanos));
  }

  /**
   * A waiter comes back: it takes a token if there is one for it (tokens beyond those the waiters ahead of it
   * need), else learns how long to wait again.
   *
   * @return 0 when the ticket holder may go now (its token is taken), else nanoseconds to wait
   */
  synchronized long tryTake(long nowNanos, Ticket ticket) {
    if (bucket.tryTake(nowNanos, ahead(ticket))) {
      taken++;
      virtualTime = Math.max(virtualTime, ticket.rank());
      leave(ticket);
      return 0;
    }
    return Math.max(1, nanosUntilTurn(ticket, nowNanos));
  }

  /**
   * Retell answered 429 to a request of this key sent at {@code sentNanos}: cut the rate (once per episode, see
   * {@link AdaptiveRate#throttled}), spend the balance (what Retell refused is not there to spend) and take no
   * token for {@code holdNanos} (Retell's Retry-After, or the client's own backoff when it sent none).
   *
   * @return true when this cut the rate (the first 429 of its episode here)
   */
  synchronized boolean throttled(long nowNanos, long sentNanos, long holdNanos) {
    bucket.tokens(nowNanos); // what refilled until now refilled at the old rate
    boolean cut = rate.throttled(nowNanos, sentNanos);
    if (cut) {
      cuts++;
      lastCutSentNanos = sentNanos;
      bucket.setRate(rate.perSecond());
    }
    bucket.hold(nowNanos, holdNanos);
    return cut;
  }

  /**
   * Retell accepted a request of this key (any answer but 429): the rate probes upward (while shared, the
   * cluster-wide rate does, at the next sync).
   */
  synchronized void accepted() {
    acceptedSinceDrain++;
    if (!shared) {
      rate.accepted();
      bucket.setRate(rate.perSecond());
    }
  }

  /** What the bucket saw since the last drain; the counters start again from 0. */
  synchronized Demand drain(long nowNanos) {
    Demand demand = new Demand(taken, acceptedSinceDrain, waiting.size(), cuts, lastCutSentNanos,
        rate.perSecond(), bucket.holdNanos(nowNanos));
    taken = 0;
    acceptedSinceDrain = 0;
    cuts = 0;
    return demand;
  }

  /** A sync that could not write its result gives back what it drained, for the next one. */
  synchronized void undrain(Demand demand) {
    taken += demand.taken();
    acceptedSinceDrain += demand.accepted();
    if (demand.cuts() > 0) {
      if (cuts == 0) {
        lastCutSentNanos = demand.lastCutSentNanos(); // a cut since the drain is the later one
      }
      cuts += demand.cuts();
    }
  }

  /**
   * This node's share of the key's cluster-wide budget: refill at {@code perSecond}, hold at most {@code
   * shareOfBurst} tokens, and take none for {@code holdNanos} (a Retry-After another node was given).
   */
  synchronized void share(long nowNanos, double perSecond, double shareOfBurst, long holdNanos) {
    bucket.tokens(nowNanos); // what refilled until now refilled at the old rate
    shared = true;
    rate.set(perSecond);
    bucket.setRate(rate.perSecond());
    bucket.setBurst(Math.max(1, shareOfBurst));
    if (holdNanos > 0) {
      bucket.hold(nowNanos, holdNanos);
    }
  }

  /** The cluster-wide budget is out of reach: adapt on this node's own 429s, from the rate it has now. */
  synchronized void solo(double nodeBurst) {
    shared = false;
    bucket.setBurst(nodeBurst);
  }

  synchronized boolean isShared() {
    return shared;
  }

  /**
   * Whether the caller should sync this key now: not while a sync of it runs; when forced (a 429 cut the rate,
   * or the key was never synced), else when it has something to report (requests sent or waiting, a cut, or a
   * lease to give up) and the last sync began at least {@code minGapNanos} ago. Claims the sync when it answers true.
   */
  synchronized boolean claimSync(long nowNanos, long minGapNanos, boolean force) {
    if (syncing) {
      return false;
    }
    boolean due = force || ((taken > 0 || !waiting.isEmpty() || cuts > 0 || leased)
        && nowNanos - lastSyncNanos >= minGapNanos);
    if (due) {
      syncing = true;
      syncTried = true;
      lastSyncNanos = nowNanos;
    }
    return due;
  }

  /** The claimed sync ended; {@code leased}: whether this node now holds a lease on the key's budget. */
  synchronized void syncDone(boolean ok, boolean nowLeased) {
    syncing = false;
    if (ok) {
      leased = nowLeased;
    }
  }

  /** No sync of this key was started yet (a failed one counts: the timer retries it, not every request). */
  synchronized boolean neverSynced() {
    return !syncTried;
  }

  /** The rate the bucket refills at now, in requests per second. */
  synchronized double ratePerSecond() {
    return rate.perSecond();
  }

  /** A waiter that will never come back (its verticle stopped) frees its place. */
  synchronized void abandon(Ticket ticket) {
    leave(ticket);
  }

  /** How long until a token is free; a refused caller may try again after it. */
  synchronized long nanosUntilNextToken(long nowNanos) {
    return bucket.nanosUntil(nowNanos, 1);
  }

  /** A full bucket with nobody waiting behaves exactly like a new one, so it may be dropped. */
  synchronized boolean isIdle(long nowNanos) {
    return waiting.isEmpty() && bucket.isFull(nowNanos) && rate.atCeiling() && !leased && !syncing;
  }

  synchronized int waiting() {
    return waiting.size();
  }

  private void leave(Ticket ticket) {
    if (!waiting.remove(ticket)) {
      return;
    }
    Lane state = lanes.get(ticket.lane());
    if (state == null) {
      return;
    }
    long[] flowState = state.flows.get(ticket.flow());
    if (flowState != null && --flowState[0] <= 0) {
      // A flow (or lane) with nobody waiting starts again from the virtual time: nothing to remember for it.
      state.flows.remove(ticket.flow());
    }
    if (--state.waiting <= 0) {
      lanes.remove(ticket.lane());
    }
  }

  /** Waiters whose turn comes before {@code ticket}'s (bounded by the queue size, so a short scan). */
  private long ahead(Ticket ticket) {
    return waiting.headSet(ticket, false).size();
  }

  private long nanosUntilTurn(Ticket ticket, long nowNanos) {
    return bucket.nanosUntil(nowNanos, ahead(ticket) + 1);
  }

  /** A lane's waiting tickets, and per flow with waiters {waiting tickets, last rank issued}. */
  private static final class Lane {
    private int waiting;
    private final Map<String, long[]> flows = new HashMap<>();
  }
}
