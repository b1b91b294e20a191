package dev.trunkline.retell;

import dev.trunkline.contract.Secret;
import dev.trunkline.contract.retry.Idempotency;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * One logical call to Retell (possibly several attempts).
 *
 * @param operation a short name for logs ("import", "update", "get", "list", "delete")
 * @param phoneNumber the number concerned, for logs (null for list)
 * @param method HTTP method
 * @param idempotency whether an attempt whose outcome is unknown may be repeated (every Retell phone-number call is:
 *     see {@link RetellApi})
 * @param path path below the base URL, already encoded
 * @param query query parameters (unencoded values)
 * @param body JSON body, or null
 * @param scope key and request id
 * @param secrets values that must never be echoed from an upstream message (the key, a SIP password)
 */
record UpstreamCall(String operation, String phoneNumber, HttpMethod method, Idempotency idempotency, String path,
    Map<String, String> query, JsonObject body, RequestScope scope, List<Secret> secrets) {}
