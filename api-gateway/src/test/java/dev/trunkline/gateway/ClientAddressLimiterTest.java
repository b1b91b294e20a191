package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-address limit on unauthenticated requests: one bucket per IPv4 address or IPv6 /64, shared by the node,
 * and a map that cannot grow past its bound however many addresses a flood comes from.
 */
@ExtendWith(VertxExtension.class)
class ClientAddressLimiterTest {

  @Test
  void anAddressIsLimitedOnlyAfterItsFailuresAndAnIpv6ClientCountsByItsSlash64(Vertx vertx) throws Exception {
    ClientAddressLimiter limiter = ClientAddressLimiter.forNode(vertx);
    assertThat(ClientAddressLimiter.forNode(vertx)).as("one limiter per node").isSameAs(limiter);
    SocketAddress v4 = address("192.0.2.7");
    SocketAddress v6 = address("2001:db8:1:2:aaaa::1");
    SocketAddress sameSlash64 = address("2001:db8:1:2:bbbb::2");
    SocketAddress otherSlash64 = address("2001:db8:1:3::1");

    assertThat(ClientAddressLimiter.key(v6)).isEqualTo("2001:db8:1:2::/64");
    assertThat(limiter.waitSeconds(v4, 2)).as("no failures yet").isZero();
    limiter.charge(v4, 2);
    assertThat(limiter.waitSeconds(v4, 2)).isZero();
    limiter.charge(v4, 2);
    // 2 per minute refill one every 30 s.
    assertThat(limiter.waitSeconds(v4, 2)).isBetween(1L, 30L);

    limiter.charge(v6, 1);
    assertThat(limiter.waitSeconds(sameSlash64, 1)).as("the same /64").isPositive();
    assertThat(limiter.waitSeconds(otherSlash64, 1)).as("another /64").isZero();
  }

  @Test
  void theMapStaysBoundedAndAddressesBeyondItShareOneBucket() throws Exception {
    ClientAddressLimiter limiter = new ClientAddressLimiter();
    for (int i = 0; i < ClientAddressLimiter.MAX_ADDRESSES; i++) {
      limiter.charge(address("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)), 1);
    }
    assertThat(limiter.size()).isEqualTo(ClientAddressLimiter.MAX_ADDRESSES);
    SocketAddress late = address("198.51.100.1");
    SocketAddress later = address("198.51.100.2");
    assertThat(limiter.waitSeconds(late, 1)).isZero();
    limiter.charge(late, 1);
    // Every bucket is busy (none idle for a minute), so the newcomer went to the shared overflow bucket ...
    assertThat(limiter.size()).isEqualTo(ClientAddressLimiter.MAX_ADDRESSES + 1);
    limiter.charge(later, 1);
    assertThat(limiter.size()).as("and so does the next one: the map does not grow")
        .isEqualTo(ClientAddressLimiter.MAX_ADDRESSES + 1);
    // ... which now limits both.
    assertThat(limiter.waitSeconds(late, 1)).isPositive();
    assertThat(limiter.waitSeconds(address("198.51.100.3"), 1)).isPositive();
  }

  private static SocketAddress address(String literal) throws Exception {
    return SocketAddress.inetSocketAddress(new InetSocketAddress(InetAddress.getByName(literal), 40_000));
  }
}
