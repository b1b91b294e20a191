package dev.trunkline.twilio;

import dev.trunkline.contract.ServiceException;
import dev.trunkline.twilio.client.TwilioApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Turns Twilio failures into the {@link ServiceException} codes the gateway maps to HTTP responses.
 *
 * <table>
 *   <tr><td>401 / 20003</td><td>502 TWILIO_UNAUTHORIZED (the stored account no longer works)</td></tr>
 *   <tr><td>404</td><td>404 TWILIO_NOT_FOUND</td></tr>
 *   <tr><td>429 after retries</td><td>429 TWILIO_RATE_LIMITED (details.retryAfterMs when Twilio said)</td></tr>
 *   <tr><td>3xx</td><td>502 TWILIO_REDIRECT (never followed: it would carry the credentials elsewhere)</td></tr>
 *   <tr><td>timeout</td><td>504 TWILIO_TIMEOUT</td></tr>
 *   <tr><td>anything else</td><td>502 TWILIO_ERROR, details.upstreamStatus / details.twilioCode</td></tr>
 * </table>
 */
public final class TwilioFailures {
  /** Twilio's "Authenticate" error code. */
  public static final int AUTHENTICATE = 20003;

  private TwilioFailures() {}

  /** A recover function for Future chains: maps Twilio failures, passes every other failure through. */
  public static <T> Future<T> recover(Throwable err) {
    return Future.failedFuture(map(err));
  }

  public static Throwable map(Throwable err) {
    if (!(err instanceof TwilioApiException e)) {
      return err;
    }
    JsonObject details = new JsonObject().put("operation", e.operation());
    if (e.httpStatus() > 0) {
      details.put("upstreamStatus", e.httpStatus());
    }
    if (e.twilioCode() != null) {
      details.put("twilioCode", e.twilioCode());
    }
    return switch (e.kind()) {
      case TIMEOUT -> new ServiceException(504, "TWILIO_TIMEOUT", e.getMessage(), details);
      case NETWORK, PAGING -> new ServiceException(502, "TWILIO_ERROR", e.getMessage(), details);
      case HTTP -> {
        if (e.httpStatus() >= 300 && e.httpStatus() < 400) {
          yield new ServiceException(502, "TWILIO_REDIRECT", "Twilio answered " + e.httpStatus() + " (a redirect) to "
              + e.operation() + "; redirects are not followed", details);
        }
        if (e.httpStatus() == 401 || e.hasCode(AUTHENTICATE)) {
          yield new ServiceException(502, "TWILIO_UNAUTHORIZED",
              "Twilio rejected the tenant's stored account credentials", details);
        }
        if (e.httpStatus() == 404) {
          yield new ServiceException(404, "TWILIO_NOT_FOUND", "Twilio: " + e.getMessage(), details);
        }
        if (e.httpStatus() == 429) {
          if (e.retryAfterMs() != null) {
            details.put("retryAfterMs", e.retryAfterMs());
          }
          yield new ServiceException(429, "TWILIO_RATE_LIMITED", "Twilio is rate limiting this account", details);
        }
        yield new ServiceException(502, "TWILIO_ERROR", "Twilio " + e.operation() + " failed: " + e.getMessage(),
            details);
      }
    };
  }
}
