package dev.trunkline.retell;

import dev.trunkline.contract.Errors;
import dev.trunkline.contract.RetellMessages.Codes;
import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.retry.AttemptOutcome;
import dev.trunkline.contract.retry.RetryAfter;
import dev.trunkline.contract.retry.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends calls to Retell with everything a well-behaved client does: the per-key rate limit before every
 * attempt, an absolute timeout on every attempt, and retries by the product's {@link RetryPolicy} (exponential
 * back-off with jitter, or the upstream's {@code Retry-After}) for 408/409/429/5xx, connection failures and
 * timeouts, as far as the call's {@link dev.trunkline.contract.retry.Idempotency} allows.
 *
 * <p>A 429 is Retell saying how fast the key may go: it cuts the key's rate and holds its bucket for the
 * {@code Retry-After} ({@link RateLimiter#throttled}), and the request queues again. When the caller said how long
 * it waits (the bus deadline) a 429 is retried for as long as that allows, without using up {@code maxRetries}
 * (which bound retries of failures); otherwise it counts as one of them. Any other answer raises the key's rate.
 *
 * <p>It answers with the final {@link UpstreamReply} whatever its status (mapping statuses to failures is
 * {@link UpstreamFailures}' job); it fails only when no HTTP answer came at all: 504 {@code RETELL_TIMEOUT},
 * 502 {@code RETELL_UNREACHABLE}, or the limiter's 429. Log lines name the operation, number, status,
 * attempt and request id; never the key, never a body.
 */
final class RetellHttp {
  private static final Logger LOG = LoggerFactory.getLogger(RetellHttp.class);

  private final Vertx vertx;
  private final WebClient client;
  private final RateLimiter limiter;
  private final RetellConfig config;
  private final RetryPolicy retryPolicy;
  private final RetellMetrics metrics = RetellMetrics.forVertxRegistry();

  RetellHttp(Vertx vertx, WebClient client, RateLimiter limiter, RetellConfig config) {
    this.vertx = vertx;
    this.client = client;
    this.limiter = limiter;
    this.config = config;
    this.retryPolicy = new RetryPolicy(config.maxRetries(), config.retryBaseDelayMs(), config.retryMaxDelayMs(),
        config.maxRetryAfterMs());
  }

  Future<UpstreamReply> send(UpstreamCall call) {
    return attempt(call, 1, 0);
  }

  /**
   * @param attempt this attempt's number (1 = first)
   * @param retries the retries {@code maxRetries} counts that were already made
   */
  private Future<UpstreamReply> attempt(UpstreamCall call, int attempt, int retries) {
    long started = System.nanoTime();
    long[] sentAt = new long[1];
    return limiter.acquire(call.scope().keyFingerprint(), call.scope().tenant(), call.scope().requestId())
        .compose(v -> {
          sentAt[0] = limiter.now();
          return once(call);
        })
        .transform(ar -> {
          long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
          metrics.attempt(call.operation(), ar);
          if (ar.succeeded()) {
            return onResponse(call, attempt, retries, ar.result(), ms, sentAt[0]);
          }
          return onError(call, attempt, retries, ar.cause(), ms);
        });
  }

  private Future<HttpResponse<Buffer>> once(UpstreamCall call) {
    HttpRequest<Buffer> request = client.requestAbs(call.method(), config.baseUrl() + call.path())
        .bearerTokenAuthentication(call.scope().apiKey().reveal())
        .putHeader("accept", "application/json")
        .connectTimeout(config.requestTimeoutMs())
        .idleTimeout(config.requestTimeoutMs());
    call.query().forEach(request::addQueryParam);
    Future<HttpResponse<Buffer>> sent = call.body() == null ? request.send() : request.sendJsonObject(call.body());
    // idleTimeout only fires on silence; this bounds a slow trickle too.
    return sent.timeout(config.requestTimeoutMs(), TimeUnit.MILLISECONDS);
  }

  private Future<UpstreamReply> onResponse(UpstreamCall call, int attempt, int retries,
      HttpResponse<Buffer> response, long ms, long sentAt) {
    int status = response.statusCode();
    Long retryAfter = RetryAfter.parse(response.getHeader("retry-after-ms"), response.getHeader("retry-after"),
        System.currentTimeMillis());
    if (status != 429) {
      limiter.accepted(call.scope().keyFingerprint());
    }
    AttemptOutcome outcome = outcome(status);
    if (outcome == AttemptOutcome.FINAL) {
      return answer(call, attempt, response, ms, retryAfter);
    }
    RetryPolicy.Decision next = decide(call, outcome, retryAfter, attempt, retries);
    if (status == 429) {
      // Retell's pace: the key's bucket is cut and held (for the Retry-After, else the back-off), retried or not.
      limiter.throttled(call.scope().keyFingerprint(), sentAt, Math.min(next.waitMs(), config.maxRetryAfterMs()));
    }
    if (!next.retry()) {
      LOG.warn("retell {} {} -> {} attempt {} ({} ms): {}, giving up rid={}", call.operation(), number(call), status,
          attempt, ms, next.reason(), call.scope().requestId());
      return Future.succeededFuture(reply(response, retryAfter, attempt));
    }
    int nextRetries = next.counts() ? retries + 1 : retries;
    if (status == 429) {
      // Queued again at once, keeping its turn: the hold delays it.
      LOG.info("retell {} {} -> 429 attempt {} ({} ms): queued again behind a {} ms hold{} rid={}",
          call.operation(), number(call), attempt, ms, next.waitMs(), retryAfter != null ? " (Retry-After)" : "",
          call.scope().requestId());
      return attempt(call, attempt + 1, nextRetries);
    }
    LOG.warn("retell {} {} -> {} attempt {} ({} ms): retrying in {} ms{} rid={}", call.operation(),
        number(call), status, attempt, ms, next.waitMs(), retryAfter != null ? " (Retry-After)" : "",
        call.scope().requestId());
    return after(next.waitMs()).compose(v -> attempt(call, attempt + 1, nextRetries));
  }

  /**
   * What an answer says about a repeat, as Retell's own SDK reads it: 429 is Retell's pace; 408 and 409 (a lock
   * Retell could not take) mean it did not act; a 5xx leaves it unknown; anything else is Retell's answer.
   */
  static AttemptOutcome outcome(int status) {
    if (status == 429) {
      return AttemptOutcome.RATE_LIMITED;
    }
    if (status == 408 || status == 409) {
      return AttemptOutcome.NOT_ACTED;
    }
    return status >= 500 ? AttemptOutcome.UNKNOWN : AttemptOutcome.FINAL;
  }

  /** The policy's decision after attempt {@code attempt}; the attempts before it that were not retries were 429s. */
  private RetryPolicy.Decision decide(UpstreamCall call, AttemptOutcome outcome, Long retryAfter, int attempt,
      int retries) {
    return retryPolicy.decide(call.idempotency(), outcome, retryAfter, retries, attempt - 1 - retries,
        call.scope().deadlineMillis(), System.currentTimeMillis());
  }

  private Future<UpstreamReply> answer(UpstreamCall call, int attempt, HttpResponse<Buffer> response, long ms,
      Long retryAfter) {
    int status = response.statusCode();
    UpstreamReply reply = reply(response, retryAfter, attempt);
    if (reply.ok() || reply.notFound()) {
      // "Not in Retell" is an answer (inspect reports NOT_IN_RETELL, delete is idempotent), not a fault.
      LOG.info("retell {} {} -> {} attempt {} ({} ms) rid={}", call.operation(), number(call), status, attempt,
          ms, call.scope().requestId());
    } else {
      LOG.warn("retell {} {} -> {} attempt {} ({} ms), final rid={}", call.operation(), number(call), status,
          attempt, ms, call.scope().requestId());
    }
    return Future.succeededFuture(reply);
  }

  private Future<UpstreamReply> onError(UpstreamCall call, int attempt, int retries, Throwable error, long ms) {
    if (error instanceof ServiceException refused) {
      // The client-side limiter refused: retrying would only queue again.
      LOG.warn("retell {} {} refused by the client rate limit attempt {} rid={}", call.operation(),
          number(call), attempt, call.scope().requestId());
      return Future.failedFuture(refused);
    }
    boolean timeout = error instanceof TimeoutException;
    String what = timeout ? "timed out" : "connection failed (" + error.getClass().getSimpleName() + ")";
    RetryPolicy.Decision next = decide(call, AttemptOutcome.UNKNOWN, null, attempt, retries);
    if (next.retry()) {
      LOG.warn("retell {} {} {} attempt {} ({} ms): retrying in {} ms rid={}", call.operation(), number(call),
          what, attempt, ms, next.waitMs(), call.scope().requestId());
      return after(next.waitMs()).compose(v -> attempt(call, attempt + 1, retries + 1));
    }
    LOG.warn("retell {} {} {} attempt {} ({} ms), final ({}) rid={}", call.operation(), number(call), what, attempt,
        ms, next.reason(), call.scope().requestId());
    JsonObject details = new JsonObject().put("attempts", attempt);
    if (timeout) {
      return Future.failedFuture(new ServiceException(Errors.GATEWAY_TIMEOUT, Codes.TIMEOUT,
          "Retell did not answer within " + config.requestTimeoutMs() + " ms (" + attempt + " attempts)",
          details));
    }
    return Future.failedFuture(new ServiceException(Errors.BAD_GATEWAY, Codes.UNREACHABLE,
        "Retell could not be reached (" + attempt + " attempts)", details));
  }

  private static UpstreamReply reply(HttpResponse<Buffer> response, Long retryAfter, int attempts) {
    Buffer body = response.body();
    boolean present = body != null && body.length() > 0;
    JsonObject json = null;
    if (present) {
      try {
        Object parsed = io.vertx.core.json.Json.decodeValue(body);
        json = parsed instanceof JsonObject o ? o : null;
      } catch (DecodeException notJson) {
        json = null;
      }
    }
    return new UpstreamReply(response.statusCode(), json, present,
        retryAfter, attempts);
  }

  private Future<Void> after(long delayMs) {
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(Math.max(1, delayMs), id -> promise.complete());
    return promise.future();
  }

  private static String number(UpstreamCall call) {
    return call.phoneNumber() == null ? "-" : call.phoneNumber();
  }
}
