package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trunkline.store.StoreConfig;
import dev.trunkline.twilio.TwilioConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  void defaultsApplyWhenNothingElseIsGiven(Vertx vertx, VertxTestContext ctx) {
    ConfigLoader.load(vertx, null, Map.of(), Map.of()).onComplete(ctx.succeeding(config -> ctx.verify(() -> {
      assertThat(config.getJsonObject("http").getInteger("port")).isEqualTo(8080);
      assertThat(config.getString("dataDir")).isEqualTo("./data");
      assertThat(ConfigLoader.get(config, "mongo.uri")).isNull();
      assertThat(ConfigLoader.get(config, "provisioning.fixConcurrency")).isEqualTo(32);
      ctx.completeNow();
    })));
  }

  @Test
  void yamlOverridesDefaultsEnvOverridesYamlSystemPropertiesOverrideEnv(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path yaml = dir.resolve("trunkline.yaml");
    Files.writeString(yaml, """
        http:
          port: 9000
          host: 127.0.0.1
        dataDir: /from/yaml
        provisioning:
          fixConcurrency: 8
        retell:
          baseUrl: http://yaml.example
        """);
    Map<String, String> env = Map.of(
        "TRUNKLINE_HTTP_PORT", "9100",
        "TRUNKLINE_DATA_DIR", "/from/env",
        "RETELL_BASE_URL", "http://env.example");
    Map<String, String> sys = Map.of("trunkline.http.port", "9200", "unrelated.property", "x");
    ConfigLoader.load(vertx, yaml.toString(), env, sys).onComplete(ctx.succeeding(config -> ctx.verify(() -> {
      assertThat(ConfigLoader.get(config, "http.port")).isEqualTo(9200);          // sys > env > yaml
      assertThat(ConfigLoader.get(config, "http.host")).isEqualTo("127.0.0.1");   // yaml > default
      assertThat(config.getString("dataDir")).isEqualTo("/from/env");             // env > yaml
      assertThat(ConfigLoader.get(config, "provisioning.fixConcurrency")).isEqualTo(8); // yaml > default
      assertThat(ConfigLoader.get(config, "retell.baseUrl")).isEqualTo("http://env.example");
      assertThat(ConfigLoader.get(config, "bus.timeoutMs")).isEqualTo(30000L);    // untouched default
      assertThat(config.containsKey("unrelated")).isFalse();
      ctx.completeNow();
    })));
  }

  @Test
  void configFileFromEnvironmentIsUsedWithoutFlag(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path yaml = dir.resolve("env.yaml");
    Files.writeString(yaml, "http:\n  port: 7070\n");
    ConfigLoader.load(vertx, null, Map.of("TRUNKLINE_CONFIG", yaml.toString()), Map.of())
        .onComplete(ctx.succeeding(config -> ctx.verify(() -> {
          assertThat(ConfigLoader.get(config, "http.port")).isEqualTo(7070);
          ctx.completeNow();
        })));
  }

  @Test
  void missingConfigFileIsAClearError(Vertx vertx, VertxTestContext ctx) {
    ConfigLoader.load(vertx, dir.resolve("nope.yaml").toString(), Map.of(), Map.of())
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err.getMessage()).contains("configuration file not found").contains("nope.yaml");
          ctx.completeNow();
        })));
  }

  @Test
  void nonNumericPortIsRejectedNamingTheVariable(Vertx vertx, VertxTestContext ctx) {
    ConfigLoader.load(vertx, null, Map.of("TRUNKLINE_HTTP_PORT", "eighty"), Map.of())
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err.getMessage()).contains("TRUNKLINE_HTTP_PORT").contains("eighty");
          ctx.completeNow();
        })));
  }

  @Test
  void anUnknownKeyInTheFileStopsTheStartNamingIt(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path yaml = dir.resolve("typo.yaml");
    Files.writeString(yaml, "retell:\n  requestTimeoutMS: 4000\nhttp:\n  port: 9000\n");
    ConfigLoader.load(vertx, yaml.toString(), Map.of(), Map.of())
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("unknown key retell.requestTimeoutMS");
          ctx.completeNow();
        })));
  }

  @Test
  void aMistypedValueStopsTheStartNamingTheKeyAndWhatItExpects(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path yaml = dir.resolve("mistyped.yaml");
    Files.writeString(yaml, "provisioning:\n  fixConcurrency: lots\n");
    ConfigLoader.load(vertx, yaml.toString(), Map.of(), Map.of())
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("provisioning.fixConcurrency must be a whole number, got the string 'lots'");
          ctx.completeNow();
        })));
  }

  @Test
  void systemPropertiesAreTypedByTheirKeyAndUnknownOnesAreRefused() {
    JsonObject config = ConfigLoader.applyOverrides(new JsonObject(), Map.of(),
        Map.of("trunkline.retell.rateLimitPerSecond", "40", "trunkline.twilio.requestTimeoutMs", "2500"));
    assertThat(ConfigLoader.get(config, "retell.rateLimitPerSecond")).isEqualTo(40.0);
    assertThat(ConfigLoader.get(config, "twilio.requestTimeoutMs")).isEqualTo(2500L);
    JsonObject route = ConfigLoader.applyOverrides(new JsonObject(), Map.of(),
        Map.of("trunkline.gateway.rateLimit.routes.getTrunk", "60"));
    assertThat(dev.trunkline.gateway.GatewayConfig.from(route).requestsPerMinute("getTrunk")).isEqualTo(60);
    assertThatThrownBy(() -> ConfigLoader.applyOverrides(new JsonObject(), Map.of(),
        Map.of("trunkline.retell.requestTimeout", "4000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown configuration key retell.requestTimeout");
    assertThatThrownBy(() -> ConfigLoader.applyOverrides(new JsonObject(), Map.of(),
        Map.of("trunkline.cluster.enabled", "yes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("-Dtrunkline.cluster.enabled must be true or false, got 'yes'");
  }

  @Test
  void theFormerBusTimeoutNamesAreReadAsBusTimeoutMs(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path yaml = dir.resolve("legacy.yaml");
    Files.writeString(yaml, "gateway:\n  busTimeoutMs: 12000\n  fixConcurrency: 5\n");
    ConfigLoader.load(vertx, yaml.toString(), Map.of(), Map.of())
        .onComplete(ctx.succeeding(config -> ctx.verify(() -> {
          assertThat(ConfigLoader.get(config, "bus.timeoutMs")).isEqualTo(12000L);
          assertThat(ConfigLoader.get(config, "gateway.busTimeoutMs")).isNull();
          assertThat(dev.trunkline.provisioning.ProvisioningConfig.from(config).busTimeoutMs()).isEqualTo(12000);
          assertThat(dev.trunkline.provisioning.ProvisioningConfig.from(config).fixConcurrency()).isEqualTo(5);
          assertThat(TwilioConfig.from(config).busTimeoutMs()).isEqualTo(12000);
          ctx.completeNow();
        })));
  }

  @Test
  void plainTextAdoptionIsOffUnlessTheVariableSaysTrue() {
    assertThat(StoreConfig.from(withKeys(Map.of())).adoptLegacyPlaintext()).isFalse();
    assertThat(StoreConfig.from(withKeys(Map.of("TRUNKLINE_ADOPT_LEGACY_PLAINTEXT", "true"))).adoptLegacyPlaintext())
        .isTrue();
    assertThatThrownBy(() -> withKeys(Map.of("TRUNKLINE_ADOPT_LEGACY_PLAINTEXT", "yes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TRUNKLINE_ADOPT_LEGACY_PLAINTEXT must be true or false, got 'yes'");
  }

  private static JsonObject withKeys(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("TRUNKLINE_KEYS", "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
    return ConfigLoader.applyOverrides(ConfigLoader.defaults(), all, Map.of());
  }

  @Test
  void everyDocumentedVariableIsInTheReadmeTable() throws Exception {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme);
    for (ConfigLoader.EnvSetting s : ConfigLoader.ENVIRONMENT) {
      assertThat(text).as("README documents " + s.variable()).contains("`" + s.variable() + "`");
    }
  }

  @Test
  void theOriginationUrlCarriesRetellsTransportOneKnobForBothDirections() {
    assertThat(TwilioConfig.from(ConfigLoader.defaults()).originationSipUrl())
        .isEqualTo("sip:sip.retellai.com;transport=tcp");
    JsonObject udp = ConfigLoader.applyOverrides(ConfigLoader.defaults(), Map.of(),
        Map.of("trunkline.retell.transport", "UDP"));
    assertThat(TwilioConfig.from(udp).originationSipUrl()).isEqualTo("sip:sip.retellai.com;transport=udp");
  }

  @Test
  void sandboxIsChosenOnlyWithoutUpstreamUrls() {
    JsonObject config = ConfigLoader.defaults();
    assertThat(Trunkline.isSandbox(config)).isTrue();
    ConfigLoader.put(config, "retell.baseUrl", "https://api.retellai.com");
    assertThat(Trunkline.isSandbox(config)).isFalse();
    config.put("mode", "sandbox");
    assertThat(Trunkline.isSandbox(config)).isTrue();
  }
}
