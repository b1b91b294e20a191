package dev.trunkline.provisioning;

import static dev.trunkline.contract.testing.Await.await;
import static dev.trunkline.contract.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.ServiceException;
import dev.trunkline.contract.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Duration;
import java.util.List;
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
    ServiceException busy = awaitFailure(leases.awaitOnly(TENANT, "tl_user_r2", 200), ServiceException.class);
    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.code()).isEqualTo("OLD_CREDENTIAL_IN_USE");
    assertThat(busy.details().getLong("writers")).isEqualTo(2);

    // A writer that picks the new credential no longer blocks; the one on the old credential does until it ends.
    await(undecided.use("tl_user_r2"));
    assertThat(awaitFailure(leases.awaitOnly(TENANT, "tl_user_r2", 200), ServiceException.class).details()
        .getLong("writers")).isEqualTo(1);
    Future<Void> waiting = leases.awaitOnly(TENANT, "tl_user_r2", 10_000);
    await(old.close());
    await(waiting);
  }

  @Test
  void aLeaseOutlivesItsWriterWhileAWriteIsUnansweredAndPastItWhenTheWriteTimedOut() {
    // A TTL well above a loaded machine's pauses: the lease must still be there when looked at after the timeout.
    CredentialLeases leases = new CredentialLeases(vertx, 3_000, 5_000);
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
    assertThat(awaitFailure(leases.awaitOnly(TENANT, "tl_user_r2", 100), ServiceException.class).code())
        .isEqualTo("OLD_CREDENTIAL_IN_USE");

    // The write times out: it may still land, so the lease is left to expire (a full TTL) instead of removed.
    write.fail(new ServiceException(504, "TIMEOUT", "no reply"));
    await(closed);
    assertThat(await(leases.usernames(TENANT))).containsExactly("tl_user");
    await(leases.awaitOnly(TENANT, "tl_user_r2", 10_000));
    assertThat(await(leases.usernames(TENANT))).isEmpty();
  }

  @Test
  void theLeaseOfADeadWriterExpiresAndALiveOneIsRefreshed() throws Exception {
    // Refreshed every third of the TTL: a refresh may come 1.3 s late on a loaded machine before the lease lapses.
    CredentialLeases leases = new CredentialLeases(vertx, 2_000, 5_000);
    // What a node that died mid-purchase leaves behind: an entry nobody refreshes or removes.
    AsyncMap<String, String> map = await(vertx.sharedData().<String, String>getAsyncMap(CredentialLeases.MAP));
    await(map.put(TENANT + "/dead-writer", "tl_user", 2_000));
    // A live writer keeps its lease well past the TTL (refreshed every third of it).
    CredentialLeases.Lease live = await(leases.open(TENANT));
    await(live.use("tl_user"));

    // Both entries name tl_user: the dead one must go (by key), and the live one stay on, refreshed, for another
    // 1.5 TTL (by then it has lived 2.5 TTLs).
    Await.stable("the dead writer's lease gone and the live one's kept", Duration.ofMillis(3_000),
        Duration.ofSeconds(20), () -> await(map.get(TENANT + "/dead-writer")) == null
            && await(leases.usernames(TENANT)).equals(List.of("tl_user")));
    await(live.close());
    await(leases.awaitOnly(TENANT, "tl_user_r2", 1_000));
    assertThat(await(leases.usernames(TENANT))).isEmpty();
  }
}
