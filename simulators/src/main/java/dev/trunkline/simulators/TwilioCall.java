package dev.trunkline.simulators;

import dev.trunkline.simulators.TwilioModel.Account;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * One validated API request as a handler sees it: the authenticated account, the typed form body, path and query
 * parameters, the base URL the client used, and the reply methods.
 */
final class TwilioCall {

  static final String ACCOUNT_KEY = "twilio.account";

  private final RoutingContext ctx;

  TwilioCall(RoutingContext ctx) {
    this.ctx = ctx;
  }

  Account account() {
    return ctx.get(ACCOUNT_KEY);
  }

  String path(String name) {
    return ctx.pathParam(name);
  }

  MultiMap query() {
    return ctx.queryParams();
  }

  String queryParam(String name) {
    return ctx.queryParams().get(name);
  }

  String requestPath() {
    return ctx.normalizedPath();
  }

  JsonObject form() {
    JsonObject form = ctx.get(TwilioRequestValidator.FORM_KEY);
    return form == null ? new JsonObject() : form;
  }

  boolean has(String name) {
    return form().containsKey(name);
  }

  String string(String name) {
    Object value = form().getValue(name);
    return value == null ? null : value.toString();
  }

  /** "http://host:port" as the client addressed us, so links in replies lead back to this simulator. */
  String baseUrl() {
    String authority = ctx.request().authority() == null ? null : ctx.request().authority().toString();
    return "http://" + (authority == null ? "127.0.0.1:" + ctx.request().localAddress().port() : authority);
  }

  void reply(int status, JsonObject body) {
    Replies.json(ctx, status, body);
  }

  void noContent() {
    Replies.noContent(ctx);
  }
}
