package dev.trunkline.gateway;

import dev.trunkline.contract.Identifiers;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Guards the service-only routes with {@code X-Service-Token}. Both sides are hashed first and the digests
 * compared with {@link MessageDigest#isEqual}, so neither the content nor the length of the configured
 * token leaks through timing. No configured token means the routes are closed.
 */
final class ServiceTokenAuth implements Handler<RoutingContext> {
  static final String HEADER = "X-Service-Token";
  private static final String PASSED = "serviceTokenPassed";

  private final byte[] expectedDigest;

  ServiceTokenAuth(String serviceToken) {
    this.expectedDigest = serviceToken == null ? null : sha256(serviceToken);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String offered = ctx.request().getHeader(HEADER);
    if (offered == null || offered.isEmpty()) {
      ctx.fail(ApiErrors.unauthorized("missing " + HEADER));
    } else if (expectedDigest == null || !MessageDigest.isEqual(expectedDigest, sha256(offered))) {
      ctx.fail(ApiErrors.unauthorized("invalid " + HEADER));
    } else {
      ctx.put(PASSED, Boolean.TRUE);
      if (!Identifiers.isSubaccountId(ctx.pathParam("subaccountId"))) {
        ctx.fail(ApiErrors.invalidField("subaccountId", "24 hexadecimal characters"));
      } else {
        ctx.next();
      }
    }
  }

  /** Whether this request presented the service token. */
  static boolean passed(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(PASSED));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
