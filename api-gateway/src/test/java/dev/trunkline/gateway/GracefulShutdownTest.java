package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Json;
import dev.trunkline.contract.TwilioMessages.TrunkStatus;
import dev.trunkline.contract.health.NodeHealth;
import dev.trunkline.contract.testing.Await;
import dev.trunkline.provisioning.ProvisioningVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploying the gateway lets a request in flight finish, and then accepts no more. The order is made, not
 * timed: the service holds the request until the gateway has begun to stop (it no longer accepts connections).
 */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

  @Test
  void aRequestInFlightFinishesWhileTheGatewayStops(Vertx vertx, VertxTestContext test) {
    // A service that holds the trunk-status request until the test lets it answer.
    Promise<Message<Object>> reached = Promise.promise();
    vertx.eventBus().consumer(Addresses.Twilio.TRUNK_STATUS, reached::tryComplete);
    String secret = TrunklineHarness.randomSecret("jwt");
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("gateway", new JsonObject().put("jwtSecret", secret));
    String token = io.vertx.ext.auth.jwt.JWTAuth.create(vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
            .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)))
        .generateToken(new JsonObject().put("sub", "t").put("subaccounts", new io.vertx.core.json.JsonArray().add("*")),
            new io.vertx.ext.auth.JWTOptions().setExpiresInSeconds(60));
    WebClient client = WebClient.create(vertx);
    NetClient connector = vertx.createNetClient();
    // The gateway's one call goes to the provisioning service, whose Twilio call is the held one.
    vertx.deployVerticle(ProvisioningVerticle.class, new DeploymentOptions().setConfig(config))
        .compose(p -> vertx.deployVerticle(GatewayVerticle.class, new DeploymentOptions().setConfig(config)))
        .onComplete(
        test.succeeding(deployment -> {
          int port = (Integer) vertx.sharedData().getLocalMap(GatewayVerticle.PORT_MAP).get(GatewayVerticle.PORT_KEY);
          client.request(HttpMethod.GET, port, "127.0.0.1", "/api/connectors/aaaaaaaaaaaaaaaaaaaaaaaa/twilio/trunk")
              .bearerTokenAuthentication(token).timeout(10_000).send()
              .onComplete(test.succeeding(response -> test.verify(() -> {
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.bodyAsJsonObject().getJsonObject("data").getBoolean("exists")).isTrue();
              })))
              .compose(r -> client.request(HttpMethod.GET, port, "127.0.0.1", "/health/live").timeout(2_000).send())
              .onComplete(test.failing(refused -> test.completeNow()));
          reached.future()
              .compose(request -> {
                vertx.undeploy(deployment);
                return stoppedAccepting(vertx, connector, port).map(request);
              })
              .onComplete(test.succeeding(request -> request.reply(Json.toJson(new TrunkStatus(
                  "aaaaaaaaaaaaaaaaaaaaaaaa", true, null, null, null, null, null, true, true, null, 0, List.of())))));
        }));
  }

  @Test
  void onceTheNodeIsStoppingEachAnswerAsksItsClientToCloseTheConnection(Vertx vertx, VertxTestContext test) {
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("gateway", new JsonObject().put("jwtSecret", TrunklineHarness.randomSecret("jwt")));
    WebClient client = WebClient.create(vertx);
    vertx.deployVerticle(GatewayVerticle.class, new DeploymentOptions().setConfig(config))
        .compose(deployment -> {
          int port = (Integer) vertx.sharedData().getLocalMap(GatewayVerticle.PORT_MAP).get(GatewayVerticle.PORT_KEY);
          return client.request(HttpMethod.GET, port, "127.0.0.1", "/health/live").timeout(5_000).send()
              .compose(serving -> {
                NodeHealth.markStopping(vertx);
                return client.request(HttpMethod.GET, port, "127.0.0.1", "/health/live").timeout(5_000).send()
                    .map(stopping -> List.of(serving, stopping));
              });
        })
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).getHeader("Connection")).as("while serving: keep-alive").isNull();
          assertThat(answers.get(1).statusCode()).as("still answered while stopping").isEqualTo(200);
          assertThat(answers.get(1).getHeader("Connection")).as("while stopping").isEqualTo("close");
          test.completeNow();
        })));
  }

  /** Completes once a new connection to the port is refused: the gateway's shutdown has begun. */
  private static Future<Boolean> stoppedAccepting(Vertx vertx, NetClient connector, int port) {
    return Await.until(vertx, "the stopping gateway to refuse new connections", Duration.ofSeconds(10),
        () -> connector.connect(port, "127.0.0.1")
            .compose(socket -> socket.close().map((Boolean) null))
            .otherwise(refused -> Boolean.TRUE));
  }
}
