package dev.trunkline.app;

import dev.trunkline.gateway.ClusterHealth;
import io.vertx.core.json.JsonArray;
import java.io.PrintStream;

/** What a person sees once Trunkline is up: where it listens and, in the sandbox, how to call it. */
final class Banner {
  /** The sandbox's demo tenant (a well-formed subaccount id). */
  static final String DEMO_TENANT = "64f1c0ffee00000000000001";

  private Banner() {}

  static void print(Trunkline node) {
    print(node, System.out);
  }

  /** " (3 members)": a node that started a cluster of its own instead of joining shows it at once. */
  private static String members(Trunkline node) {
    Object health = node.vertx().sharedData().getLocalMap(ClusterHealth.MAP).get(ClusterHealth.KEY);
    if (!(health instanceof ClusterHealth h)) {
      return "";
    }
    int members = h.check().getInteger("members");
    return " (" + members + (members == 1 ? " member)" : " members)");
  }

  static void print(Trunkline node, PrintStream out) {
    out.println();
    java.util.Set<Roles> roles = Roles.parse(node.config().getString("roles"));
    String clustered = node.vertx().isClustered() ? " in cluster '" + node.config().getJsonObject("cluster")
        .getString("name", "trunkline") + "'" + members(node) : "";
    if (!roles.contains(Roles.GATEWAY)) {
      out.println("Trunkline node is up" + clustered + " with roles " + roles.toString().toLowerCase(java.util.Locale.ROOT)
          + " (no HTTP API on this node; the gateway role serves it)");
      return;
    }
    String base = "http://localhost:" + node.httpPort();
    out.println("Trunkline is up on " + base + "  (health: " + base + "/health/ready, API: " + base + "/openapi.yaml)");
    if (node.sandbox() == null) {
      return;
    }
    String token = DevTokens.mint(node.vertx(), node.config().getJsonObject("gateway").getString("jwtSecret"),
        "sandbox-demo", new JsonArray().add(DEMO_TENANT), 24 * 60);
    out.println("""

        SANDBOX: Twilio is simulated at %s, Retell at %s (nothing leaves this machine).
        A dev token for the demo tenant %s (valid 24 h):

          export TOKEN=%s
          export T=%s/api/connectors/%s
          H='-H Content-Type:application/json'

        Connect the demo tenant's (simulated) Twilio account and Retell key:
          curl -X PUT $T/twilio -H "Authorization: Bearer $TOKEN" $H -d '{"accountSid":"%s","authToken":"%s"}'
          curl -X PUT $T/retell -H "Authorization: Bearer $TOKEN" $H -d '{"apiKey":"%s"}'
        Set up its SIP trunk (idempotent):
          curl -X POST $T/twilio/setup -H "Authorization: Bearer $TOKEN" $H -d '{}'
        Find and buy two numbers (the Idempotency-Key makes a retried purchase buy once):
          curl "$T/twilio/availablePhoneNumbers?countryCode=US&areaCode=415&limit=3" -H "Authorization: Bearer $TOKEN"
          curl -X POST $T/twilio/phoneNumbers/purchase -H "Authorization: Bearer $TOKEN" $H -H 'Idempotency-Key: demo-1' -d '{"phoneNumber":"+14155550100"}'
          curl -X POST $T/twilio/phoneNumbers/purchase -H "Authorization: Bearer $TOKEN" $H -H 'Idempotency-Key: demo-2' -d '{"phoneNumber":"+14155550101"}'
        Break one in the Retell simulator the way the origin incident did (empty auth_username):
          curl -X PATCH %s/update-phone-number/%%2B14155550101 -H 'Authorization: Bearer %s' $H -d '{"auth_username":""}'
        Audit every number's Retell SIP credentials, then fix them:
          curl $T/twilio/retell-credentials -H "Authorization: Bearer $TOKEN"
          curl -X POST $T/twilio/fix-retell-credentials -H "Authorization: Bearer $TOKEN" $H -d '{}'

        Or let Trunkline walk through all of it, including breaking a number the way the origin incident did:
          java -jar app/target/trunkline.jar demo
        """.formatted(node.sandbox().twilio().baseUrl(), node.sandbox().retell().baseUrl(), DEMO_TENANT, token,
        base, DEMO_TENANT, Sandbox.DEMO_ACCOUNT_SID, Sandbox.DEMO_AUTH_TOKEN, Sandbox.DEMO_RETELL_KEY,
        node.sandbox().retell().baseUrl(), Sandbox.DEMO_RETELL_KEY));
  }
}
