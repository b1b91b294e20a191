package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** How the error mapper tells a client when to come back (what it lets through: contract ClientFailuresTest). */
class ErrorMapperTest {

  @Test
  void retryAfterIsWholeSecondsFromEitherUnit() {
    assertThat(ErrorMapper.retryAfterSeconds(new JsonObject().put("retryAfterSeconds", 7))).isEqualTo(7);
    assertThat(ErrorMapper.retryAfterSeconds(new JsonObject().put("retryAfterMs", 1_200))).isEqualTo(2);
    assertThat(ErrorMapper.retryAfterSeconds(new JsonObject().put("retryAfterMs", 10))).isEqualTo(1);
    assertThat(ErrorMapper.retryAfterSeconds(null)).isEqualTo(1);
  }
}
