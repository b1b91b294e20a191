package dev.trunkline.app;

import java.io.IOException;
import java.net.ServerSocket;

final class TestPorts {
  private TestPorts() {}

  /** A port that was free a moment ago (the gateway's instances share one configured port). */
  static int free() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
