package dev.trunkline.simulators;

import static dev.trunkline.contract.testing.Await.await;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** A tiny blocking test client for the Twilio simulator: Basic auth, form bodies, like the real Twilio clients. */
final class TwilioClient {

  private final WebClient client;
  private final String baseUrl;
  private final String accountSid;
  private final String token;

  TwilioClient(WebClient client, String baseUrl, String accountSid, String token) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.accountSid = accountSid;
    this.token = token;
  }

  String account() {
    return accountSid;
  }

  /** {@code path} may use {@code $AC} for the account SID. */
  HttpRequest<Buffer> request(HttpMethod method, String path) {
    HttpRequest<Buffer> request = client.requestAbs(method, baseUrl + (accountSid == null ? path : path.replace("$AC", accountSid)))
        .timeout(10_000);
    if (accountSid != null) {
      request.basicAuthentication(accountSid, token);
    }
    return request;
  }

  HttpResponse<Buffer> get(String path) {
    return await(request(HttpMethod.GET, path).send());
  }

  HttpResponse<Buffer> delete(String path) {
    return await(request(HttpMethod.DELETE, path).send());
  }

  /** POST with form parameters given as name, value, name, value... */
  HttpResponse<Buffer> post(String path, String... params) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < params.length; i += 2) {
      form.add(params[i], params[i + 1]);
    }
    return await(request(HttpMethod.POST, path).sendForm(form));
  }
}
