package dev.trunkline.contract.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Picked ports are free, distinct and out of the ephemeral range; a bind conflict is retried on a fresh port. */
class FreePortsTest {

  @Test
  void pickedPortsAreDistinctBindableAndBelowTheEphemeralRange() throws IOException {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int port = FreePorts.pick();
      assertThat(port).isBetween(FreePorts.LOWEST, FreePorts.ephemeralLow() - 1);
      assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
    }
    int port = ports.iterator().next();
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      assertThat(socket.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void aBindConflictIsRetriedOnAFreshPortAndOtherFailuresAreNot() {
    List<Integer> tried = new ArrayList<>();
    String started = Await.await(FreePorts.bindRetrying(port -> {
      tried.add(port);
      return tried.size() < 3
          ? Future.failedFuture(new IllegalStateException("deploy failed", new BindException("Address already in use")))
          : Future.succeededFuture("listening on " + port);
    }));
    assertThat(tried).hasSize(3).doesNotHaveDuplicates();
    assertThat(started).isEqualTo("listening on " + tried.get(2));

    List<Integer> once = new ArrayList<>();
    Throwable other = Await.awaitFailure(FreePorts.bindRetrying(port -> {
      once.add(port);
      return Future.failedFuture(new IllegalArgumentException("bad config"));
    }));
    assertThat(other).isInstanceOf(IllegalArgumentException.class);
    assertThat(once).hasSize(1);

    List<Integer> always = new ArrayList<>();
    Throwable exhausted = Await.awaitFailure(FreePorts.bindRetrying(port -> {
      always.add(port);
      return Future.failedFuture(new BindException("Address already in use"));
    }));
    assertThat(exhausted).isInstanceOf(BindException.class);
    assertThat(always).hasSize(FreePorts.ATTEMPTS);
  }
}
