package dev.trunkline.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The credential leases on Vert.x's real shared data: what a rotation waits for, what it does not, and that the
 * lease of a writer whose node died (never closed, never refreshed) stops blocking once it expires.
 */
class CredentialLeasesTest {
  private static final String TENANT = "65a1b2c3d4e5f60718293a4b";
  private static final String OTHER = "65a1b2c3d4e5f60718293a4c";
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ServiceException failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return (ServiceException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void aRotationWaitsForUndecidedAndOldLeasesOfItsTenantOnly() {
    CredentialLeases leases = new CredentialLeases(vertx, 60_000, 5_000);
    CredentialLeases.Lease undecided = await(leases.open(TENANT));
    CredentialLeases.Lease old = await(leases.open(TENANT));
    await(old.use("tl_user"));
    CredentialLeases.Lease fresh = await(leases.open(TENANT));
    await(fresh.use("tl_user_r2"));
    await(leases.open(OTHER).compose(l -> l.use("other_user")));

    assertThat(await(leases.usernames(TENANT))).containsExactlyInAnyOrder(CredentialLeases.UNDECIDED, "tl_user",
        "tl_user_r2");
    ServiceException busy = failure(leases.awaitOnly(TENANT, "tl_user_r2", 200));
    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.code()).isEqualTo("OLD_CREDENTIAL_IN_USE");
    assertThat(busy.details().getLong("writers")).isEqualTo(2);

    // A writer that picks the new credential no longer blocks; the one on the old credential does until it ends.
    await(undecided.use("tl_user_r2"));
    assertThat(failure(leases.awaitOnly(TENANT, "tl_user_r2", 200)).details().getLong("writers")).isEqualTo(1);
    Future<Void> waiting = leases.awaitOnly(TENANT, "tl_user_r2", 10_000);
    await(old.close());
    await(waiting);
  }

  @Test
  void aLeaseOutlivesItsWriterWhileAWriteIsUnansweredAndPastItWhenTheWriteTimedOut() {
    CredentialLeases leases = new CredentialLeases(vertx, 1_000, 5_000);
    // Answered: the lease goes with the writer.
    CredentialLeases.Lease done = await(leases.open(TENANT));
    await(done.use("tl_user"));
    await(done.watch(Future.succeededFuture("ok")));
    await(done.close());
    assertThat(await(leases.usernames(TENANT))).isEmpty();

    // The writer ends (a fan-out stopped waiting) while its write is still unanswered: the lease stays.
    CredentialLeases.Lease pending = await(leases.open(TENANT));
    await(pending.use("tl_user"));
    Promise<String> write = Promise.promise();
    pending.watch(write.future()).onFailure(err -> { });
    Future<Void> closed = pending.close();
    assertThat(closed.isComplete()).isFalse();
    assertThat(await(leases.usernames(TENANT))).containsExactly("tl_user");
    assertThat(failure(leases.awaitOnly(TENANT, "tl_user_r2", 100)).code()).isEqualTo("OLD_CREDENTIAL_IN_USE");

    // The write times out: it may still land, so the lease is left to expire (a full TTL) instead of removed.
    write.fail(new ServiceException(504, "TIMEOUT", "no reply"));
    await(closed);
    assertThat(await(leases.usernames(TENANT))).containsExactly("tl_user");
    await(leases.awaitOnly(TENANT, "tl_user_r2", 10_000));
    assertThat(await(leases.usernames(TENANT))).isEmpty();
  }

  @Test
  void theLeaseOfADeadWriterExpiresAndALiveOneIsRefreshed() throws Exception {
    CredentialLeases leases = new CredentialLeases(vertx, 1_000, 5_000);
    // What a node that died mid-purchase leaves behind: an entry nobody refreshes or removes.
    AsyncMap<String, String> map = await(vertx.sharedData().<String, String>getAsyncMap(CredentialLeases.MAP));
    await(map.put(TENANT + "/dead-writer", "tl_user", 1_000));
    // A live writer keeps its lease well past the TTL (refreshed every third of it).
    CredentialLeases.Lease live = await(leases.open(TENANT));
    await(live.use("tl_user"));

    Thread.sleep(2_500);
    assertThat(await(leases.usernames(TENANT))).as("the dead writer's lease expired, the live one is refreshed")
        .containsExactly("tl_user");
    await(live.close());
    await(leases.awaitOnly(TENANT, "tl_user_r2", 1_000));
    assertThat(await(leases.usernames(TENANT))).isEmpty();
  }
}
