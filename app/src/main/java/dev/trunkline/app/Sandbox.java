package dev.trunkline.app;

import dev.trunkline.provisioning.ProvisioningConfig;
import dev.trunkline.store.StoreConfig;
import dev.trunkline.simulators.RetellSimulator;
import dev.trunkline.simulators.SimulatorOptions;
import dev.trunkline.simulators.TwilioSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
  /** The longest drift-watch period the sandbox runs with. */
  static final long DRIFT_PERIOD_SECONDS = 60;

  private final TwilioSimulator twilio;
  private final RetellSimulator retell;
  private final boolean generatedJwtSecret;

  private Sandbox(TwilioSimulator twilio, RetellSimulator retell, boolean generatedJwtSecret) {
    this.twilio = twilio;
    this.retell = retell;
    this.generatedJwtSecret = generatedJwtSecret;
  }

  /** Starts the simulators and completes {@code config} (in place) with their URLs and the sandbox secrets. */
  static Future<Sandbox> start(Vertx vertx, JsonObject config) {
    Path dataDir = Path.of(StoreConfig.DATA_DIR.get(config));
    boolean[] jwtGenerated = new boolean[1];
    return vertx.executeBlocking(() -> SandboxSecrets.loadOrCreate(dataDir))
        .compose(secrets -> {
          List<String> generated = new ArrayList<>();
          if (fillIfAbsent(config, "vault.keys", secrets.getString("vaultKeys"))) {
            generated.add("the encryption key");
          }
          jwtGenerated[0] = fillIfAbsent(config, "gateway.jwtSecret", secrets.getString("jwtSecret"));
          if (jwtGenerated[0]) {
            generated.add("the JWT secret");
          }
          if (fillIfAbsent(config, "gateway.serviceToken", secrets.getString("serviceToken"))) {
            generated.add("the service token");
          }
          // Says exactly which secrets are the sandbox's own: a configured one is the operator's, not generated.
          if (generated.isEmpty()) {
            LOG.warn("SANDBOX MODE: Twilio and Retell are simulated in-process; no secret was generated (all are "
                + "configured). Do not use this for real tenants.");
          } else {
            LOG.warn("SANDBOX MODE: Twilio and Retell are simulated in-process; {} {} generated and kept in {}. Do "
                + "not use this for real tenants.", String.join(", ", generated), generated.size() == 1 ? "was" : "were",
                dataDir.resolve(SandboxSecrets.FILE_NAME).toAbsolutePath());
          }
          return TwilioSimulator.start(vertx, new SimulatorOptions());
        })
        .compose(twilio -> RetellSimulator.start(vertx, new SimulatorOptions())
            .map(retell -> new Sandbox(twilio, retell, jwtGenerated[0]))
            .recover(err -> twilio.close().transform(v -> Future.failedFuture(err))))
        .map(sandbox -> {
          ConfigLoader.put(config, "twilio.apiBaseUrl", sandbox.twilio.baseUrl());
          ConfigLoader.put(config, "twilio.trunkingBaseUrl", sandbox.twilio.baseUrl());
          ConfigLoader.put(config, "retell.baseUrl", sandbox.retell.baseUrl());
          capDriftPeriod(config);
          return sandbox;
        });
  }

  /**
   * The drift watch's period is at most {@value #DRIFT_PERIOD_SECONDS} s in the sandbox, so that a number broken in
   * the Retell simulator is found (and, under "repair", repaired) while somebody is still looking.
   */
  private static void capDriftPeriod(JsonObject config) {
    if (ProvisioningConfig.DRIFT_PERIOD_SECONDS.get(config) > DRIFT_PERIOD_SECONDS) {
      ConfigLoader.put(config, ProvisioningConfig.DRIFT_PERIOD_SECONDS.path(), DRIFT_PERIOD_SECONDS);
    }
  }

  /** Sets {@code path} when nothing is configured there; true when it did. */
  private static boolean fillIfAbsent(JsonObject config, String path, String value) {
    if (StartupMode.isSet(config, path)) {
      return false;
    }
    ConfigLoader.put(config, path, value);
    return true;
  }

  /**
   * True when the JWT secret is the sandbox's own. Only then may Trunkline mint a token with it: a configured
   * secret is the operator's, and a token signed with it is good wherever that secret is trusted.
   */
  boolean generatedJwtSecret() {
    return generatedJwtSecret;
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
