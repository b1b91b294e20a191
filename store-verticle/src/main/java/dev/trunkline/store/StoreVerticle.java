package dev.trunkline.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Placeholder until the module is built; it deploys and does nothing. */
public class StoreVerticle extends VerticleBase {
  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }
}
