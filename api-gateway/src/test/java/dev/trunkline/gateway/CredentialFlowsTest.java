package dev.trunkline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.gateway.TrunklineHarness.Tenant;
import dev.trunkline.simulators.FaultRule;
import dev.trunkline.simulators.RetellSimulator;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audit and fix flows end to end: the gateway over HTTP, the real store (embedded MongoDB-wire server),
 * the real Retell verticle and the Retell simulator over HTTP, with faults injected in the simulator. Tenants
 * are written through the store's own addresses (what setup writes).
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CredentialFlowsTest {
  private static TrunklineHarness h;

  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject().put("gateway", new JsonObject()
      .put("fixConcurrency", 4).put("perNumberTimeoutMs", 1_500).put("listPageSize", 7)),
      harness -> h = harness).clearingFaults();

  private static List<String> numbers(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> String.format("%s%04d", prefix, i)).toList();
  }

  private static void seedBroken(Tenant t, List<String> numbers) {
    numbers.forEach(n -> h.retell.seedBroken(t.apiKey(), n, t.terminationUri()));
  }

  private static Future<HttpResponse<Buffer>> fix(Tenant t, JsonObject body) {
    return h.call(HttpMethod.POST, h.path(t.id(), "/twilio/fix-retell-credentials"), h.token(t.id()), body);
  }

  private static Future<HttpResponse<Buffer>> audit(Tenant t, String query) {
    return h.call(HttpMethod.GET, h.path(t.id(), "/twilio/retell-credentials" + query), h.token(t.id()), null);
  }

  private static List<String> phones(JsonObject body) {
    List<String> out = new ArrayList<>();
    body.getJsonObject("data").getJsonArray("results").forEach(r -> out.add(((JsonObject) r).getString("phoneNumber")));
    return out;
  }

  private static String authUsername(Tenant t, String phone) {
    return h.retell.number(t.apiKey(), phone).orElseThrow()
        .getJsonObject("sip_outbound_trunk_config").getString("auth_username");
  }

  @Test
  @Order(1)
  void fixWithNoNumbersIs200ZeroOfZero(VertxTestContext test) {
    h.seedTenant().compose(t -> fix(t, null)).onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getBoolean("success")).isTrue();
      assertThat(body.getString("message")).isEqualTo("Fixed credentials for 0 of 0 phone numbers");
      assertThat(body.getJsonObject("data").getInteger("total")).isZero();
      test.completeNow();
    })));
  }

  @Test
  @Order(2)
  void auditFindsTheBrokenNumberFixRepairsItAndTheAuditIsClean(VertxTestContext test) {
    List<String> nums = List.of("+447480802119");
    h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, nums).map(v -> t)).compose(t -> {
      seedBroken(t, nums);
      long writesBefore = h.retell.requests().writes(RetellSimulator.workspaceId(t.apiKey()));
      return audit(t, "").compose(before -> {
        test.verify(() -> {
          assertThat(before.statusCode()).isEqualTo(200);
          JsonObject result = before.bodyAsJsonObject().getJsonObject("data").getJsonArray("results").getJsonObject(0);
          assertThat(result.getString("status")).isEqualTo("MISSING_USERNAME");
          assertThat(before.bodyAsJsonObject().getJsonObject("data").getLong("problemCount")).isEqualTo(1);
          // The audit is read-only.
          assertThat(h.retell.requests().writes(RetellSimulator.workspaceId(t.apiKey()))).isEqualTo(writesBefore);
        });
        return fix(t, new JsonObject());
      }).compose(fixed -> {
        test.verify(() -> {
          assertThat(fixed.statusCode()).isEqualTo(200);
          JsonObject body = fixed.bodyAsJsonObject();
          assertThat(body.getString("message")).isEqualTo("Fixed credentials for 1 of 1 phone numbers");
          JsonObject result = body.getJsonObject("data").getJsonArray("results").getJsonObject(0);
          assertThat(result.getMap()).containsEntry("phoneNumber", nums.get(0)).containsEntry("success", true)
              .containsEntry("auth_username", t.username())
              .containsEntry("message", "Credentials updated successfully");
          assertThat(authUsername(t, nums.get(0))).isEqualTo(t.username());
          assertThat(h.retell.checkPassword(t.apiKey(), nums.get(0), t.password())).isTrue();
        });
        return audit(t, "?phoneNumber=%2B447480802119");
      });
    }).onComplete(test.succeeding(after -> test.verify(() -> {
      assertThat(after.statusCode()).isEqualTo(200);
      JsonObject data = after.bodyAsJsonObject().getJsonObject("data");
      assertThat(data.getLong("okCount")).isEqualTo(1);
      assertThat(data.getJsonArray("results").getJsonObject(0).getString("status")).isEqualTo("OK");
      test.completeNow();
    })));
  }

  @Test
  @Order(3)
  void manyNumbersAreFixedAcrossPagesInInputOrder(VertxTestContext test) {
    List<String> nums = numbers("+1415555", 40); // 6 store pages of 7, a window of 4
    h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, nums).map(v -> t))
        .compose(t -> {
          seedBroken(t, nums);
          return fix(t, null).map(r -> {
            test.verify(() -> {
              assertThat(r.statusCode()).isEqualTo(200);
              JsonObject body = r.bodyAsJsonObject();
              assertThat(body.getString("message")).isEqualTo("Fixed credentials for 40 of 40 phone numbers");
              assertThat(phones(body)).containsExactlyElementsOf(nums);
              nums.forEach(n -> assertThat(authUsername(t, n)).isEqualTo(t.username()));
            });
            return r;
          });
        })
        .onComplete(test.succeeding(r -> test.completeNow()));
  }

  @Test
  @Order(4)
  void partialFailuresAre207WithEachNumbersOwnError(VertxTestContext test) {
    List<String> nums = numbers("+1212555", 5);
    h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, nums).map(v -> t)).compose(t -> {
      seedBroken(t, List.of(nums.get(0), nums.get(1), nums.get(3), nums.get(4))); // nums[2] is not in Retell
      h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*2125550001").error(500));
      // Slower than the gateway's per-number timeout (1.5 s), faster than the Retell verticle's (2 s).
      h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*2125550003").latency(1_800));
      return fix(t, null);
    }).onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(207);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getBoolean("success")).isFalse();
      assertThat(body.getString("message")).isEqualTo("Fixed credentials for 2 of 5 phone numbers");
      JsonObject data = body.getJsonObject("data");
      assertThat(data.getInteger("successCount")).isEqualTo(2);
      assertThat(data.getInteger("failCount")).isEqualTo(3);
      assertThat(phones(body)).containsExactlyElementsOf(nums);
      JsonArray results = data.getJsonArray("results");
      assertThat(results.getJsonObject(0).getBoolean("success")).isTrue();
      assertThat(results.getJsonObject(1).getJsonObject("error").getString("code")).isEqualTo("RETELL_ERROR");
      assertThat(results.getJsonObject(2).getJsonObject("error").getString("code")).isEqualTo("RETELL_NOT_FOUND");
      assertThat(results.getJsonObject(3).getJsonObject("error").getString("code")).isEqualTo("TIMEOUT");
      assertThat(results.getJsonObject(4).getBoolean("success")).isTrue();
      for (int i : new int[] {1, 2, 3}) {
        assertThat(results.getJsonObject(i).containsKey("auth_username")).isFalse();
        assertThat(results.getJsonObject(i).getJsonObject("error").getString("message")).isNotBlank();
      }
      test.completeNow();
    })));
  }

  @Test
  @Order(5)
  void allFailingUpstreamIs502(VertxTestContext test) {
    List<String> nums = numbers("+1303555", 3);
    h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, nums).map(v -> t)).compose(t -> {
      seedBroken(t, nums);
      h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/**").error(503));
      return fix(t, null);
    }).onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(502);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getBoolean("success")).isFalse();
      assertThat(body.getString("message")).isEqualTo("Fixed credentials for 0 of 3 phone numbers");
      assertThat(body.getJsonObject("data").getInteger("failCount")).isEqualTo(3);
      test.completeNow();
    })));
  }

  @Test
  @Order(6)
  void aNamedNumberIsFixedAloneAndAnUnknownOneIs404(VertxTestContext test) {
    List<String> nums = numbers("+1617555", 3);
    h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, nums).map(v -> t)).compose(t -> {
      seedBroken(t, nums);
      return fix(t, new JsonObject().put("phoneNumber", nums.get(1))).compose(one -> {
        test.verify(() -> {
          assertThat(one.statusCode()).isEqualTo(200);
          assertThat(phones(one.bodyAsJsonObject())).containsExactly(nums.get(1));
          assertThat(authUsername(t, nums.get(1))).isEqualTo(t.username());
          assertThat(authUsername(t, nums.get(0))).isEmpty();
        });
        return fix(t, new JsonObject().put("phoneNumber", "+16175559999"));
      });
    }).onComplete(test.succeeding(r -> test.verify(() -> {
      GatewayEdgeTest.assertError(r, 404, "NUMBER_NOT_FOUND");
      test.completeNow();
    })));
  }

  @Test
  @Order(7)
  void unknownTenantIs404AndATenantWithoutSetupIs409(VertxTestContext test) {
    String unknown = TrunklineHarness.newTenant();
    String noSetup = TrunklineHarness.newTenant();
    h.call(HttpMethod.PUT, h.path(noSetup, "/retell"), h.token(noSetup),
            new JsonObject().put("apiKey", h.secret(TrunklineHarness.randomSecret("retell"))))
        .compose(put -> {
          test.verify(() -> {
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.bodyAsJsonObject().getJsonObject("data").getBoolean("retellKeyPresent")).isTrue();
          });
          return Future.all(
              h.call(HttpMethod.POST, h.path(unknown, "/twilio/fix-retell-credentials"), h.token(unknown), null),
              h.call(HttpMethod.POST, h.path(noSetup, "/twilio/fix-retell-credentials"), h.token(noSetup), null),
              h.call(HttpMethod.GET, h.path(noSetup, "/twilio/retell-credentials"), h.token(noSetup), null));
        })
        .onComplete(test.succeeding(all -> test.verify(() -> {
          GatewayEdgeTest.assertError(all.resultAt(0), 404, "CONNECTOR_NOT_FOUND");
          GatewayEdgeTest.assertError(all.resultAt(1), 409, "SETUP_REQUIRED");
          GatewayEdgeTest.assertError(all.resultAt(2), 409, "SETUP_REQUIRED");
          test.completeNow();
        })));
  }

  @Test
  @Order(8)
  void importMissingImportsNumbersRetellDoesNotHaveAndRecordsThem(VertxTestContext test) {
    String recordedMissing = "+15125550001"; // recorded NOT_IMPORTED by a purchase whose import failed
    String lost = "+15125550002";            // recorded IMPORTED, but gone from Retell
    h.seedTenant()
        .compose(t -> h.saveNumbers(t, RetellStatus.NOT_IMPORTED, List.of(recordedMissing))
            .compose(v -> h.saveNumbers(t, RetellStatus.IMPORTED, List.of(lost))).map(v -> t))
        .compose(t -> fix(t, null).compose(first -> {
          test.verify(() -> {
            // Without importMissing the NOT_IMPORTED number is still imported (that is its fix); the other is 404.
            assertThat(first.statusCode()).isEqualTo(207);
            JsonArray results = first.bodyAsJsonObject().getJsonObject("data").getJsonArray("results");
            assertThat(results.getJsonObject(0).getString("message")).isEqualTo("Imported into Retell with credentials");
            assertThat(results.getJsonObject(1).getJsonObject("error").getString("code")).isEqualTo("RETELL_NOT_FOUND");
          });
          return fix(t, new JsonObject().put("importMissing", true));
        }).compose(second -> {
          test.verify(() -> {
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(authUsername(t, lost)).isEqualTo(t.username());
          });
          return h.storedNumbers(t.id());
        }))
        .onComplete(test.succeeding(stored -> test.verify(() -> {
          assertThat(stored).allSatisfy(n -> assertThat(n.retellStatus()).isEqualTo(RetellStatus.IMPORTED));
          test.completeNow();
        })));
  }

  @Test
  @Order(9)
  void dryRunReportsWithoutChangingAnything(VertxTestContext test) {
    List<String> nums = numbers("+1206555", 2);
    h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, nums).map(v -> t)).compose(t -> {
      seedBroken(t, List.of(nums.get(0)));
      h.retell.seed(t.apiKey(), new JsonObject().put("phone_number", nums.get(1))
          .put("termination_uri", t.terminationUri()).put("auth_username", t.username())
          .put("auth_password", t.password()));
      long writes = h.retell.requests().writes(RetellSimulator.workspaceId(t.apiKey()));
      return fix(t, new JsonObject().put("dryRun", true)).map(r -> {
        test.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          JsonObject body = r.bodyAsJsonObject();
          assertThat(body.getString("message")).isEqualTo("Dry run: 1 of 2 phone numbers need fixing");
          JsonArray results = body.getJsonObject("data").getJsonArray("results");
          assertThat(results.getJsonObject(0).getString("status")).isEqualTo("MISSING_USERNAME");
          assertThat(results.getJsonObject(0).getBoolean("wouldChange")).isTrue();
          assertThat(results.getJsonObject(1).getBoolean("wouldChange")).isFalse();
          assertThat(h.retell.requests().writes(RetellSimulator.workspaceId(t.apiKey()))).isEqualTo(writes);
          assertThat(authUsername(t, nums.get(0))).isEmpty();
        });
        return r;
      });
    }).onComplete(test.succeeding(r -> test.completeNow()));
  }

  @Test
  @Order(10)
  void auditReportsEveryKindOfProblemPerNumber(VertxTestContext test) {
    List<String> nums = numbers("+1305555", 4);
    h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, nums).map(v -> t)).compose(t -> {
      h.retell.seed(t.apiKey(), new JsonObject().put("phone_number", nums.get(0))
          .put("termination_uri", t.terminationUri()).put("auth_username", t.username()));
      seedBroken(t, List.of(nums.get(1)));
      h.retell.seed(t.apiKey(), new JsonObject().put("phone_number", nums.get(2))
          .put("termination_uri", t.terminationUri()).put("auth_username", "scalai_user"));
      // nums[3] is not in Retell at all.
      return audit(t, "");
    }).onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
      List<String> statuses = new ArrayList<>();
      data.getJsonArray("results").forEach(x -> statuses.add(((JsonObject) x).getString("status")));
      assertThat(statuses).containsExactly("OK", "MISSING_USERNAME", "WRONG_USERNAME", "NOT_IN_RETELL");
      assertThat(data.getLong("okCount")).isEqualTo(1);
      assertThat(data.getLong("problemCount")).isEqualTo(3);
      test.completeNow();
    })));
  }

  @Test
  @Order(11)
  void aTenantSeesOnlyItsOwnNumbers(VertxTestContext test) {
    Future<Tenant> a = h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED,
        List.of("+14045550001")).map(v -> t));
    Future<Tenant> b = h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED,
        List.of("+14045550002")).map(v -> t));
    Future.all(a, b).compose(v -> {
      Tenant ta = a.result();
      Tenant tb = b.result();
      seedBroken(ta, List.of("+14045550001"));
      seedBroken(tb, List.of("+14045550002"));
      String tokenA = h.token(ta.id());
      return Future.all(List.of(
          h.call(HttpMethod.GET, h.path(ta.id(), "/phone-numbers"), tokenA, null),
          fix(ta, null),
          audit(ta, ""),
          fix(ta, new JsonObject().put("phoneNumber", "+14045550002")),
          h.call(HttpMethod.DELETE, h.path(ta.id(), "/phone-numbers/%2B14045550002"), tokenA, null)))
          .map(all -> {
            test.verify(() -> {
              for (int i = 0; i < 3; i++) {
                HttpResponse<Buffer> r = all.resultAt(i);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.bodyAsString()).contains("+14045550001").doesNotContain("+14045550002")
                    .doesNotContain(tb.id()).doesNotContain(tb.username());
              }
              GatewayEdgeTest.assertError(all.resultAt(3), 404, "NUMBER_NOT_FOUND");
              GatewayEdgeTest.assertError(all.resultAt(4), 404, "NUMBER_NOT_FOUND");
              // B's number is untouched in Retell.
              assertThat(authUsername(tb, "+14045550002")).isEmpty();
            });
            return tb;
          });
    }).compose(tb -> h.storedNumbers(tb.id())).onComplete(test.succeeding(stored -> test.verify(() -> {
      assertThat(stored).extracting(n -> n.retellStatus()).containsExactly(RetellStatus.IMPORTED);
      test.completeNow();
    })));
  }

  @Test
  @Order(20)
  void aDeadRetellServiceFailsEachNumberNotTheRequest(VertxTestContext test) {
    List<String> nums = numbers("+1718555", 2);
    h.seedTenant().compose(t -> h.saveNumbers(t, RetellStatus.IMPORTED, nums).map(v -> t))
        .compose(t -> h.stopRetellService().map(v -> t))
        .compose(t -> fix(t, null))
        .onComplete(test.succeeding(r -> test.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(502);
          JsonObject body = r.bodyAsJsonObject();
          assertThat(body.getString("message")).isEqualTo("Fixed credentials for 0 of 2 phone numbers");
          JsonObject error = body.getJsonObject("data").getJsonArray("results").getJsonObject(0).getJsonObject("error");
          assertThat(error.getString("code")).isEqualTo("SERVICE_UNAVAILABLE");
          assertThat(error.getString("message")).doesNotContain("trunkline.");
          test.completeNow();
        })));
  }
}
