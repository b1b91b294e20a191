package dev.trunkline.app;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.RotateKeys;
import dev.trunkline.contract.StoreMessages.RotateKeysReport;
import dev.trunkline.store.StoreVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * {@code java -jar trunkline.jar rotate-keys}: starts only the store, asks it to re-encrypt every secret with
 * the active key (the first of {@code TRUNKLINE_KEYS}) and prints the counts. Safe to run while the service
 * runs against a real MongoDB (re-encryption uses conditional updates); with the embedded store, stop the
 * service first (the data file can only be opened by one process).
 */
final class KeyRotationCommand {
  private KeyRotationCommand() {}

  static int run(JsonObject config) throws Exception {
    if (Trunkline.isSandbox(config) && ConfigLoader.get(config, "vault.keys") == null) {
      java.nio.file.Path dataDir = java.nio.file.Path.of(config.getString("dataDir", "./data"));
      ConfigLoader.put(config, "vault.keys", SandboxSecrets.loadOrCreate(dataDir).getString("vaultKeys"));
    }
    Vertx vertx = Vertx.vertx();
    try {
      Main.await(vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config)), 60);
      System.out.println("re-encrypting stored secrets with the active key...");
      RotateKeysReport report = Main.await(Bus.request(vertx, Addresses.Store.ADMIN_ROTATE_KEYS,
          new RotateKeys(500), RotateKeysReport.class, 30 * 60_000L, null), 30 * 60 + 5);
      System.out.printf("scanned %d, re-encrypted %d, already current %d, failed %d%n",
          report.scanned(), report.reencrypted(), report.alreadyCurrent(), report.failed());
      if (report.failures() != null) {
        report.failures().forEach(f -> System.out.println("  failed: " + f));
      }
      return report.failed() == 0 ? 0 : 1;
    } finally {
      Main.await(vertx.close(), 30);
    }
  }
}
