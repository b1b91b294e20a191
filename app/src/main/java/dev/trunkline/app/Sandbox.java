package dev.trunkline.app;

import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.simulators.SimulatorOptions;
import dev.trunkline.simulators.TwilioSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandbox mode: the Twilio and Retell simulators run in-process on loopback and the verticles are pointed at
 * them; the secrets a sandbox needs are generated once under the data dir. Nothing here talks to the real
 * Twilio or Retell.
 */
public final class Sandbox {
  private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

  /** The demo tenant's simulated Twilio account: the simulator creates it on first use. Not a real secret. */
  static final String DEMO_ACCOUNT_SID = "AC0000000000000000000000000000de01";
  static final String DEMO_AUTH_TOKEN = "sandbox-demo-twilio-token";
  /** The demo tenant's simulated Retell workspace key. Not a real secret. */
  static final String DEMO_RETELL_KEY = "sandbox-demo-retell-key";

  private final TwilioSimulator twilio;
  private final RetellSimulator retell;

  private Sandbox(TwilioSimulator twilio, RetellSimulator retell) {
    this.twilio = twilio;
    this.retell = retell;
  }

  /** Starts the simulators and completes {@code config} (in place) with their URLs and the sandbox secrets. */
  static Future<Sandbox> start(Vertx vertx, JsonObject config) {
    Path dataDir = Path.of(config.getString("dataDir", "./data"));
    return vertx.executeBlocking(() -> SandboxSecrets.loadOrCreate(dataDir))
        .compose(secrets -> {
          fillIfAbsent(config, "vault.keys", secrets.getString("vaultKeys"));
          fillIfAbsent(config, "gateway.jwtSecret", secrets.getString("jwtSecret"));
          fillIfAbsent(config, "gateway.serviceToken", secrets.getString("serviceToken"));
          LOG.warn("SANDBOX MODE: Twilio and Retell are simulated in-process; the encryption key and JWT secret "
              + "were generated and are kept in {}. Do not use this for real tenants.",
              dataDir.resolve(SandboxSecrets.FILE_NAME).toAbsolutePath());
          return TwilioSimulator.start(vertx, new SimulatorOptions());
        })
        .compose(twilio -> RetellSimulator.start(vertx, new SimulatorOptions())
            .map(retell -> new Sandbox(twilio, retell))
            .recover(err -> twilio.close().transform(v -> Future.failedFuture(err))))
        .map(sandbox -> {
          ConfigLoader.put(config, "twilio.apiBaseUrl", sandbox.twilio.baseUrl());
          ConfigLoader.put(config, "twilio.trunkingBaseUrl", sandbox.twilio.baseUrl());
          ConfigLoader.put(config, "retell.baseUrl", sandbox.retell.baseUrl());
          return sandbox;
        });
  }

  private static void fillIfAbsent(JsonObject config, String path, String value) {
    if (ConfigLoader.get(config, path) == null) {
      ConfigLoader.put(config, path, value);
    }
  }

  public TwilioSimulator twilio() {
    return twilio;
  }

  public RetellSimulator retell() {
    return retell;
  }

  Future<Void> close() {
    return Future.join(twilio.close(), retell.close()).mapEmpty();
  }
}
