package dev.trunkline.store;

import dev.trunkline.contract.BusCaller;
import dev.trunkline.contract.StoreClient;
import dev.trunkline.contract.StoreMessages.RekeyVault;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The plain-Java entry for {@code trunkline rotate-keys}: deploys a store verticle with the application
 * configuration, asks it to re-encrypt every secret to the active key, and undeploys it. With the embedded
 * database the application must not be running (its data file is held by one process at a time); against a
 * MongoDB URI it can run beside a live deployment.
 *
 * <p>On the embedded database the store file is then compacted ({@link EmbeddedMongo#compact}): MVStore only
 * appends, so without it the envelopes under the old key, and any adopted plain text, would stay readable in the
 * file's unused space. A real MongoDB's storage engine is the operator's to manage (docs/store.md).
 */
public final class VaultRekeyCommand {
  private VaultRekeyCommand() {}

  /**
   * @param batchSize documents per page, null for {@code store.rotationBatchSize}
   * @param timeoutMs how long the whole re-key may take
   */
  public static Future<RekeyReport> run(Vertx vertx, JsonObject config, Integer batchSize, long timeoutMs) {
    StoreConfig cfg;
    try {
      cfg = StoreConfig.from(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalStateException("store configuration: " + e.getMessage()));
    }
    return vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config))
        .compose(deploymentId -> new StoreClient(BusCaller.of(vertx, timeoutMs, null, null))
            .rekeyVault(new RekeyVault(batchSize))
            .eventually(() -> vertx.undeploy(deploymentId)))
        .compose(report -> !cfg.embedded() ? Future.succeededFuture(report)
            : EmbeddedMongo.compact(vertx, cfg.dataDir())
                .recover(err -> Future.failedFuture(new IllegalStateException("the secrets were re-encrypted ("
                    + report.reencrypted() + " documents), but the embedded store file could not be compacted, so "
                    + "earlier copies may remain in it: " + err.getMessage(), err)))
                .map(report));
  }
}
