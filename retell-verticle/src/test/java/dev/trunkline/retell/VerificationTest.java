package dev.trunkline.retell;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static dev.trunkline.retell.Fixture.KEY;
import static dev.trunkline.retell.Fixture.N1;
import static dev.trunkline.retell.Fixture.N3;
import static dev.trunkline.retell.Fixture.PASSWORD;
import static dev.trunkline.retell.Fixture.TRUNK;
import static dev.trunkline.retell.Fixture.USERNAME;
import static dev.trunkline.retell.Fixture.failure;
import static dev.trunkline.retell.Fixture.key;
import static dev.trunkline.retell.Fixture.request;
import static dev.trunkline.retell.Fixture.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses.Retell;
import dev.trunkline.contract.RetellMessages.SyncNumber;
import dev.trunkline.contract.RetellMessages.SyncResult;
import dev.trunkline.contract.retry.Idempotency;
import dev.trunkline.contract.testing.NoSecretsLogged;
import dev.trunkline.retell.RetellApi.ResolvedTarget;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verification catches an update Retell did not apply. The simulator behaves as Retell does (a PATCH ignores
 * fields it does not know, an import without {@code sip_trunk_auth_username} stores an empty username); the
 * defect is planted in the client, as the origin service had it: it sent the import names to the update call.
 * The verticle around that client must report the failure instead of the success the origin service claimed.
 */
@ExtendWith(VertxExtension.class)
class VerificationTest {
  @RegisterExtension
  static final NoSecretsLogged LOGS = new NoSecretsLogged(Fixture.SECRETS);

  private RetellSimulator sim;

  /** The origin service's mistake: update with the import names, import with the update names. */
  static final class SwappedNamesClient extends RetellApi {
    SwappedNamesClient(RetellHttp http) {
      super(http);
    }

    @Override
    Future<JsonObject> updateSipTrunk(RequestScope scope, String phoneNumber, ResolvedTarget target) {
      JsonObject body = new JsonObject()
          .put("sip_trunk_auth_username", target.username())
          .put("sip_trunk_auth_password", target.password().reveal())
          .put("termination_uri", target.terminationUri())
          .put("transport", target.transport());
      return object(new UpstreamCall("update", phoneNumber, HttpMethod.PATCH, Idempotency.IDEMPOTENT,
          "/update-phone-number/" + pathSegment(phoneNumber), Map.of(), body, scope,
          List.of(scope.apiKey(), target.password())));
    }

    @Override
    Future<JsonObject> importNumber(RequestScope scope, String phoneNumber, ResolvedTarget target,
        String nickname) {
      JsonObject body = new JsonObject()
          .put("phone_number", phoneNumber)
          .put("termination_uri", target.terminationUri())
          .put("auth_username", target.username())
          .put("auth_password", target.password().reveal())
          .put("transport", target.transport());
      return object(new UpstreamCall("import", phoneNumber, HttpMethod.POST, Idempotency.IDEMPOTENT,
          "/import-phone-number", Map.of(),
          body, scope, List.of(scope.apiKey(), target.password())));
    }
  }

  /** Updates the credentials but forgets the termination URI. */
  static final class NoUriClient extends RetellApi {
    NoUriClient(RetellHttp http) {
      super(http);
    }

    @Override
    Future<JsonObject> updateSipTrunk(RequestScope scope, String phoneNumber, ResolvedTarget target) {
      JsonObject body = new JsonObject()
          .put("auth_username", target.username())
          .put("auth_password", target.password().reveal());
      return object(new UpstreamCall("update", phoneNumber, HttpMethod.PATCH, Idempotency.IDEMPOTENT,
          "/update-phone-number/" + pathSegment(phoneNumber), Map.of(), body, scope,
          List.of(scope.apiKey(), target.password())));
    }
  }

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    Fixture.simulator(vertx).onComplete(ctx.succeeding(s -> {
      sim = s;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    sim.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anUpdateWithTheImportNamesIsCaughtAsAMismatch(Vertx vertx, VertxTestContext ctx) {
    sim.seedBroken(KEY, N1, TRUNK);
    Fixture.deploy(vertx, () -> new RetellVerticle(SwappedNamesClient::new), Fixture.config(sim.baseUrl()), 1)
        .compose(id -> request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N1, target(), false, null),
            SyncResult.class))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_VERIFY_MISMATCH", se -> {
          assertNoSecret("the mismatch's message", se.getMessage(), "the SIP password", PASSWORD);
          assertThat(se.details().getString("field")).isEqualTo("auth_username");
          assertThat(se.details().getString("expected")).isEqualTo(USERNAME);
          assertThat(se.details().getString("actual")).isEmpty();
          assertThat(se.getMessage()).contains(N1);
          // Retell answered 200 and changed nothing: the number is still broken, as reported.
          assertThat(sim.requests().count("PATCH", "/update-phone-number/*")).isEqualTo(1);
          assertThat(sim.number(KEY, N1).orElseThrow().getJsonObject("sip_outbound_trunk_config")
              .getString("auth_username")).isEmpty();
          assertThat(sim.checkPassword(KEY, N1, PASSWORD)).isFalse();
        })));
  }

  @Test
  void anImportWithTheUpdateNamesIsCaughtAsAMismatch(Vertx vertx, VertxTestContext ctx) {
    Fixture.deploy(vertx, () -> new RetellVerticle(SwappedNamesClient::new), Fixture.config(sim.baseUrl()), 1)
        .compose(id -> request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N3, target(), true, null),
            SyncResult.class))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_VERIFY_MISMATCH", se -> {
          assertThat(se.details().getString("field")).isEqualTo("auth_username");
          assertThat(sim.requests().count("POST", "/import-phone-number")).isEqualTo(1);
          // The import happened, with the origin incident's empty username: exactly what the audit must see.
          assertThat(sim.number(KEY, N3).orElseThrow().getJsonObject("sip_outbound_trunk_config")
              .getString("auth_username")).isEmpty();
        })));
  }

  @Test
  void aTerminationUriThatDidNotChangeIsCaught(Vertx vertx, VertxTestContext ctx) {
    sim.seed(KEY, Fixture.seedBody(N1, "old-trunk.pstn.twilio.com", "old_user", "old-password-1"));
    Fixture.deploy(vertx, () -> new RetellVerticle(NoUriClient::new), Fixture.config(sim.baseUrl()), 1)
        .compose(id -> request(vertx, Retell.NUMBER_SYNC, new SyncNumber(key(), N1, target(), false, null),
            SyncResult.class))
        .onComplete(ctx.failing(failure(ctx, 502, "RETELL_VERIFY_MISMATCH", se -> {
          assertThat(se.details().getString("field")).isEqualTo("termination_uri");
          assertThat(se.details().getString("expected")).isEqualTo(TRUNK);
          assertThat(se.details().getString("actual")).isEqualTo("old-trunk.pstn.twilio.com");
        })));
  }

  @Test
  void theRealClientRepairsWhatTheSwappedNamesLeftBroken(Vertx vertx, VertxTestContext ctx) {
    sim.seedBroken(KEY, N1, TRUNK);
    SyncNumber sync = new SyncNumber(key(), N1, target(), false, null);
    Fixture.deploy(vertx, () -> new RetellVerticle(SwappedNamesClient::new), Fixture.config(sim.baseUrl()), 1)
        .compose(id -> request(vertx, Retell.NUMBER_SYNC, sync, SyncResult.class)
            .transform(ar -> {
              ctx.verify(() -> assertThat(ar.failed()).isTrue());
              return vertx.undeploy(id);
            }))
        .compose(v -> Fixture.deploy(vertx, Fixture.config(sim.baseUrl()), 1))
        .compose(id -> request(vertx, Retell.NUMBER_SYNC, sync, SyncResult.class))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result.authUsername()).isEqualTo(USERNAME);
          assertThat(sim.checkPassword(KEY, N1, PASSWORD)).isTrue();
          ctx.completeNow();
        })));
  }
}
