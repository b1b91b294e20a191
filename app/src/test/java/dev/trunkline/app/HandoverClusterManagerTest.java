package dev.trunkline.app;

import dev.trunkline.contract.HandoverClusterManager;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.testing.Await;
import dev.trunkline.contract.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A stopping node's requests handed over (issue 15): three clustered Vert.x instances of this JVM, made by the
 * launcher's own {@link VertxFactory} over Hazelcast on loopback. Two serve a service address, the third keeps
 * requests in flight to it. One server announces its stop, then unregisters its consumer under that load: no request
 * is lost (each would otherwise wait out its timeout, Vert.x dropping what reaches a node whose consumer has gone),
 * and none sent after the handover reaches the stopping node. Events (published) still reach every node.
 */
class HandoverClusterManagerTest {
  /** A service request address (store prefix), served by both servers. */
  private static final String ADDRESS = "trunkline.store.v1.handover-test";
  private static final String EVENTS = "trunkline.events.v1.handover-test";
  private static final long TIMEOUT_MS = 5_000;
  private static final int IN_FLIGHT = 16;

  private static final List<Vertx> nodes = new ArrayList<>();
  private static Vertx staying;
  private static Vertx leaving;
  private static Vertx caller;

  @BeforeAll
  static void cluster() throws Exception {
    String name = "handover-" + System.nanoTime();
    int[] ports = {FreePorts.pick(), FreePorts.pick(), FreePorts.pick()};
    String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
    for (int port : ports) {
      JsonObject config = new JsonObject().put("cluster", new JsonObject().put("enabled", true).put("name", name)
          .put("members", members).put("port", port));
      nodes.add(VertxFactory.create(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS));
    }
    staying = nodes.get(0);
    leaving = nodes.get(1);
    caller = nodes.get(2);
  }

  @AfterAll
  static void close() throws Exception {
    for (Vertx node : nodes) {
      node.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStoppingNodeGetsNoRequestAfterItsAnnouncementAndLosesNone() throws Exception {
    serve(staying, "staying");
    MessageConsumer<Object> leavingConsumer = serve(leaving, "leaving");
    Map<String, AtomicInteger> eventsSeen = new ConcurrentHashMap<>();
    for (Vertx node : nodes) {
      AtomicInteger seen = eventsSeen.computeIfAbsent(String.valueOf(nodes.indexOf(node)), k -> new AtomicInteger());
      await(node.eventBus().consumer(EVENTS, m -> seen.incrementAndGet()).completion());
    }
    Await.until("the caller routes to both servers", Duration.ofSeconds(60), Duration.ofMillis(100),
        () -> answeredBy(50).containsAll(List.of("staying", "leaving")));

    Load load = new Load();
    load.start();
    Await.until("requests answered by the leaving node under load", Duration.ofSeconds(30), Duration.ofMillis(50),
        () -> load.answeredBy("leaving") > 20);

    await(HandoverClusterManager.of(leaving).announceStopping(leaving));
    long handedOver = System.nanoTime();
    load.handedOverAt(handedOver);
    long beforeUnregistering = load.answeredBy("leaving");
    await(leavingConsumer.unregister());
    Await.until("requests answered by the staying node after the unregistration", Duration.ofSeconds(30),
        Duration.ofMillis(50), () -> load.sentAfterHandover() > 200);
    load.stop();

    assertThat(load.failures()).as("requests that failed (lost in the unregistration they would wait out the "
        + "timeout, 504)").isEmpty();
    assertThat(load.answeredByLeavingSentAfterHandover()).as("requests sent after the handover answered by the "
        + "stopping node").isZero();
    assertThat(beforeUnregistering).as("the stopping node served its share until the handover").isPositive();

    // Published events are not routed around: the stopping node still hears them while it drains.
    caller.eventBus().publish(EVENTS, "hello");
    Await.until("every node, the stopping one too, hears a published event", Duration.ofSeconds(30),
        Duration.ofMillis(50), () -> eventsSeen.values().stream().allMatch(n -> n.get() == 1));

    // An address only the stopping node serves keeps it: it still answers while it drains.
    String only = "trunkline.twilio.v1.handover-test-only";
    await(leaving.eventBus().consumer(only, m -> m.reply("leaving")).completion());
    Await.until("the caller sees the stopping node's only consumer", Duration.ofSeconds(30), Duration.ofMillis(100),
        () -> caller.eventBus().request(only, "ping", new DeliveryOptions().setSendTimeout(1_000))
            .toCompletionStage().toCompletableFuture().handle((r, e) -> e == null).get());
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private static MessageConsumer<Object> serve(Vertx node, String name) throws Exception {
    MessageConsumer<Object> consumer = node.eventBus().consumer(ADDRESS, m -> m.reply(name));
    await(consumer.completion());
    return consumer;
  }

  /** Who answered {@code count} requests sent one after another. */
  private static List<String> answeredBy(int count) throws Exception {
    List<String> who = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      who.add(String.valueOf(await(caller.eventBus().request(ADDRESS, "ping",
          new DeliveryOptions().setSendTimeout(TIMEOUT_MS))).body()));
    }
    return who;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** {@link #IN_FLIGHT} requests in flight from the caller at all times, each recorded with when it was sent. */
  private static final class Load {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong leavingAfter = new AtomicLong();
    private final AtomicInteger sentAfterHandover = new AtomicInteger();
    private volatile long handedOver = Long.MAX_VALUE;
    private final AtomicInteger outstanding = new AtomicInteger();

    void start() {
      caller.runOnContext(v -> {
        for (int i = 0; i < IN_FLIGHT; i++) {
          send();
        }
      });
    }

    private void send() {
      if (!running.get()) {
        return;
      }
      long sentAt = System.nanoTime();
      outstanding.incrementAndGet();
      caller.eventBus().request(ADDRESS, "ping", new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
          .onComplete(ar -> {
            outstanding.decrementAndGet();
            if (ar.succeeded()) {
              String who = String.valueOf(ar.result().body());
              answers.computeIfAbsent(who, k -> new AtomicInteger()).incrementAndGet();
              if (sentAt > handedOver) {
                sentAfterHandover.incrementAndGet();
                if ("leaving".equals(who)) {
                  leavingAfter.incrementAndGet();
                }
              }
            } else {
              failures.add(ar.cause().toString());
            }
            send();
          });
    }

    long answeredBy(String who) {
      AtomicInteger n = answers.get(who);
      return n == null ? 0 : n.get();
    }

    void handedOverAt(long instant) {
      handedOver = instant;
    }

    int sentAfterHandover() {
      return sentAfterHandover.get();
    }

    long answeredByLeavingSentAfterHandover() {
      return leavingAfter.get();
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    void stop() {
      running.set(false);
      Await.until("the load's last requests answered", Duration.ofSeconds(30), Duration.ofMillis(20),
          () -> outstanding.get() == 0);
    }
  }
}
