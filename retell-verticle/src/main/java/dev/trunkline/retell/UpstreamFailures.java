package dev.trunkline.retell;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.Redaction;
import dev.trunkline.contract.ServiceException;
import io.vertx.core.json.JsonObject;

/**
 * Turns a final non-2xx answer of Retell into the failure the bus carries. "Not in Retell" is Retell's 422
 * "Cannot find requested asset under given api key." (or a 404), see {@link UpstreamReply#notFound()}; any other
 * 400 or 422 is a rejection that carries Retell's message. Every such failure has
 * {@code details.upstreamStatus} (the last status seen) and {@code details.attempts}.
 *
 * <p>Retell's own error text is passed on (it says what was wrong with the input) but through
 * {@link Redaction#upstreamText}: every secret of the call blanked in any encoding, control characters flattened,
 * cut short; an upstream may echo a field or a header back.
 *
 * <p>A 3xx is a failure of its own: the client never follows a redirect (it would carry the API key to wherever
 * it points), and the failure names the status only, never the {@code Location}.
 */
final class UpstreamFailures {
  private UpstreamFailures() {}

  static ServiceException of(UpstreamCall call, UpstreamReply reply) {
    int status = reply.status();
    JsonObject details = new JsonObject().put("upstreamStatus", status).put("attempts", reply.attempts());
    String subject = call.phoneNumber() == null ? "the request" : call.phoneNumber();
    if (status >= 300 && status < 400) {
      // Nothing of a redirect's body or Location is passed on: it is not Retell's answer to the call.
      return new ServiceException(Errors.BAD_GATEWAY, Codes.REDIRECT,
          "Retell answered " + status + " (a redirect) to " + call.operation() + " for " + subject
              + "; redirects are not followed", details);
    }
    String upstream = upstreamMessage(call, reply);
    if (upstream != null) {
      details.put("upstreamMessage", upstream);
    }
    if (reply.notFound()) {
      return new ServiceException(Errors.NOT_FOUND, Codes.NOT_FOUND,
          "phone number " + subject + " is not in Retell", details);
    }
    return switch (status) {
      case 401, 403 -> new ServiceException(Errors.BAD_GATEWAY, Codes.UNAUTHORIZED,
          "Retell refused the API key (" + status + ")", details);
      case 429 -> {
        if (reply.retryAfterMs() != null) {
          details.put("retryAfterMs", reply.retryAfterMs());
        }
        yield new ServiceException(Errors.TOO_MANY_REQUESTS, Codes.RATE_LIMITED,
            "Retell is rate limiting this API key (gave up after " + reply.attempts() + " attempts)", details);
      }
      case 409 -> new ServiceException(Errors.CONFLICT, Codes.CONFLICT,
          "Retell reports a conflict for " + subject + suffix(upstream), details);
      case 400, 422 -> new ServiceException(Errors.UNPROCESSABLE, Codes.REJECTED,
          "Retell rejected the request for " + subject + suffix(upstream), details);
      default -> new ServiceException(Errors.BAD_GATEWAY, Codes.ERROR,
          "Retell answered " + status + " for " + subject + " after " + reply.attempts() + " attempts", details);
    };
  }

  /** A 2xx whose body is not the documented JSON object. */
  static ServiceException badReply(UpstreamCall call, UpstreamReply reply, String what) {
    return new ServiceException(Errors.BAD_GATEWAY, Codes.BAD_REPLY,
        "Retell's reply to " + call.operation() + " is not " + what,
        new JsonObject().put("upstreamStatus", reply.status()).put("attempts", reply.attempts()));
  }

  private static String suffix(String upstream) {
    return upstream == null ? "" : ": " + upstream;
  }

  private static String upstreamMessage(UpstreamCall call, UpstreamReply reply) {
    if (reply.json() == null) {
      return null;
    }
    Object raw = reply.json().getValue("message", reply.json().getValue("error_message",
        reply.json().getValue("error")));
    if (!(raw instanceof String text)) {
      return null;
    }
    return Redaction.upstreamText(text, call.secrets());
  }
}
