package dev.trunkline.simulators;

import io.vertx.core.http.HttpMethod;

/**
 * One operation the Twilio simulator serves: which official document and path template it comes from (so the
 * document can be pruned to exactly these and the request validated against its operation) and its handler.
 */
record TwilioRoute(Spec spec, HttpMethod method, String template, String operationId, Handler handler) {

  enum Spec { API_V2010, TRUNKING_V1 }

  @FunctionalInterface
  interface Handler {
    void handle(TwilioCall call);
  }

  /** The Vert.x route path for the OpenAPI template: {@code {Sid}} becomes {@code :Sid}. */
  String routerPath() {
    return template.replaceAll("\\{([A-Za-z]+)}", ":$1");
  }

  static TwilioRoute api(HttpMethod method, String template, String operationId, Handler handler) {
    return new TwilioRoute(Spec.API_V2010, method, template, operationId, handler);
  }

  static TwilioRoute trunking(HttpMethod method, String template, String operationId, Handler handler) {
    return new TwilioRoute(Spec.TRUNKING_V1, method, template, operationId, handler);
  }
}
