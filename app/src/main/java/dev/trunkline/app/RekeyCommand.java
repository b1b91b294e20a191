package dev.trunkline.app;

import dev.trunkline.store.StoreConfig;
import dev.trunkline.contract.StoreMessages.RekeyReport;
import dev.trunkline.store.VaultRekeyCommand;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * {@code java -jar trunkline.jar rotate-keys}: re-encrypts every stored secret with the active key (the
 * first of {@code TRUNKLINE_KEYS}) and prints the counts. Against a real MongoDB it can run beside a live
 * service (re-encryption uses conditional updates); with the embedded store, stop the service first (one
 * process at a time can open its data file).
 */
final class RekeyCommand {
  private static final long TIMEOUT_MS = 30 * 60_000L;

  private RekeyCommand() {}

  /** In the sandbox the vault keys live in the data directory's secrets file, not in the configuration. */
  static void useSandboxKeys(JsonObject config) throws java.io.IOException {
    if (Trunkline.isSandbox(config) && ConfigLoader.get(config, "vault.keys") == null) {
      Path dataDir = Path.of(StoreConfig.DATA_DIR.get(config));
      ConfigLoader.put(config, "vault.keys", SandboxSecrets.loadOrCreate(dataDir).getString("vaultKeys"));
    }
  }

  static int run(JsonObject config) throws Exception {
    useSandboxKeys(config);
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println("re-encrypting stored secrets with the active key...");
      RekeyReport report = Main.await(VaultRekeyCommand.run(vertx, config, null, TIMEOUT_MS),
          (int) (TIMEOUT_MS / 1000) + 30);
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
