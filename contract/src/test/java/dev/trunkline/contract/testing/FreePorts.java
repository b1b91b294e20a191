package dev.trunkline.contract.testing;

import io.vertx.core.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * Ports for servers that must know theirs before they bind: instances that share one configured port, a second
 * process, a cluster's member list. Everything else binds port 0 and asks the server which port it got.
 *
 * <p>Why not {@code new ServerSocket(0)}, close, and use that port: the kernel hands out those ports from its
 * ephemeral range, the same range every outgoing connection (an HTTP client, the Mongo driver) takes its local
 * port from, so between the close and the server's bind a connection of the test itself can take the port (this
 * is how the gateway harness lost a bind once). {@link #pick()} chooses below that range, where only listeners
 * go, checks the port is free on every address, and never hands out the same port twice in a JVM. What remains,
 * another process picking the same port in the same moment, {@link #bindRetrying(IntFunction)} turns into a retry
 * on a fresh port.
 */
public final class FreePorts {
  /** Lowest port handed out: above the well-known and common service ports. */
  static final int LOWEST = 20_000;
  /** Binds tried by {@link #bindRetrying(IntFunction)} before it gives up. */
  static final int ATTEMPTS = 5;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /** A port that no socket on this machine holds now, below the kernel's ephemeral range. */
  public static synchronized int pick() {
    int highest = ephemeralLow() - 1;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int tries = 0; tries < 1_000; tries++) {
      int port = random.nextInt(LOWEST, highest + 1);
      if (!HANDED_OUT.contains(port) && bindable(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port between " + LOWEST + " and " + highest);
  }

  /**
   * Starts a server on a {@link #pick() picked} port ({@code start} binds it and answers with what it started),
   * and again on a fresh port when the bind fails because the port was taken in the meantime, up to
   * {@value #ATTEMPTS} times. Any other failure is final.
   */
  public static <T> Future<T> bindRetrying(IntFunction<Future<T>> start) {
    return bindRetrying(start, 1);
  }

  private static <T> Future<T> bindRetrying(IntFunction<Future<T>> start, int attempt) {
    return start.apply(pick()).recover(failure -> attempt < ATTEMPTS && isBindConflict(failure)
        ? bindRetrying(start, attempt + 1)
        : Future.failedFuture(failure));
  }

  /** Whether a failure (or one of its causes) is a bind on a port that is already taken. */
  public static boolean isBindConflict(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static boolean bindable(int port) {
    // The wildcard address without SO_REUSEADDR: fails if any address holds the port, in any state.
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (Linux); the IANA range's start where it cannot be read. */
  static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Math.max(LOWEST + 1_000, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 49_152;
    }
  }
}
