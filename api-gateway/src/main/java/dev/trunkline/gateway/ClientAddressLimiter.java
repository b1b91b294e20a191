package dev.trunkline.gateway;

import dev.trunkline.contract.rate.TokenBucket;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-client-address token buckets for requests that do not authenticate, shared by the gateway instances of a
 * node (like {@link TenantRateLimiter}). It is checked before authentication, so a flood of bad or missing tokens
 * from one address costs a map lookup per request once its bucket is empty, not a signature check.
 *
 * <p>Bounded: an IPv6 client counts by its /64 (one host usually owns the whole prefix), and past
 * {@link #MAX_ADDRESSES} the full buckets are dropped, at most once a second so that a full map of busy addresses
 * does not turn every request into a scan; addresses that still find no room share one overflow bucket.
 */
final class ClientAddressLimiter implements Shareable {
  static final int MAX_ADDRESSES = 50_000;
  static final String OVERFLOW = "overflow";
  private static final String SHARED_KEY = "gateway.addressLimiter";
  private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep = new AtomicLong(System.nanoTime() - SWEEP_INTERVAL_NANOS);

  /** The node's limiter, created by the first gateway instance that asks. */
  static ClientAddressLimiter forNode(Vertx vertx) {
    LocalMap<String, ClientAddressLimiter> map = vertx.sharedData().getLocalMap("trunkline.gateway");
    ClientAddressLimiter fresh = new ClientAddressLimiter();
    ClientAddressLimiter existing = map.putIfAbsent(SHARED_KEY, fresh);
    return existing == null ? fresh : existing;
  }

  /** @return 0 when a request from this address may go on, else the seconds until it may */
  long waitSeconds(SocketAddress address, int perMinute) {
    long now = System.nanoTime();
    TokenBucket bucket = buckets.get(key(address));
    if (bucket == null && buckets.size() >= MAX_ADDRESSES) {
      bucket = buckets.get(OVERFLOW); // where this address's failures are counted while the map is full
    }
    return bucket == null ? 0 : PerMinuteLimit.peek(bucket, perMinute, now);
  }

  /** Counts one request from this address that did not authenticate. */
  void charge(SocketAddress address, int perMinute) {
    long now = System.nanoTime();
    String key = key(address);
    if (!buckets.containsKey(key) && buckets.size() >= MAX_ADDRESSES) {
      long last = lastSweep.get();
      if (now - last >= SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(last, now)) {
        buckets.values().removeIf(b -> b.isFull(now));
      }
      if (buckets.size() >= MAX_ADDRESSES) {
        key = OVERFLOW;
      }
    }
    PerMinuteLimit.take(buckets.computeIfAbsent(key, k -> PerMinuteLimit.bucket(perMinute, now)), perMinute, now);
  }

  int size() {
    return buckets.size();
  }

  /** The address as a bucket key: IPv4 as is, IPv6 by its first four groups (the /64). */
  static String key(SocketAddress address) {
    String host = address == null ? null : address.hostAddress();
    if (host == null || host.isEmpty()) {
      return "unknown";
    }
    if (host.indexOf(':') < 0) {
      return host;
    }
    // Java writes IPv6 addresses in full (eight groups, no "::"), so the first four groups are the /64.
    String[] groups = host.split(":", 5);
    return groups.length < 5 ? host : String.join(":", groups[0], groups[1], groups[2], groups[3]) + "::/64";
  }
}
