package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Buckets are per tenant and route, shared by every gateway instance of a node, and say how long to wait. */
@ExtendWith(VertxExtension.class)
class TenantRateLimiterTest {

  @Test
  void bucketsArePerTenantAndRouteAndSharedByTheNode(Vertx vertx) {
    TenantRateLimiter limiter = TenantRateLimiter.forNode(vertx);
    assertThat(TenantRateLimiter.forNode(vertx)).as("the second instance gets the same limiter").isSameAs(limiter);

    for (int i = 0; i < 3; i++) {
      assertThat(limiter.acquire("tenant-a", "fix", 3)).isZero();
    }
    long wait = limiter.acquire("tenant-a", "fix", 3);
    // 3 per minute refill one token every 20 s.
    assertThat(wait).isBetween(1L, 20L);
    assertThat(limiter.acquire("tenant-b", "fix", 3)).as("another tenant").isZero();
    assertThat(limiter.acquire("tenant-a", "list", 3)).as("another route").isZero();
  }

  @Test
  void anotherNodeHasItsOwnBuckets(Vertx vertx) {
    Vertx other = Vertx.vertx();
    try {
      TenantRateLimiter here = TenantRateLimiter.forNode(vertx);
      TenantRateLimiter there = TenantRateLimiter.forNode(other);
      assertThat(there).isNotSameAs(here);
      assertThat(here.acquire("t", "r", 1)).isZero();
      assertThat(here.acquire("t", "r", 1)).isPositive();
      assertThat(there.acquire("t", "r", 1)).as("per node: the other node's bucket is full").isZero();
    } finally {
      other.close();
    }
  }
}
