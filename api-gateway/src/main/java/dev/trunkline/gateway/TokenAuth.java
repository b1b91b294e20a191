package dev.trunkline.gateway;

import dev.trunkline.contract.Identifiers;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Bearer-token authentication and tenant isolation for the tenant routes.
 *
 * <p>A token is accepted when its signature verifies (HS256 with the shared secret, or RS256 with one of the
 * configured public keys), it has not expired, and it carries {@code sub}, {@code exp} and
 * {@code subaccounts}, and, when {@code gateway.jwtIssuer} / {@code gateway.jwtAudience} are configured, the
 * matching {@code iss} / {@code aud}; a registered claim of the wrong JSON type makes a token malformed. Anything
 * else is a 401, never a 403: a 403 means "you are someone, but not allowed here", which is only true when a
 * valid token names other tenants than the path's.
 */
final class TokenAuth implements Handler<RoutingContext> {
  private static final String CALLER = "caller";
  private static final List<String> TIME_CLAIMS = List.of("exp", "nbf", "iat");
  private static final List<String> STRING_CLAIMS = List.of("iss", "sub", "jti");

  private final JWTAuth jwt;

  TokenAuth(Vertx vertx, GatewayConfig config) {
    JWTAuthOptions options = new JWTAuthOptions();
    if (config.jwtSecret() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret()));
    }
    for (String pem : config.rs256PublicKeys()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem));
    }
    // Where the identity provider issues tokens for several services, pin ours: a token minted for another
    // audience, or by another issuer sharing the key, is then a 401 here.
    if (config.jwtIssuer() != null || config.jwtAudience() != null) {
      io.vertx.ext.auth.JWTOptions verify = new io.vertx.ext.auth.JWTOptions();
      if (config.jwtIssuer() != null) {
        verify.setIssuer(config.jwtIssuer());
      }
      if (config.jwtAudience() != null) {
        verify.setAudience(List.of(config.jwtAudience()));
      }
      options.setJWTOptions(verify);
    }
    // With no key configured every token fails verification: the API is closed, not open.
    this.jwt = options.getPubSecKeys() == null || options.getPubSecKeys().isEmpty() ? null
        : JWTAuth.create(vertx, options);
  }

  @Override
  public void handle(RoutingContext ctx) {
    authenticate(ctx.request().getHeader("Authorization"))
        .onSuccess(caller -> {
          // Authenticated from here on, even if not for this tenant (the per-address limit counts only requests
          // that did not authenticate).
          ctx.put(CALLER, caller);
          String tenant = ctx.pathParam("subaccountId");
          if (!Identifiers.isSubaccountId(tenant)) {
            ctx.fail(ApiErrors.invalidField("subaccountId", "24 hexadecimal characters"));
          } else if (!caller.mayAct(tenant)) {
            ctx.fail(ApiErrors.forbidden("this token does not grant access to subaccount " + tenant));
          } else {
            ctx.next();
          }
        })
        .onFailure(ctx::fail);
  }

  Future<Caller> authenticate(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return Future.failedFuture(ApiErrors.unauthorized("missing bearer token"));
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
      return Future.failedFuture(ApiErrors.unauthorized("Authorization must be 'Bearer <token>'"));
    }
    if (jwt == null) {
      return Future.failedFuture(ApiErrors.unauthorized("token authentication is not configured"));
    }
    String token = authorization.substring(7).trim();
    Future<io.vertx.ext.auth.User> verified;
    try {
      verified = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // The provider reads registered claims with typed getters after the signature checks out: a correctly signed
      // token whose exp is a string throws here instead of failing the future. The signer's mistake is a 401.
      verified = Future.failedFuture(e);
    }
    return verified
        // The provider's reason may quote token parts; the client gets one fixed sentence.
        .recover(err -> Future.failedFuture(
            ApiErrors.unauthorized("invalid or expired token")))
        .compose(user -> toCaller(claims(user)));
  }

  /**
   * The registered claims (RFC 7519, section 4.1) this gateway or its JWT provider reads must have their registered
   * JSON type when present: times are numbers, {@code iss}, {@code sub} and {@code jti} strings, {@code aud} a
   * string or an array of strings. A token that says otherwise is malformed, whoever signed it.
   *
   * @return the first malformed claim's name, or null
   */
  static String malformedRegisteredClaim(JsonObject claims) {
    for (String time : TIME_CLAIMS) {
      Object value = claims.getValue(time);
      if (value != null && !(value instanceof Number)) {
        return time;
      }
    }
    for (String text : STRING_CLAIMS) {
      Object value = claims.getValue(text);
      if (value != null && !(value instanceof String)) {
        return text;
      }
    }
    Object aud = claims.getValue("aud");
    if (aud instanceof JsonArray array) {
      for (Object one : array) {
        if (!(one instanceof String)) {
          return "aud";
        }
      }
    } else if (aud != null && !(aud instanceof String)) {
      return "aud";
    }
    return null;
  }

  /**
   * The token's claims. The JWT provider keeps the decoded payload under the {@code accessToken} attribute and
   * lifts the registered time claims ({@code exp}, {@code iat}) to the attributes' root.
   */
  private static JsonObject claims(io.vertx.ext.auth.User user) {
    JsonObject attributes = user.attributes() == null ? new JsonObject() : user.attributes();
    JsonObject claims = attributes.getJsonObject("accessToken", user.principal()).copy();
    if (!claims.containsKey("exp") && attributes.containsKey("exp")) {
      claims.put("exp", attributes.getValue("exp"));
    }
    return claims;
  }

  private static Future<Caller> toCaller(JsonObject claims) {
    String malformed = malformedRegisteredClaim(claims);
    if (malformed != null) {
      return Future.failedFuture(ApiErrors.unauthorized("token claim " + malformed + " is malformed"));
    }
    Object sub = claims.getValue("sub");
    Object exp = claims.getValue("exp");
    Object subaccounts = claims.getValue("subaccounts");
    if (!(sub instanceof String s) || s.isBlank()) {
      return Future.failedFuture(ApiErrors.unauthorized("token has no subject (sub)"));
    }
    if (!(exp instanceof Number)) {
      return Future.failedFuture(ApiErrors.unauthorized("token has no expiry (exp)"));
    }
    if (!(subaccounts instanceof JsonArray array)) {
      return Future.failedFuture(ApiErrors.unauthorized("token has no subaccounts claim"));
    }
    Set<String> ids = new HashSet<>();
    for (Object id : array) {
      if (!(id instanceof String str) || !(Caller.ANY.equals(str) || Identifiers.isSubaccountId(str))) {
        return Future.failedFuture(ApiErrors.unauthorized("token subaccounts claim is malformed"));
      }
      ids.add(str.toLowerCase(Locale.ROOT));
    }
    return Future.succeededFuture(new Caller(s, Set.copyOf(ids)));
  }

  static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }
}
