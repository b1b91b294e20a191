package dev.trunkline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Placeholder until the module is built; it deploys and does nothing. */
public class GatewayVerticle extends VerticleBase {
  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }
}
