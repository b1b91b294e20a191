package dev.trunkline.app;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** Mints HS256 bearer tokens for the sandbox's demo tenant (and for tests). */
public final class DevTokens {
  private DevTokens() {}

  public static String mint(Vertx vertx, String jwtSecret, String subject, JsonArray subaccounts,
      int expiresInMinutes) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(jwtSecret)));
    return auth.generateToken(new JsonObject().put("sub", subject).put("subaccounts", subaccounts),
        new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(expiresInMinutes));
  }
}
