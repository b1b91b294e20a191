package dev.trunkline.retell;

import dev.trunkline.contract.Secret;
import dev.trunkline.contract.UriEncoding;
import dev.trunkline.contract.retry.Idempotency;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Retell's phone-number API, one method per call, with the published paths and field names
 * ({@code specs/retell/PHONE_NUMBER_API.md}). Note the two spellings of the credentials: import takes
 * {@code sip_trunk_auth_username}/{@code sip_trunk_auth_password}, update takes
 * {@code auth_username}/{@code auth_password}; an update that used the import names would change nothing.
 *
 * <p>Each method answers Retell's JSON on 2xx and fails with the mapped {@link UpstreamFailures} otherwise.
 * Not final only so that a test can show what verification catches when a client sends the wrong names.
 *
 * <p>Every call is {@link Idempotency#IDEMPOTENT}: reads and deletes are; an update sets the same fields again; and
 * an import is keyed by the number itself, so a repeat cannot import a second one (what Retell answers to a repeat
 * whose first attempt did take effect is settled by {@link ConvergingImport}).
 */
class RetellApi {
  private final RetellHttp http;

  RetellApi(RetellHttp http) {
    this.http = http;
  }

  /** {@code POST /import-phone-number}. */
  Future<JsonObject> importNumber(RequestScope scope, String phoneNumber, ResolvedTarget target,
      String nickname) {
    JsonObject body = new JsonObject()
        .put("phone_number", phoneNumber)
        .put("termination_uri", target.terminationUri())
        .put("sip_trunk_auth_username", target.username())
        .put("sip_trunk_auth_password", target.password().reveal())
        .put("transport", target.transport());
    if (nickname != null && !nickname.isBlank()) {
      body.put("nickname", nickname);
    }
    return object(new UpstreamCall("import", phoneNumber, HttpMethod.POST, Idempotency.IDEMPOTENT,
        "/import-phone-number", Map.of(), body, scope, List.of(scope.apiKey(), target.password())));
  }

  /** {@code PATCH /update-phone-number/{phone_number}}: the outbound trunk's credentials and address. */
  Future<JsonObject> updateSipTrunk(RequestScope scope, String phoneNumber, ResolvedTarget target) {
    JsonObject body = new JsonObject()
        .put("auth_username", target.username())
        .put("auth_password", target.password().reveal())
        .put("termination_uri", target.terminationUri())
        .put("transport", target.transport());
    return object(new UpstreamCall("update", phoneNumber, HttpMethod.PATCH, Idempotency.IDEMPOTENT,
        "/update-phone-number/" + pathSegment(phoneNumber), Map.of(), body, scope,
        List.of(scope.apiKey(), target.password())));
  }

  /** {@code GET /get-phone-number/{phone_number}}. */
  Future<JsonObject> getNumber(RequestScope scope, String phoneNumber) {
    return object(new UpstreamCall("get", phoneNumber, HttpMethod.GET, Idempotency.IDEMPOTENT,
        "/get-phone-number/" + pathSegment(phoneNumber), Map.of(), null, scope, List.of(scope.apiKey())));
  }

  /** {@code GET /v2/list-phone-numbers}: one page; {@code paginationKey} null for the first. */
  Future<JsonObject> listPage(RequestScope scope, int limit, String paginationKey) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("limit", Integer.toString(limit));
    if (paginationKey != null) {
      query.put("pagination_key", paginationKey);
    }
    return object(new UpstreamCall("list", null, HttpMethod.GET, Idempotency.IDEMPOTENT,
        "/v2/list-phone-numbers", query, null, scope, List.of(scope.apiKey())));
  }

  /** {@code DELETE /delete-phone-number/{phone_number}}: answers 204 with no body. */
  Future<Void> deleteNumber(RequestScope scope, String phoneNumber) {
    UpstreamCall call = new UpstreamCall("delete", phoneNumber, HttpMethod.DELETE, Idempotency.IDEMPOTENT,
        "/delete-phone-number/" + pathSegment(phoneNumber), Map.of(), null, scope, List.of(scope.apiKey()));
    return http.send(call).compose(reply -> reply.ok()
        ? Future.<Void>succeededFuture()
        : Future.failedFuture(UpstreamFailures.of(call, reply)));
  }

  /** Sends a call whose 2xx answer must be a JSON object. */
  final Future<JsonObject> object(UpstreamCall call) {
    return http.send(call).compose(reply -> {
      if (!reply.ok()) {
        return Future.failedFuture(UpstreamFailures.of(call, reply));
      }
      if (reply.json() == null) {
        return Future.failedFuture(UpstreamFailures.badReply(call, reply, "a JSON object"));
      }
      return Future.succeededFuture(reply.json());
    });
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters: {@code +} becomes {@code %2B}. */
  static String pathSegment(String value) {
    return UriEncoding.rfc3986(value);
  }

  /** A SIP target checked and completed (scheme dropped, transport defaulted). */
  record ResolvedTarget(String terminationUri, String username, Secret password, String transport) {}
}
