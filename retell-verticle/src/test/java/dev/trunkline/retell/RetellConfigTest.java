package dev.trunkline.retell;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.RetellMessages.KeyVerified;
import dev.trunkline.contract.RetellMessages.VerifyKey;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RetellConfigTest {
  @Test
  void emptyConfigurationGivesTheDocumentedDefaults() {
    RetellConfig config = RetellConfig.from(new JsonObject());
    assertThat(config.baseUrl()).isEqualTo("https://api.retellai.com");
    assertThat(config.defaultApiKey()).isNull();
    assertThat(config.transport()).isEqualTo("TCP");
    assertThat(config.requestTimeoutMs()).as("the default the launcher loads, too").isEqualTo(4_000);
    assertThat(config.maxRetries()).isEqualTo(2);
    assertThat(config.maxPoolSize()).isEqualTo(32);
    assertThat(config.rateLimitPerSecond()).isEqualTo(1_000.0);
    assertThat(config.rateLimitMinPerSecond()).isEqualTo(1.0);
    assertThat(config.rateLimitDecreaseFactor()).isEqualTo(0.7);
    assertThat(config.rateLimitIncreasePerSecond()).isEqualTo(2.0);
    assertThat(config.rateLimitBurst()).isEqualTo(20);
    assertThat(config.rateLimitMaxQueue()).isEqualTo(200);
    assertThat(config.sharedBudgetSyncMs()).isEqualTo(500);
  }

  @Test
  void trailingSlashIsDroppedAndTheKeyNeverPrinted() {
    RetellConfig config = RetellConfig.from(new JsonObject().put("retell", new JsonObject()
        .put("baseUrl", "http://127.0.0.1:9/").put("defaultApiKey", Fixture.DEFAULT_KEY).put("transport", "tls")));
    assertThat(config.baseUrl()).isEqualTo("http://127.0.0.1:9");
    assertThat(config.transport()).isEqualTo("TLS");
    assertThat(config.defaultApiKey().reveal()).isEqualTo(Fixture.DEFAULT_KEY);
    assertNoSecret("RetellConfig.toString()", config.toString(), "the default API key", Fixture.DEFAULT_KEY);
    assertThat(config.toString()).contains("defaultApiKey=set");
  }

  @Test
  void nonsenseIsRefusedWithTheKeyNamed() {
    assertThatThrownBy(() -> RetellConfig.from(new JsonObject().put("retell",
        new JsonObject().put("rateLimitPerSecond", 0)))).hasMessageContaining("retell.rateLimitPerSecond");
    assertThatThrownBy(() -> RetellConfig.from(new JsonObject().put("retell",
        new JsonObject().put("transport", "SCTP")))).hasMessageContaining("retell.transport");
    assertThatThrownBy(() -> RetellConfig.from(new JsonObject().put("retell",
        new JsonObject().put("maxRetries", -1)))).hasMessageContaining("retell.maxRetries");
    assertThatThrownBy(() -> RetellConfig.from(new JsonObject().put("retell",
        new JsonObject().put("rateLimitDecreaseFactor", 1.5)))).hasMessageContaining("retell.rateLimitDecreaseFactor");
    assertThatThrownBy(() -> RetellConfig.from(new JsonObject().put("retell",
        new JsonObject().put("sharedBudgetSyncMs", 10)))).hasMessageContaining("retell.sharedBudgetSyncMs");
  }

  @Test
  void aVerticleWithABadConfigurationDoesNotDeployAndServesNothing(Vertx vertx, VertxTestContext ctx) {
    JsonObject bad = new JsonObject().put("retell", new JsonObject().put("maxPoolSize", 0));
    Fixture.deploy(vertx, bad, 1)
        .onComplete(ctx.failing(err -> Bus.request(vertx, Addresses.Retell.KEY_VERIFY,
                new VerifyKey(Fixture.key()), KeyVerified.class, 2_000, null)
            .onComplete(ctx.failing(noConsumer -> ctx.verify(() -> {
              assertThat(err).hasMessageContaining("retell.maxPoolSize");
              assertThat(((ServiceException) noConsumer).status()).isEqualTo(503);
              ctx.completeNow();
            })))));
  }
}
