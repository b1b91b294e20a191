package dev.trunkline.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every request address has exactly one typed caller: each address of {@link Addresses.Store},
 * {@link Addresses.Twilio}, {@link Addresses.Retell} and {@link Addresses.Provisioning} is what exactly one
 * operation (a method name; its overloads with a timeout count as the same operation) of that service's facade
 * sends to, and every facade method sends one request. A new address without a method, or a method that sends to a
 * neighbour's address, fails here.
 *
 * <p>Measured, not read from the source: each method is called over a real event bus whose consumers note the
 * address they were sent to.
 */
@ExtendWith(VertxExtension.class)
class TypedCallersTest {
  private static final long TIMEOUT_MS = 5_000;

  @Test
  void everyAddressIsSentToByExactlyOneFacadeOperation(Vertx vertx) throws Exception {
    BusCaller bus = BusCaller.of(vertx, TIMEOUT_MS, "rid-typed-callers", null);
    Map<Class<?>, Object> facades = Map.of(
        Addresses.Store.class, new StoreClient(bus),
        Addresses.Twilio.class, new TwilioClient(bus),
        Addresses.Retell.class, new RetellClient(bus),
        Addresses.Provisioning.class, new ProvisioningClient(vertx, TIMEOUT_MS, TIMEOUT_MS));

    BlockingQueue<String> sentTo = new LinkedBlockingQueue<>();
    List<MessageConsumer<Object>> consumers = new ArrayList<>();
    Map<String, Set<String>> callers = new TreeMap<>();
    for (Class<?> group : facades.keySet()) {
      for (String address : addresses(group)) {
        callers.put(address, new TreeSet<>());
        consumers.add(vertx.eventBus().consumer(address, message -> {
          sentTo.add(message.address());
          message.reply(new JsonObject());
        }));
      }
    }
    await(Future.all(consumers.stream().map(MessageConsumer::completion).toList()));

    for (Map.Entry<Class<?>, Object> facade : facades.entrySet()) {
      Set<String> own = addresses(facade.getKey());
      for (Method method : operations(facade.getValue().getClass())) {
        String operation = facade.getValue().getClass().getSimpleName() + "." + method.getName();
        Object result = method.invoke(facade.getValue(), arguments(method));
        String address = sentTo.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(address).as(operation + " sends a request").isNotNull();
        if (result instanceof Future<?> reply) {
          await(reply);
        }
        assertThat(sentTo.poll()).as(operation + " sends one request").isNull();
        assertThat(own).as(operation + " sends to an address of its own service").contains(address);
        callers.get(address).add(operation);
      }
    }

    assertThat(callers).as("the typed callers of each address").isNotEmpty()
        .containsEntry(Addresses.Retell.NUMBER_SYNC, Set.of("RetellClient.sync"));
    Map<String, Set<String>> notOne = new TreeMap<>(callers);
    notOne.values().removeIf(operations -> operations.size() == 1);
    assertThat(notOne).as("addresses without exactly one typed caller (a method of StoreClient, TwilioClient,"
        + " RetellClient or ProvisioningClient), with the operations that send to them").isEmpty();
  }

  @Test
  void aCallCarriesTheCallersRequestIdTenantAndTimeout(Vertx vertx) throws Exception {
    BlockingQueue<io.vertx.core.MultiMap> headers = new LinkedBlockingQueue<>();
    await(vertx.eventBus().consumer(Addresses.Retell.NUMBER_SYNC, message -> {
      headers.add(message.headers());
      message.reply(new JsonObject());
    }).completion());
    RetellClient retell = new RetellClient(BusCaller.of(vertx, 4_321, "rid-1", "tenant-1"));
    RetellMessages.SyncNumber sync = new RetellMessages.SyncNumber(null, "+14155550100", null, false, null);

    await(retell.sync(sync));
    io.vertx.core.MultiMap byDefault = headers.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    await(retell.sync(sync, 1_234));
    io.vertx.core.MultiMap named = headers.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);

    assertThat(byDefault.get(Headers.REQUEST_ID)).isEqualTo("rid-1");
    assertThat(byDefault.get(Headers.TENANT)).isEqualTo("tenant-1");
    assertThat(byDefault.get(Headers.TIMEOUT_MS)).as("the caller's default timeout").isEqualTo("4321");
    assertThat(named.get(Headers.TIMEOUT_MS)).as("the timeout the call names").isEqualTo("1234");
    assertThat(named.get(Headers.REQUEST_ID)).isEqualTo("rid-1");
  }

  /** The address constants of one {@code Addresses} group. */
  private static Set<String> addresses(Class<?> group) throws IllegalAccessException {
    Set<String> out = new TreeSet<>();
    for (Field f : group.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && Modifier.isPublic(f.getModifiers()) && f.getType() == String.class) {
        out.add((String) f.get(null));
      }
    }
    return out;
  }

  /** A facade's operations: its public instance methods. */
  private static List<Method> operations(Class<?> facade) {
    return List.of(facade.getDeclaredMethods()).stream()
        .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
        .toList();
  }

  /** Something of each parameter's type: a request record with empty fields, a timeout, a request id. */
  private static Object[] arguments(Method method) throws ReflectiveOperationException {
    Class<?>[] types = method.getParameterTypes();
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      args[i] = sample(types[i]);
    }
    return args;
  }

  private static Object sample(Class<?> type) throws ReflectiveOperationException {
    if (type == long.class) {
      return TIMEOUT_MS;
    }
    if (type == String.class) {
      return "rid-typed-callers";
    }
    if (type.isRecord()) {
      RecordComponent[] components = type.getRecordComponents();
      Class<?>[] componentTypes = new Class<?>[components.length];
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        componentTypes[i] = components[i].getType();
        // null, or the primitive's zero
        values[i] = java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(componentTypes[i], 1), 0);
      }
      Constructor<?> canonical = type.getDeclaredConstructor(componentTypes);
      return canonical.newInstance(values);
    }
    throw new IllegalArgumentException("no sample for a parameter of type " + type.getName());
  }

  private static void await(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException ignored) {
      // A reply that does not decode into the method's record is not this test's business: the request was sent.
    }
  }
}
