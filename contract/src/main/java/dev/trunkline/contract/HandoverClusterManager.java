package dev.trunkline.contract;

import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster manager (Hazelcast's), with one thing added: a node that announces a graceful stop stops receiving
 * service requests while its consumers still answer, before they go.
 *
 * <p>Why. Each Vert.x node routes a request by its own copy of the cluster's consumer registrations. A stopping
 * node that unregisters its consumers leaves the other nodes' copies some milliseconds later, and a request routed
 * to it meanwhile reaches a node with no consumer, which Vert.x 5.0.8 drops without an answer ({@code
 * ClusteredEventBus} ignores "no handlers" for a message from the wire): its sender waits out its whole timeout.
 * Under load every rolling restart lost a request or two that way (a fix's 504 after 10 s, a purchase held 21 s).
 *
 * <p>How. A stopping node publishes {@link Addresses.Cluster#MEMBER_STOPPING} ({@link #announceStopping}) and waits
 * {@link #HANDOVER_MS} before it undeploys anything. Every node (this class on each) then leaves the stopping node
 * out of the registrations it hands Vert.x's node selector for every service request address that another node
 * also serves ({@link #routable}), and pushes the filtered registrations of every address it routes already. The
 * stopping node's consumers keep answering whatever was routed to it before; by the time they unregister nobody
 * routes to them. Events and the cluster's notices are never filtered, and an address only the stopping node serves
 * keeps it (it still answers during its drain).
 *
 * <p>Trunkline's launcher wraps its Hazelcast cluster manager in one, announces its node's stop and tells it of
 * membership changes as soon as Hazelcast does. A sibling's own clustered Vert.x (docs/event-bus.md) can wrap its
 * cluster manager the same way ({@code new HandoverClusterManager(new HazelcastClusterManager(config))}, then
 * {@link #listen} once Vert.x is built): its requests then go around a Trunkline node that stops, as Trunkline's own
 * do; without it, one of them can be routed to the stopping node in that moment and wait out its timeout.
 *
 * <p>Everything else is delegated. This is the public cluster SPI ({@code io.vertx.core.spi.cluster}): the node
 * selector asks {@link #getRegistrations} and hears {@link RegistrationListener#registrationsUpdated} through it.
 */
public final class HandoverClusterManager implements ClusterManager, Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(HandoverClusterManager.class);
  /**
   * How long a stopping node keeps everything running after its announcement: the publish reaches the others and
   * each re-reads the registrations of the addresses it routes (a few Hazelcast reads each); measured at tens of
   * milliseconds on a loaded 2-core machine.
   */
  static final long HANDOVER_MS = 500;
  /** Where {@link #listen} keeps this node's instance (a local map), for its shutdown ({@link #of}). */
  private static final String MAP = "trunkline.cluster";
  private static final String KEY = "handover";

  private final ClusterManager delegate;
  /** Members that announced a stop, until they leave (pruned at each reroute). */
  private final Set<String> stopping = ConcurrentHashMap.newKeySet();
  /**
   * The registrations of each address the node selector routes, as the cluster last gave them (unfiltered): what it
   * is handed again, filtered, when a member stops or leaves. Pruned when the selector no longer routes an address.
   */
  private final Map<String, List<RegistrationInfo>> known = new ConcurrentHashMap<>();
  private volatile RegistrationListener selector;
  private volatile NodeListener vertxListener;

  /** Wraps {@code delegate} (Trunkline's launcher: a {@code HazelcastClusterManager}); give this to Vert.x instead. */
  public HandoverClusterManager(ClusterManager delegate) {
    this.delegate = delegate;
    // The cluster manager keeps a single node listener: this one, which forwards to Vert.x's if it sets one.
    delegate.nodeListener(new NodeListener() {
      @Override
      public void nodeAdded(String nodeId) {
        NodeListener forward = vertxListener;
        if (forward != null) {
          forward.nodeAdded(nodeId);
        }
      }

      @Override
      public void nodeLeft(String nodeId) {
        membershipChanged();
        NodeListener forward = vertxListener;
        if (forward != null) {
          forward.nodeLeft(nodeId);
        }
      }
    });
  }

  /**
   * Once the clustered Vert.x is built: listens to the announcements of the others (and this node's own), each member
   * that announces a stop being routed around from then on, and keeps this instance for {@link #of}.
   */
  public Future<Void> listen(Vertx vertx) {
    vertx.sharedData().getLocalMap(MAP).put(KEY, this);
    return vertx.eventBus().<JsonObject>consumer(Addresses.Cluster.MEMBER_STOPPING,
        message -> stopping(message.body().getString("member"))).completion();
  }

  /** This node's instance, once {@link #listen} ran; null when Vert.x is not clustered through one. */
  public static HandoverClusterManager of(Vertx vertx) {
    return (HandoverClusterManager) vertx.sharedData().getLocalMap(MAP).get(KEY);
  }

  /**
   * Tells every node that this one is stopping, then waits {@link #HANDOVER_MS} so they route around it before its
   * consumers go. Completes on no context (the shutdown hook waits for it).
   */
  public Future<Void> announceStopping(Vertx vertx) {
    String member = delegate.getNodeId();
    LOG.info("stopping: the other nodes are asked to send their requests elsewhere, {} ms before draining",
        HANDOVER_MS);
    vertx.eventBus().publish(Addresses.Cluster.MEMBER_STOPPING, new JsonObject().put("member", member));
    Promise<Void> waited = Promise.promise();
    vertx.setTimer(HANDOVER_MS, t -> waited.complete());
    return waited.future();
  }

  /** A member announced a stop: from now on its consumers get no service request another node can take. */
  void stopping(String member) {
    if (member == null || !stopping.add(member)) {
      return;
    }
    int pushed = reroute();
    LOG.info("cluster member {} is stopping: {} service addresses routed to the other members", member, pushed);
  }

  /**
   * The membership changed (a member left, its death included): routed around at once, as soon as Hazelcast's
   * member list says so, rather than when this node's cluster manager has removed the member's registrations from
   * the cluster-wide map (it does that first, one by one, while a partition owned by the dead member may still be
   * moving; a request meanwhile routed to the dead member waits out its timeout).
   */
  public void membershipChanged() {
    reroute();
  }

  /**
   * Hands the node selector the routable registrations of every service address it routes, from the last it was
   * given (no cluster read: this runs while Hazelcast may still be recovering from a death). How many addresses.
   */
  private int reroute() {
    RegistrationListener listener = selector;
    if (listener == null) {
      return 0;
    }
    stopping.retainAll(Set.copyOf(delegate.getNodes()));
    int pushed = 0;
    for (Map.Entry<String, List<RegistrationInfo>> entry : known.entrySet()) {
      String address = entry.getKey();
      if (!listener.wantsUpdatesFor(address)) {
        known.remove(address, entry.getValue());
      } else if (Addresses.isServiceRequest(address)) {
        pushed++;
        listener.registrationsUpdated(new RegistrationUpdateEvent(address, routable(address, entry.getValue())));
      }
    }
    return pushed;
  }

  /**
   * The registrations the node selector may route {@code address} to. For a service request address: only those of
   * current members, and of those the stopping members' only if nobody else serves it. Others as they are.
   */
  List<RegistrationInfo> routable(String address, List<RegistrationInfo> registrations) {
    if (registrations == null || registrations.isEmpty() || !Addresses.isServiceRequest(address)) {
      return registrations;
    }
    Set<String> members = Set.copyOf(delegate.getNodes());
    List<RegistrationInfo> live = members.isEmpty() ? registrations
        : registrations.stream().filter(r -> members.contains(r.nodeId())).toList();
    if (stopping.isEmpty()) {
      return live;
    }
    List<RegistrationInfo> kept = live.stream().filter(r -> !stopping.contains(r.nodeId())).toList();
    return kept.isEmpty() ? live : kept;
  }

  // ---- the registrations the node selector sees ------------------------------------------------------

  @Override
  public void registrationListener(RegistrationListener listener) {
    this.selector = listener;
    delegate.registrationListener(new RegistrationListener() {
      @Override
      public void registrationsUpdated(RegistrationUpdateEvent event) {
        remember(event.address(), event.registrations());
        listener.registrationsUpdated(new RegistrationUpdateEvent(event.address(),
            routable(event.address(), event.registrations())));
      }

      @Override
      public void registrationsLost() {
        listener.registrationsLost();
      }

      @Override
      public boolean wantsUpdatesFor(String address) {
        return listener.wantsUpdatesFor(address);
      }
    });
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    delegate.getRegistrations(address, (registrations, err) -> {
      if (err == null) {
        remember(address, registrations);
      }
      promise.complete(err == null ? routable(address, registrations) : null, err);
    });
  }

  private void remember(String address, List<RegistrationInfo> registrations) {
    if (Addresses.isServiceRequest(address)) {
      known.put(address, registrations == null ? List.of() : List.copyOf(registrations));
    }
  }

  // ---- delegated as they are ---------------------------------------------------------------------------

  @Override
  public void init(Vertx vertx) {
    delegate.init(vertx);
  }

  @Override
  public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> promise) {
    delegate.getAsyncMap(name, promise);
  }

  @Override
  public <K, V> Map<K, V> getSyncMap(String name) {
    return delegate.getSyncMap(name);
  }

  @Override
  public void getLockWithTimeout(String name, long timeout, Completable<Lock> promise) {
    delegate.getLockWithTimeout(name, timeout, promise);
  }

  @Override
  public void getCounter(String name, Completable<Counter> promise) {
    delegate.getCounter(name, promise);
  }

  @Override
  public String getNodeId() {
    return delegate.getNodeId();
  }

  @Override
  public List<String> getNodes() {
    return delegate.getNodes();
  }

  /** Vert.x's own listener, if it has one (with HA enabled); this class listens to departures either way. */
  @Override
  public void nodeListener(NodeListener listener) {
    this.vertxListener = listener;
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    delegate.setNodeInfo(nodeInfo, promise);
  }

  @Override
  public NodeInfo getNodeInfo() {
    return delegate.getNodeInfo();
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    delegate.getNodeInfo(nodeId, promise);
  }

  @Override
  public void join(Completable<Void> promise) {
    delegate.join(promise);
  }

  @Override
  public void leave(Completable<Void> promise) {
    delegate.leave(promise);
  }

  @Override
  public boolean isActive() {
    return delegate.isActive();
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    delegate.addRegistration(address, registrationInfo, promise);
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    delegate.removeRegistration(address, registrationInfo, promise);
  }

  @Override
  public String clusterHost() {
    return delegate.clusterHost();
  }

  @Override
  public String clusterPublicHost() {
    return delegate.clusterPublicHost();
  }
}
