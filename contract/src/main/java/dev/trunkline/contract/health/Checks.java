package dev.trunkline.contract.health;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import java.util.List;

/** The procedures several verticles share. */
public final class Checks {
  private Checks() {}

  public static Status up() {
    return Status.OK();
  }

  /** Not ready (or not alive), and why: the reason is shown to whoever probes, so it never holds a secret. */
  public static Status down(String reason) {
    return Status.KO(new JsonObject().put("reason", reason));
  }

  /**
   * Ready while every one of the service's bus consumers is registered: a consumer that is not (unregistered,
   * or lost with the cluster) means requests to its address go elsewhere or nowhere.
   */
  public static Handler<Promise<Status>> consumersRegistered(List<? extends MessageConsumer<?>> consumers) {
    List<? extends MessageConsumer<?>> fixed = List.copyOf(consumers);
    return promise -> {
      List<String> missing = fixed.stream().filter(c -> !c.isRegistered()).map(MessageConsumer::address)
          .distinct().toList();
      promise.complete(missing.isEmpty() ? Status.OK(new JsonObject().put("consumers", fixed.size()))
          : down("not registered on the event bus: " + String.join(", ", missing)));
    };
  }

}
