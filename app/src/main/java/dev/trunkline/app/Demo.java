package dev.trunkline.app;

import io.vertx.core.json.JsonObject;

/** {@code java -jar trunkline.jar demo}: the sandbox story, run step by step. */
final class Demo {
  private Demo() {}

  static int run(JsonObject config) throws Exception {
    System.err.println("demo: not available yet");
    return 1;
  }
}
