package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Optional issuer and audience pinning: real HS256 tokens through the gateway's authenticator. */
@ExtendWith(VertxExtension.class)
class TokenIssuerAudienceTest {
  private static final String SECRET = "issuer-audience-test-secret-0123456789";
  private static final String TENANT = "65a1b2c3d4e5f60718293a4b";

  private static String mint(Vertx vertx, String issuer, String audience) {
    JWTAuth minter = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    JWTOptions options = new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(300);
    if (issuer != null) {
      options.setIssuer(issuer);
    }
    if (audience != null) {
      options.setAudience(List.of(audience));
    }
    return minter.generateToken(new JsonObject().put("sub", "u1").put("subaccounts", new JsonArray().add(TENANT)),
        options);
  }

  private static TokenAuth auth(Vertx vertx, String issuer, String audience) {
    JsonObject gateway = new JsonObject().put("jwtSecret", SECRET);
    if (issuer != null) {
      gateway.put("jwtIssuer", issuer);
    }
    if (audience != null) {
      gateway.put("jwtAudience", audience);
    }
    return new TokenAuth(vertx, GatewayConfig.from(new JsonObject().put("gateway", gateway)));
  }

  @Test
  void pinnedIssuerAndAudienceAcceptOnlyMatchingTokens(Vertx vertx, VertxTestContext ctx) {
    TokenAuth pinned = auth(vertx, "https://id.example", "trunkline");
    Future<Boolean> right = accepted(pinned, mint(vertx, "https://id.example", "trunkline"));
    Future<Boolean> otherIssuer = accepted(pinned, mint(vertx, "https://other.example", "trunkline"));
    Future<Boolean> otherAudience = accepted(pinned, mint(vertx, "https://id.example", "billing"));
    Future<Boolean> none = accepted(pinned, mint(vertx, null, null));
    Future.all(right, otherIssuer, otherAudience, none).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(right.result()).isTrue();
      assertThat(otherIssuer.result()).as("another issuer").isFalse();
      assertThat(otherAudience.result()).as("another audience").isFalse();
      assertThat(none.result()).as("no iss/aud claims").isFalse();
      ctx.completeNow();
    })));
  }

  @Test
  void withoutPinningAnyIssuerIsAccepted(Vertx vertx, VertxTestContext ctx) {
    accepted(auth(vertx, null, null), mint(vertx, "https://other.example", "billing"))
        .onComplete(ctx.succeeding(ok -> ctx.verify(() -> {
          assertThat(ok).isTrue();
          ctx.completeNow();
        })));
  }

  /** True when the token authenticates; a rejection must be the 401 kind, never anything else. */
  private static Future<Boolean> accepted(TokenAuth auth, String token) {
    return auth.authenticate("Bearer " + token).map(caller -> true).recover(err -> {
      assertThat(err.getMessage()).isEqualTo("invalid or expired token");
      return Future.succeededFuture(false);
    });
  }
}
