package dev.trunkline.simulators;

import dev.trunkline.simulators.TwilioModel.Account;
import dev.trunkline.simulators.TwilioModel.Credential;
import dev.trunkline.simulators.TwilioModel.CredentialList;
import dev.trunkline.simulators.TwilioModel.IncomingNumber;
import dev.trunkline.simulators.TwilioModel.Trunk;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A stateful Twilio on one HTTP port serving both the 2010 API ({@code /2010-04-01/...}: account, SIP credential
 * lists and credentials, incoming and available phone numbers) and Elastic SIP Trunking v1 ({@code /v1/Trunks...}),
 * so {@code TWILIO_API_BASE_URL} and {@code TWILIO_TRUNKING_BASE_URL} can both point at {@link #baseUrl()}.
 *
 * <p>Every API request is authenticated (HTTP Basic with an Account SID and its token; an unknown well-formed SID is
 * created on first use with the token it presents), validated against its operation in the official OpenAPI document
 * (400/21200 when it does not conform), subject to fault injection, and counted. See docs/simulators.md.
 */
public final class TwilioSimulator {

  private final Vertx vertx;
  private final SimulatorOptions options;
  private final TwilioState state = new TwilioState();
  private final Faults faults = new Faults();
  private final RequestLog requests = new RequestLog();
  private HttpSimulatorVerticle verticle;

  private TwilioSimulator(Vertx vertx, SimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
  }

  /** Loads the OpenAPI documents (once per simulator, off the event loop) and starts listening. */
  public static Future<TwilioSimulator> start(Vertx vertx, SimulatorOptions opts) {
    TwilioSimulator sim = new TwilioSimulator(vertx, (opts == null ? new SimulatorOptions() : opts).copy());
    List<TwilioRoute> routes = new ArrayList<>();
    routes.addAll(new TwilioSipRoutes(sim.state).routes());
    routes.addAll(new TwilioNumberRoutes(sim.state).routes());
    routes.addAll(new TwilioTrunkRoutes(sim.state).routes());
    return TwilioOpenApi.load(vertx, templates(routes, TwilioRoute.Spec.API_V2010),
            templates(routes, TwilioRoute.Spec.TRUNKING_V1))
        .compose(openApi -> HttpSimulatorVerticle.deploy(vertx, sim.options, v -> sim.router(routes, openApi)))
        .map(deployed -> {
          sim.verticle = deployed;
          return sim;
        });
  }

  private static Set<String> templates(List<TwilioRoute> routes, TwilioRoute.Spec spec) {
    Set<String> templates = new LinkedHashSet<>();
    routes.stream().filter(r -> r.spec() == spec).forEach(r -> templates.add(r.template()));
    return templates;
  }

  public int port() {
    return verticle.port();
  }

  /** "http://127.0.0.1:<port>" (the bound host when it is not a wildcard address). */
  public String baseUrl() {
    return verticle.baseUrl();
  }

  /** Stops listening (undeploys the simulator's verticle). */
  public Future<Void> close() {
    return verticle == null ? Future.succeededFuture() : verticle.close();
  }

  public Faults faults() {
    return faults;
  }

  public RequestLog requests() {
    return requests;
  }

  /** Forgets all accounts, trunks, lists, numbers (the inventory is whole again), fault rules and counters. */
  public void reset() {
    state.clear();
    faults.clear();
    requests.reset();
  }

  /**
   * Whether the credential {@code username} in the account's credential list has exactly this password (constant-time
   * comparison): how a test proves "a password that works" without any view ever showing one.
   */
  public boolean checkPassword(String accountSid, String credentialListSid, String username, String password) {
    if (password == null) {
      return false;
    }
    synchronized (state) {
      Account account = state.account(accountSid);
      CredentialList list = account == null ? null : account.credentialLists.get(credentialListSid);
      if (list == null) {
        return false;
      }
      for (Credential credential : list.credentials.values()) {
        if (credential.username.equals(username) && credential.password != null) {
          return MessageDigest.isEqual(credential.password.getBytes(StandardCharsets.UTF_8),
              password.getBytes(StandardCharsets.UTF_8));
        }
      }
      return false;
    }
  }

  /**
   * The account's state in one JSON view: {@code trunks} (each with {@code credential_list_sids},
   * {@code origination_urls} and {@code phone_number_sids}), {@code credential_lists} (each with its
   * {@code credentials}, usernames only) and {@code incoming_phone_numbers}. Empty lists for an unknown account.
   */
  public JsonObject state(String accountSid) {
    synchronized (state) {
      Account account = state.account(accountSid);
      return account == null ? emptyState(accountSid) : stateView(account);
    }
  }

  /** The state view of every account, under {@code accounts}. */
  public JsonObject state() {
    JsonArray accounts = new JsonArray();
    synchronized (state) {
      state.accounts().forEach(account -> accounts.add(stateView(account)));
    }
    return new JsonObject().put("accounts", accounts);
  }

  public List<JsonObject> trunks(String accountSid) {
    return list(state(accountSid).getJsonArray("trunks"));
  }

  public List<JsonObject> credentialLists(String accountSid) {
    return list(state(accountSid).getJsonArray("credential_lists"));
  }

  public List<JsonObject> incomingNumbers(String accountSid) {
    return list(state(accountSid).getJsonArray("incoming_phone_numbers"));
  }

  private static List<JsonObject> list(JsonArray array) {
    List<JsonObject> items = new ArrayList<>();
    array.forEach(item -> items.add((JsonObject) item));
    return items;
  }

  private static JsonObject emptyState(String accountSid) {
    return new JsonObject().put("account_sid", accountSid).put("trunks", new JsonArray())
        .put("credential_lists", new JsonArray()).put("incoming_phone_numbers", new JsonArray());
  }

  private JsonObject stateView(Account account) {
    String baseUrl = verticle == null ? "http://127.0.0.1" : baseUrl();
    JsonArray trunks = new JsonArray();
    for (Trunk trunk : account.trunks.values()) {
      JsonArray origins = new JsonArray();
      trunk.originationUrls.values().forEach(o -> origins.add(TwilioViews.originationUrl(trunk, o, baseUrl)));
      JsonArray numbers = new JsonArray();
      account.numbers.values().stream().filter(n -> trunk.sid.equals(n.trunkSid)).forEach(n -> numbers.add(n.sid));
      trunks.add(TwilioViews.trunk(trunk, baseUrl)
          .put("credential_list_sids", new JsonArray(new ArrayList<>(trunk.credentialLists.keySet())))
          .put("origination_urls", origins)
          .put("phone_number_sids", numbers));
    }
    JsonArray lists = new JsonArray();
    for (CredentialList list : account.credentialLists.values()) {
      JsonArray credentials = new JsonArray();
      list.credentials.values().forEach(c -> credentials.add(TwilioViews.credential(account.sid, list, c)));
      lists.add(TwilioViews.credentialList(account.sid, list).put("credentials", credentials));
    }
    JsonArray numbers = new JsonArray();
    for (IncomingNumber number : account.numbers.values()) {
      numbers.add(TwilioViews.incomingNumber(account.sid, number));
    }
    return new JsonObject().put("account_sid", account.sid).put("trunks", trunks).put("credential_lists", lists)
        .put("incoming_phone_numbers", numbers);
  }

  private Router router(List<TwilioRoute> routes, TwilioOpenApi openApi) {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
    AdminRoutes.mountCommon(router, faults, requests, this::reset);
    mountAdmin(router);
    AdminRoutes.mountFallback(router);

    router.route().handler(this::authenticate);
    router.route().handler(faults.handler(vertx, TwilioErrors::write));
    TwilioRequestValidator apiValidator = new TwilioRequestValidator(vertx, openApi.api());
    TwilioRequestValidator trunkingValidator = new TwilioRequestValidator(vertx, openApi.trunking());
    for (TwilioRoute route : routes) {
      TwilioRequestValidator validator = route.spec() == TwilioRoute.Spec.API_V2010 ? apiValidator : trunkingValidator;
      router.route(route.method(), route.routerPath())
          .handler(validator.handler(route.operationId()))
          .handler(accountInPathMatches(route))
          .handler(ctx -> {
            try {
              route.handler().handle(new TwilioCall(ctx));
            } catch (TwilioException e) {
              TwilioErrors.write(ctx, e.status, e.code, e.getMessage());
            }
          });
    }
    router.route().handler(ctx -> TwilioErrors.write(ctx, 404, TwilioErrors.NOT_FOUND,
        "The requested resource " + ctx.normalizedPath() + " was not found"));
    router.errorHandler(500, ctx -> TwilioErrors.write(ctx, 500, TwilioErrors.INTERNAL, null));
    return router;
  }

  /** A 2010 API path names an account: it must be the authenticated one (subaccount access is not simulated). */
  private static Handler<RoutingContext> accountInPathMatches(TwilioRoute route) {
    String param = route.template().contains("{AccountSid}") ? "AccountSid"
        : route.template().startsWith("/2010-04-01/Accounts/{Sid}") ? "Sid" : null;
    return ctx -> {
      Account account = ctx.get(TwilioCall.ACCOUNT_KEY);
      if (param != null && !account.sid.equals(ctx.pathParam(param))) {
        TwilioErrors.write(ctx, 401, TwilioErrors.AUTHENTICATION,
            "The credentials do not grant access to account " + ctx.pathParam(param));
        return;
      }
      ctx.next();
    };
  }

  private void authenticate(RoutingContext ctx) {
    String[] credentials = basicCredentials(ctx.request().getHeader("Authorization"));
    Account account = credentials == null ? null : state.authenticate(credentials[0], credentials[1]);
    requests.record(ctx.request().method().name(), ctx.normalizedPath(), account == null ? null : account.sid);
    if (account == null) {
      ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"Twilio API\"");
      TwilioErrors.write(ctx, 401, TwilioErrors.AUTHENTICATION, "Authenticate");
      return;
    }
    ctx.put(TwilioCall.ACCOUNT_KEY, account);
    ctx.next();
  }

  private static String[] basicCredentials(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void mountAdmin(Router router) {
    String prefix = AdminRoutes.PREFIX;
    router.get(prefix + "/state").handler(ctx -> {
      String account = ctx.queryParams().get("account");
      AdminRoutes.ok(ctx, account == null ? state() : state(account));
    });
    router.post(prefix + "/check-password").handler(ctx -> {
      JsonObject body = AdminRoutes.body(ctx);
      if (body != null) {
        boolean matches = checkPassword(str(body, "accountSid"), str(body, "credentialListSid"),
            str(body, "username"), str(body, "password"));
        AdminRoutes.ok(ctx, new JsonObject().put("matches", matches));
      }
    });
  }

  private static String str(JsonObject body, String field) {
    return body.getValue(field) instanceof String s ? s : null;
  }
}
