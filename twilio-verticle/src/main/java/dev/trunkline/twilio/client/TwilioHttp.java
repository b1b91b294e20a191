package dev.trunkline.twilio.client;

import dev.trunkline.contract.Redaction;
import dev.trunkline.contract.Secret;
import dev.trunkline.contract.retry.AttemptOutcome;
import dev.trunkline.contract.retry.Idempotency;
import dev.trunkline.contract.retry.RetryAfter;
import dev.trunkline.contract.retry.RetryPolicy;
import dev.trunkline.twilio.TwilioConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP to Twilio: Basic auth per account, form-encoded bodies, a timeout on every attempt, retries by the
 * product's {@link RetryPolicy} (a GET or DELETE is idempotent; each POST says whether it is, {@link #post}),
 * Twilio's JSON errors turned into {@link TwilioApiException}, and listings followed across pages up to
 * {@code twilio.maxPages}. One bounded connection pool per upstream.
 *
 * <p>Logs name the operation, the status and the attempt; never a header, a query value or a body, which may
 * hold a token, a password or a phone number. Twilio's own error text is kept (it says what was wrong) but through
 * {@link Redaction#upstreamText}, blanked of every secret the call sent (the token, the Basic auth value, a password
 * in the form) in any encoding, before it is put into an exception.
 *
 * <p>No redirect is followed: it would carry the account's Basic credentials to wherever it points. A 3xx is a
 * failure that names the status, never the {@code Location}.
 */
public final class TwilioHttp {
  private static final Logger LOG = LoggerFactory.getLogger(TwilioHttp.class);

  /**
   * Sees the outcome of every attempt (for metrics, and for tests that check every request Twilio answered):
   * the operation, the HTTP status (0 when there was no answer) and the attempt number (1 = first).
   */
  @FunctionalInterface
  public interface Observer {
    Observer NONE = (operation, method, status, attempt) -> { };

    void onAttempt(String operation, HttpMethod method, int status, int attempt);
  }

  private final Vertx vertx;
  private final TwilioConfig config;
  private final RetryPolicy retryPolicy;
  private final WebClient apiClient;
  private final WebClient trunkingClient;
  private final Observer observer;

  public TwilioHttp(Vertx vertx, TwilioConfig config) {
    this(vertx, config, Observer.NONE);
  }

  public TwilioHttp(Vertx vertx, TwilioConfig config, Observer observer) {
    this.vertx = vertx;
    this.observer = observer == null ? Observer.NONE : observer;
    this.config = config;
    // twilio.maxRetryDelayMs caps both a back-off step and an honoured Retry-After.
    this.retryPolicy = new RetryPolicy(config.maxRetries(), config.retryBaseDelayMs(), config.maxRetryDelayMs(),
        config.maxRetryDelayMs());
    this.apiClient = newClient(vertx, config);
    this.trunkingClient = newClient(vertx, config);
  }

  private static WebClient newClient(Vertx vertx, TwilioConfig config) {
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("trunkline-twilio/1")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.requestTimeoutMs()))
        .setKeepAlive(true)
        // A redirect would re-send the Basic credentials to wherever Location points: a 3xx is a failure.
        .setFollowRedirects(false);
    PoolOptions pool = new PoolOptions()
        .setHttp1MaxSize(config.maxPoolSize())
        .setHttp2MaxSize(Math.max(1, config.maxPoolSize() / 4))
        .setMaxWaitQueueSize(config.maxWaitQueueSize());
    return WebClient.create(vertx, options, pool);
  }

  public void close() {
    apiClient.close();
    trunkingClient.close();
  }

  public Future<JsonObject> get(TwilioHost upstream, String path, Map<String, String> query, TwilioAuth auth,
      String operation) {
    return execute(new Call(HttpMethod.GET, upstream, url(upstream, path), query, null, auth, operation,
        Idempotency.IDEMPOTENT, secrets(auth)), 0, 0);
  }

  /**
   * POST of a form; {@code secretsInForm} are the form's secret values, blanked from Twilio's error text.
   *
   * @param idempotency {@link Idempotency#IDEMPOTENT} for a POST that sets fields of an existing resource (repeated
   *     after a 5xx, a dropped connection or a timeout); {@link Idempotency#NOT_IDEMPOTENT} for one that creates or
   *     buys something (repeated only when Twilio said it did not act: 429, 503)
   */
  public Future<JsonObject> post(TwilioHost upstream, String path, MultiMap form, TwilioAuth auth,
      String operation, Idempotency idempotency, Secret... secretsInForm) {
    return execute(new Call(HttpMethod.POST, upstream, url(upstream, path), Map.of(), form, auth, operation,
        idempotency, secrets(auth, secretsInForm)), 0, 0);
  }

  /** DELETE; succeeds with nothing on 204. */
  public Future<Void> delete(TwilioHost upstream, String path, TwilioAuth auth, String operation) {
    return execute(new Call(HttpMethod.DELETE, upstream, url(upstream, path), Map.of(), null, auth, operation,
        Idempotency.IDEMPOTENT, secrets(auth)), 0, 0).mapEmpty();
  }

  /** What a call sends that Twilio must not get to echo anywhere: the token, its Basic auth value, form secrets. */
  private static List<Secret> secrets(TwilioAuth auth, Secret... inForm) {
    List<Secret> secrets = new ArrayList<>(List.of(auth.authToken(),
        Redaction.basicAuthValue(auth.accountSid(), auth.authToken())));
    secrets.addAll(java.util.Arrays.asList(inForm));
    return List.copyOf(secrets);
  }

  /**
   * Every item of a listing: the first page with {@code PageSize}, then each {@code next_page_uri} (2010 API)
   * or {@code meta.next_page_url} (trunking), at most {@code twilio.maxPages} pages.
   */
  public Future<List<JsonObject>> listAll(TwilioHost upstream, String path, Map<String, String> query,
      String itemsField, TwilioAuth auth, String operation) {
    Map<String, String> first = new java.util.LinkedHashMap<>(query);
    first.put("PageSize", Integer.toString(config.pageSize()));
    List<JsonObject> items = new ArrayList<>();
    return page(new Call(HttpMethod.GET, upstream, url(upstream, path), first, null, auth, operation,
        Idempotency.IDEMPOTENT, secrets(auth)), itemsField, items, 1);
  }

  private Future<List<JsonObject>> page(Call call, String itemsField, List<JsonObject> items, int pageNo) {
    return execute(call, 0, 0).compose(body -> {
      JsonArray array = body.getJsonArray(itemsField, new JsonArray());
      for (int i = 0; i < array.size(); i++) {
        items.add(array.getJsonObject(i));
      }
      String next = nextPage(body);
      if (next == null || array.isEmpty()) {
        return Future.succeededFuture(items);
      }
      if (pageNo >= config.maxPages()) {
        return Future.failedFuture(TwilioApiException.paging(call.operation, config.maxPages()));
      }
      String nextUrl;
      try {
        nextUrl = base(call.upstream) + pathAndQuery(next);
      } catch (IllegalArgumentException unusable) {
        return Future.failedFuture(TwilioApiException.http(call.operation, 502, null,
            "Twilio answered with an unusable next-page link", null, null));
      }
      Call nextCall = new Call(HttpMethod.GET, call.upstream, nextUrl, Map.of(), null, call.auth, call.operation,
          Idempotency.IDEMPOTENT, call.secrets);
      return page(nextCall, itemsField, items, pageNo + 1);
    });
  }

  private static String nextPage(JsonObject body) {
    String next = body.getString("next_page_uri");
    JsonObject meta = body.getJsonObject("meta");
    if ((next == null || next.isBlank()) && meta != null) {
      next = meta.getString("next_page_url");
    }
    return next == null || next.isBlank() ? null : next;
  }

  /**
   * The path and query of a next-page link. The host is always the configured one: a link to anywhere else
   * would carry the account's credentials there.
   */
  static String pathAndQuery(String link) {
    URI uri = URI.create(link);
    String path = uri.getRawPath();
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("unusable next-page link");
    }
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  private String base(TwilioHost upstream) {
    return upstream == TwilioHost.API ? config.apiBaseUrl() : config.trunkingBaseUrl();
  }

  private String url(TwilioHost upstream, String path) {
    return base(upstream) + path;
  }

  /**
   * @param retry the retries {@code maxRetries} counts that were already made
   * @param throttled the 429s retried against the caller's deadline so far (they do not count as retries)
   */
  private Future<JsonObject> execute(Call call, int retry, int throttled) {
    WebClient client = call.upstream == TwilioHost.API ? apiClient : trunkingClient;
    HttpRequest<Buffer> request = client.requestAbs(call.method, call.url)
        .timeout(config.requestTimeoutMs())
        .putHeader("Accept", "application/json")
        .basicAuthentication(call.auth.accountSid(), call.auth.authToken().reveal());
    call.query.forEach(request::addQueryParam);
    Future<HttpResponse<Buffer>> sent = call.form == null ? request.send() : request.sendForm(call.form);
    long started = System.nanoTime();
    return sent
        .andThen(ar -> {
          int status = ar.succeeded() ? ar.result().statusCode() : 0;
          LOG.debug("twilio {} {} -> {} in {} ms (attempt {})", call.method, call.operation, status,
              (System.nanoTime() - started) / 1_000_000, retry + throttled + 1);
          observer.onAttempt(call.operation, call.method, status, retry + throttled + 1);
        })
        .transform(ar -> ar.succeeded() ? interpret(call, ar.result()) : Future.failedFuture(transport(call,
            ar.cause())))
        .recover(err -> {
          if (!(err instanceof TwilioApiException failure)) {
            return Future.failedFuture(err);
          }
          int attempt = retry + throttled + 1;
          RetryPolicy.Decision next = retryPolicy.decide(call.idempotency, outcome(failure), failure.retryAfterMs(),
              retry, throttled, call.auth.deadlineMillis(), System.currentTimeMillis());
          if (!next.retry()) {
            if (failure.kind() != TwilioApiException.Kind.HTTP || failure.httpStatus() >= 500
                || failure.httpStatus() == 429 || failure.httpStatus() < 400) {
              LOG.warn("twilio {} failed after {} attempt(s): {} ({})", call.operation, attempt, failure.toString(),
                  next.reason());
            }
            return Future.failedFuture(failure);
          }
          LOG.info("twilio {} attempt {} failed ({}); retrying in {} ms", call.operation, attempt,
              failure.kind() == TwilioApiException.Kind.HTTP ? failure.httpStatus() : failure.kind(), next.waitMs());
          return vertx.timer(Math.max(1, next.waitMs())).compose(v -> next.counts()
              ? execute(call, retry + 1, throttled) : execute(call, retry, throttled + 1));
        });
  }

  /**
   * What a failed attempt says about repeating it: a 429 (or Twilio's 20429) and a 503 mean Twilio did not act on
   * it; another 5xx, a dropped connection or a timeout leave it unknown; anything else is Twilio's final answer.
   */
  static AttemptOutcome outcome(TwilioApiException failure) {
    return switch (failure.kind()) {
      case HTTP -> failure.isRateLimited() ? AttemptOutcome.RATE_LIMITED
          : failure.httpStatus() == 503 ? AttemptOutcome.NOT_ACTED
          : failure.httpStatus() >= 500 ? AttemptOutcome.UNKNOWN
          : AttemptOutcome.FINAL;
      case NETWORK, TIMEOUT -> AttemptOutcome.UNKNOWN;
      case PAGING -> AttemptOutcome.FINAL;
    };
  }

  private TwilioApiException transport(Call call, Throwable cause) {
    if (cause instanceof TimeoutException) {
      return TwilioApiException.timeout(call.operation, config.requestTimeoutMs());
    }
    return TwilioApiException.network(call.operation, cause);
  }

  private static Future<JsonObject> interpret(Call call, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    Buffer body = response.body();
    if (status >= 200 && status < 300) {
      if (body == null || body.length() == 0) {
        return Future.succeededFuture(new JsonObject());
      }
      try {
        return Future.succeededFuture(body.toJsonObject());
      } catch (DecodeException | ClassCastException e) {
        return Future.failedFuture(TwilioApiException.http(call.operation, 502, null,
            "Twilio answered " + status + " with a body that is not a JSON object", null, null));
      }
    }
    if (status >= 300 && status < 400) {
      // Not Twilio's answer to the call: nothing of its body or Location is kept.
      return Future.failedFuture(TwilioApiException.http(call.operation, status, null,
          "Twilio answered " + status + " (a redirect); redirects are not followed", null, null));
    }
    Integer code = null;
    String message = null;
    String moreInfo = null;
    if (body != null && body.length() > 0) {
      try {
        JsonObject error = body.toJsonObject();
        Object c = error.getValue("code");
        code = c instanceof Number n ? Integer.valueOf(n.intValue()) : null;
        message = error.getValue("message") instanceof String s ? Redaction.upstreamText(s, call.secrets) : null;
        moreInfo = error.getValue("more_info") instanceof String s ? Redaction.upstreamText(s, call.secrets) : null;
      } catch (DecodeException | ClassCastException notJson) {
        // An error page from a proxy: the status is all there is.
      }
    }
    Long retryAfter = RetryAfter.parse(null, response.getHeader("Retry-After"), System.currentTimeMillis());
    return Future.failedFuture(TwilioApiException.http(call.operation, status, code, message, moreInfo, retryAfter));
  }

  /**
   * One request to make, possibly several times. The form may hold a password: never printed. {@code secrets} are
   * what the request carries that must be blanked from Twilio's error text.
   */
  private record Call(HttpMethod method, TwilioHost upstream, String url, Map<String, String> query, MultiMap form,
      TwilioAuth auth, String operation, Idempotency idempotency, List<Secret> secrets) {
    @Override
    public String toString() {
      return "Call[" + method + " " + operation + "]";
    }
  }
}
