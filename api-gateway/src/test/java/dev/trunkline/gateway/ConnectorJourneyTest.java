package dev.trunkline.gateway;

import static dev.trunkline.contract.testing.SecretAssertions.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trunkline.contract.Addresses;
import dev.trunkline.contract.Bus;
import dev.trunkline.contract.StoreMessages.RetellStatus;
import dev.trunkline.contract.StoreMessages;
import dev.trunkline.contract.TenantRef;
import dev.trunkline.simulators.FaultRule;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One tenant's whole story over real HTTP, against everything real: connect Twilio and Retell, set the trunk
 * up, search, buy (exactly once per Idempotency-Key), import, list, break a number in Retell the way the origin
 * document describes, audit, fix, rotate, remove, release and tear down, with the Twilio and Retell
 * simulators behind the verticles. Each step checks the simulators' state, not just the reply.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectorJourneyTest {
  private static TrunklineHarness h;
  private static String tenant;
  private static String token;
  private static String accountSid;
  private static String authToken;
  private static String retellKey;
  private static String trunkSid;
  private static final String BOUGHT = "+14155550111";
  private static final String SECOND = "+14155550112";
  private static final String NOT_IMPORTED = "+14155550113";
  private static final String OWNED = "+16285550120";

  // The SIP passwords are secrets too: every one the steps read from the store (sip() registers them) is scanned
  // for at the end. Reading them then would find none: the teardown has deleted them.
  @RegisterExtension
  static final SharedHarness HARNESS = SharedHarness.of(new JsonObject(), harness -> h = harness).clearingFaults();

  @BeforeAll
  static void start() {
    tenant = TrunklineHarness.newTenant();
    token = h.token(tenant);
    accountSid = "AC" + tenant + "00000000";
    authToken = h.secret("the Twilio auth token", TrunklineHarness.randomSecret("twtok"));
    retellKey = h.secret("the Retell key", TrunklineHarness.randomSecret("retell"));
  }

  /** The tenant's SIP credentials; every password read is scanned for at the end (teardown deletes them). */
  private static Future<StoreMessages.SipCredentials> sip() {
    return Bus.request(h.vertx, Addresses.Store.SIP_GET, new TenantRef(tenant), StoreMessages.SipCredentials.class,
        10_000, "test").andThen(read -> {
          if (read.succeeded() && read.result().password() != null) {
            h.secret("a SIP password", read.result().password().reveal());
          }
          if (read.succeeded() && read.result().pending() != null) {
            h.secret("a pending SIP password", read.result().pending().password().reveal());
          }
        });
  }

  private static Future<HttpResponse<Buffer>> call(HttpMethod method, String rest, Object body) {
    return h.call(method, h.path(tenant, rest), token, body);
  }

  private static Future<HttpResponse<Buffer>> purchase(String key, String phone) {
    return h.send(h.request(HttpMethod.POST, h.path(tenant, "/twilio/phoneNumbers/purchase"), token)
        .putHeader("Idempotency-Key", key), new JsonObject().put("phoneNumber", phone));
  }

  private static long purchases() {
    return h.twilio.requests().count("POST", "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json");
  }

  private static JsonObject retellNumber(String phone) {
    return h.retell.number(retellKey, phone).orElse(null);
  }

  @Test
  @Order(1)
  void connectTwilioVerifiesAndNeverEchoesTheToken(VertxTestContext test) {
    call(HttpMethod.PUT, "/twilio", new JsonObject().put("accountSid", accountSid).put("authToken", authToken))
        .compose(ok -> {
          test.verify(() -> {
            // First: the status check prints the body when it fails.
            assertNoSecret("the reply to PUT /twilio", ok.bodyAsString(), "the Twilio auth token", authToken);
            assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(200);
            assertThat(ok.bodyAsJsonObject().getJsonObject("data").getString("accountSid")).isEqualTo(accountSid);
          });
          // The simulator now knows this account with that token: another token is refused, nothing stored.
          return call(HttpMethod.PUT, "/twilio", new JsonObject().put("accountSid", accountSid)
              .put("authToken", h.secret("a wrong auth token", TrunklineHarness.randomSecret("wrong"))));
        })
        .compose(refused -> {
          test.verify(() -> GatewayEdgeTest.assertError(refused, 422, "INVALID_TWILIO_CREDENTIALS"));
          return call(HttpMethod.PUT, "/retell", new JsonObject().put("apiKey", retellKey));
        })
        .onComplete(test.succeeding(retell -> test.verify(() -> {
          assertNoSecret("the reply to PUT /retell", retell.bodyAsString(), "the Retell key", retellKey);
          assertThat(retell.statusCode()).isEqualTo(200);
          test.completeNow();
        })));
  }

  @Test
  @Order(2)
  void purchaseBeforeSetupIs409BuysNothingAndFreesTheKey(VertxTestContext test) {
    long before = purchases();
    purchase("early-key", BOUGHT).onComplete(test.succeeding(r -> test.verify(() -> {
      GatewayEdgeTest.assertError(r, 409, "SETUP_REQUIRED");
      assertThat(purchases()).isEqualTo(before);
      test.completeNow();
    })));
  }

  @Test
  @Order(3)
  void setupCreatesTheTrunkOnceAndIsIdempotent(VertxTestContext test) {
    Future.all(call(HttpMethod.POST, "/twilio/setup", null), call(HttpMethod.POST, "/twilio/setup", new JsonObject()))
        .compose(both -> {
          HttpResponse<Buffer> a = both.resultAt(0);
          HttpResponse<Buffer> b = both.resultAt(1);
          test.verify(() -> {
            // Exactly one created the trunk (201, created: true); the other found it (200, created: false).
            assertThat(List.of(a.statusCode(), b.statusCode())).as("%s%n%s", a.bodyAsString(), b.bodyAsString())
                .containsExactlyInAnyOrder(200, 201);
            for (HttpResponse<Buffer> r : List.of(a, b)) {
              assertThat(r.bodyAsJsonObject().getJsonObject("data").getBoolean("created"))
                  .isEqualTo(r.statusCode() == 201);
            }
            JsonObject data = a.bodyAsJsonObject().getJsonObject("data");
            trunkSid = data.getString("trunkSid");
            assertThat(b.bodyAsJsonObject().getJsonObject("data").getString("trunkSid")).isEqualTo(trunkSid);
            assertThat(data.getString("username")).isNotBlank();
            assertThat(data.containsKey("password")).isFalse();
            assertThat(h.twilio.trunks(accountSid)).hasSize(1);
          });
          return call(HttpMethod.GET, "/twilio/trunk", null);
        })
        .onComplete(test.succeeding(status -> test.verify(() -> {
          assertThat(status.statusCode()).isEqualTo(200);
          JsonObject data = status.bodyAsJsonObject().getJsonObject("data");
          assertThat(data.getBoolean("exists")).isTrue();
          assertThat(data.getBoolean("passwordKnown")).isTrue();
          assertThat(data.getJsonArray("problems")).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  @Order(4)
  void searchFindsNumbers(VertxTestContext test) {
    call(HttpMethod.GET, "/twilio/availablePhoneNumbers?areaCode=312&limit=3", null)
        .onComplete(test.succeeding(r -> test.verify(() -> {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
          JsonArray numbers = r.bodyAsJsonObject().getJsonObject("data").getJsonArray("numbers");
          assertThat(numbers).hasSize(3);
          assertThat(numbers.getJsonObject(0).getString("phoneNumber")).startsWith("+1312");
          test.completeNow();
        })));
  }

  @Test
  @Order(5)
  void aPurchaseRetriedWithTheSameKeyBuysOnce(VertxTestContext test) {
    long before = purchases();
    purchase("buy-1", BOUGHT)
        .compose(first -> purchase("buy-1", BOUGHT).map(second -> List.of(first, second)))
        .compose(rs -> purchase("buy-1", SECOND).map(third -> {
          List<HttpResponse<Buffer>> all = new ArrayList<>(rs);
          all.add(third);
          return all;
        }))
        .compose(rs -> sip().map(sip -> {
          test.verify(() -> {
            HttpResponse<Buffer> first = rs.get(0);
            assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
            assertThat(first.bodyAsJsonObject().getJsonObject("data").getString("retellStatus")).isEqualTo("IMPORTED");
            HttpResponse<Buffer> replay = rs.get(1);
            assertThat(replay.statusCode()).isEqualTo(201);
            assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
            assertThat(replay.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
            GatewayEdgeTest.assertError(rs.get(2), 422, "IDEMPOTENCY_KEY_REUSED");
            assertThat(purchases() - before).as("Twilio purchases").isEqualTo(1);
            JsonObject inRetell = retellNumber(BOUGHT);
            assertThat(inRetell.getJsonObject("sip_outbound_trunk_config").getString("auth_username"))
                .isEqualTo(sip.username());
            assertThat(h.retell.checkPassword(retellKey, BOUGHT, sip.password().reveal())).isTrue();
          });
          return sip;
        }))
        .onComplete(test.succeeding(v -> test.completeNow()));
  }

  @Test
  @Order(6)
  void concurrentPurchasesWithOneKeyBuyOnce(VertxTestContext test) {
    long before = purchases();
    Future.all(purchase("buy-2", SECOND), purchase("buy-2", SECOND))
        .onComplete(test.succeeding(both -> test.verify(() -> {
          List<HttpResponse<Buffer>> rs = List.of(both.resultAt(0), both.resultAt(1));
          List<HttpResponse<Buffer>> bought = rs.stream()
              .filter(r -> r.statusCode() == 201 && r.getHeader("Idempotent-Replayed") == null).toList();
          assertThat(bought).as("the request that bought it: %s", rs.stream().map(HttpResponse::bodyAsString)
              .toList()).hasSize(1);
          HttpResponse<Buffer> other = rs.get(rs.get(0) == bought.get(0) ? 1 : 0);
          if (other.statusCode() == 409) {
            // It arrived while the first held the key: told to come back, with when.
            GatewayEdgeTest.assertError(other, 409, "IDEMPOTENCY_IN_PROGRESS");
            assertThat(Long.parseLong(other.getHeader("Retry-After"))).isPositive();
          } else {
            // It arrived after the first finished: the recorded response.
            assertThat(other.statusCode()).as(other.bodyAsString()).isEqualTo(201);
            assertThat(other.getHeader("Idempotent-Replayed")).isEqualTo("true");
            assertThat(other.bodyAsJsonObject()).isEqualTo(bought.get(0).bodyAsJsonObject());
          }
          assertThat(purchases() - before).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  @Order(7)
  void aFailedRetellImportKeepsTheNumberAndTheFixImportsIt(VertxTestContext test) {
    h.retell.faults().add(FaultRule.on("POST", "/import-phone-number").error(500));
    purchase("buy-3", NOT_IMPORTED)
        .compose(r -> {
          test.verify(() -> {
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(207);
            JsonObject body = r.bodyAsJsonObject();
            assertThat(body.getBoolean("success")).isFalse();
            assertThat(body.getString("message")).contains("NOT_IMPORTED");
            assertThat(body.getJsonObject("data").getString("retellStatus")).isEqualTo("NOT_IMPORTED");
            assertThat(retellNumber(NOT_IMPORTED)).isNull();
            assertThat(h.twilio.incomingNumbers(accountSid)).anyMatch(n -> NOT_IMPORTED.equals(n.getString("phone_number")));
          });
          h.retell.faults().clear();
          return call(HttpMethod.POST, "/twilio/fix-retell-credentials",
              new JsonObject().put("phoneNumber", NOT_IMPORTED));
        })
        .compose(fixed -> {
          test.verify(() -> assertThat(fixed.statusCode()).as(fixed.bodyAsString()).isEqualTo(200));
          return h.storedNumbers(tenant);
        })
        .onComplete(test.succeeding(stored -> test.verify(() -> {
          assertThat(retellNumber(NOT_IMPORTED)).isNotNull();
          assertThat(stored).filteredOn(n -> n.phoneNumber().equals(NOT_IMPORTED))
              .extracting(StoreMessages.PhoneNumber::retellStatus).containsExactly(RetellStatus.IMPORTED);
          test.completeNow();
        })));
  }

  @Test
  @Order(8)
  void anOwnedNumberIsImportedOntoTheTrunk(VertxTestContext test) {
    // The tenant bought this number in Twilio's console: on the account, on no trunk.
    h.client.postAbs(h.twilio.baseUrl() + "/2010-04-01/Accounts/" + accountSid + "/IncomingPhoneNumbers.json")
        .basicAuthentication(accountSid, authToken)
        .sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("PhoneNumber", OWNED))
        .compose(bought -> {
          test.verify(() -> assertThat(bought.statusCode()).as(bought.bodyAsString()).isEqualTo(201));
          return purchase("buy-owned", OWNED);
        })
        .compose(refused -> {
          long before = purchases();
          test.verify(() -> {
            // Buying what the account already owns is refused with the way out: import it.
            GatewayEdgeTest.assertError(refused, 409, "NUMBER_ALREADY_OWNED");
            assertThat(retellNumber(OWNED)).isNull();
          });
          return call(HttpMethod.POST, "/twilio/phoneNumbers/import", new JsonObject().put("phoneNumber", OWNED))
              .map(imported -> {
                test.verify(() -> assertThat(purchases()).as("purchases by the import").isEqualTo(before));
                return imported;
              });
        })
        .onComplete(test.succeeding(r -> test.verify(() -> {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
          assertThat(r.bodyAsJsonObject().getJsonObject("data").getString("trunkSid")).isEqualTo(trunkSid);
          assertThat(retellNumber(OWNED)).isNotNull();
          test.completeNow();
        })));
  }

  @Test
  @Order(9)
  void theListIsPaged(VertxTestContext test) {
    call(HttpMethod.GET, "/phone-numbers?limit=2", null)
        .compose(first -> {
          String next = first.bodyAsJsonObject().getJsonObject("data").getString("next");
          test.verify(() -> {
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.bodyAsJsonObject().getJsonObject("data").getJsonArray("items")).hasSize(2);
            assertThat(next).isNotNull();
          });
          return call(HttpMethod.GET, "/phone-numbers?limit=2&after=" + next.replace("+", "%2B"), null)
              .map(second -> List.of(first, second));
        })
        .onComplete(test.succeeding(pages -> test.verify(() -> {
          List<String> all = new ArrayList<>();
          for (HttpResponse<Buffer> page : pages) {
            page.bodyAsJsonObject().getJsonObject("data").getJsonArray("items")
                .forEach(i -> all.add(((JsonObject) i).getString("phoneNumber")));
          }
          assertThat(all).containsExactly(BOUGHT, SECOND, NOT_IMPORTED, OWNED);
          assertThat(pages.get(1).bodyAsJsonObject().getJsonObject("data").getValue("next")).isNull();
          test.completeNow();
        })));
  }

  @Test
  @Order(10)
  void aNumberBrokenInRetellIsFoundByTheAuditAndFixed(VertxTestContext test) {
    // The origin incident: the number's auth_username emptied in Retell.
    h.client.patchAbs(h.retell.baseUrl() + "/update-phone-number/" + SECOND.replace("+", "%2B"))
        .bearerTokenAuthentication(retellKey)
        .sendJsonObject(new JsonObject().put("auth_username", ""))
        .compose(v -> call(HttpMethod.GET, "/twilio/retell-credentials", null))
        .compose(audit -> {
          test.verify(() -> {
            assertThat(audit.statusCode()).isEqualTo(200);
            JsonObject data = audit.bodyAsJsonObject().getJsonObject("data");
            assertThat(data.getLong("problemCount")).isEqualTo(1);
            assertThat(data.getJsonArray("results").getJsonObject(1).getString("status")).isEqualTo("MISSING_USERNAME");
          });
          return call(HttpMethod.POST, "/twilio/fix-retell-credentials", new JsonObject());
        })
        .compose(fix -> {
          test.verify(() -> {
            assertThat(fix.statusCode()).isEqualTo(200);
            assertThat(fix.bodyAsJsonObject().getString("message")).isEqualTo("Fixed credentials for 4 of 4 phone numbers");
          });
          return call(HttpMethod.GET, "/twilio/retell-credentials", null);
        })
        .onComplete(test.succeeding(audit -> test.verify(() -> {
          assertThat(audit.bodyAsJsonObject().getJsonObject("data").getLong("okCount")).isEqualTo(4);
          test.completeNow();
        })));
  }

  @Test
  @Order(11)
  void rotationMovesEveryNumberAndFinishesOnlyWhenAllMoved(VertxTestContext test) {
    h.retell.faults().add(FaultRule.on("PATCH", "/update-phone-number/*4155550112").error(500));
    call(HttpMethod.POST, "/twilio/credentials/rotate", null)
        .compose(partial -> {
          test.verify(() -> {
            assertThat(partial.statusCode()).as(partial.bodyAsString()).isEqualTo(207);
            assertThat(partial.bodyAsJsonObject().getJsonObject("data").getBoolean("finished")).isFalse();
          });
          h.retell.faults().clear();
          return sip().compose(pending -> call(HttpMethod.POST, "/twilio/credentials/rotate", new JsonObject())
              .map(done -> {
                test.verify(() -> {
                  assertThat(pending.pending()).isNotNull();
                  h.secret("the rotation's SIP password", pending.pending().password().reveal());
                  assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
                  JsonObject data = done.bodyAsJsonObject().getJsonObject("data");
                  assertThat(data.getBoolean("finished")).isTrue();
                  assertThat(data.getString("username")).isEqualTo(pending.pending().username());
                });
                return pending.pending();
              }));
        })
        .compose(rotated -> sip().map(now -> {
          test.verify(() -> {
            assertThat(now.username()).isEqualTo(rotated.username());
            assertThat(now.pending()).isNull();
            for (String phone : List.of(BOUGHT, SECOND, NOT_IMPORTED, OWNED)) {
              assertThat(retellNumber(phone).getJsonObject("sip_outbound_trunk_config").getString("auth_username"))
                  .isEqualTo(rotated.username());
              assertThat(h.retell.checkPassword(retellKey, phone, now.password().reveal())).isTrue();
            }
          });
          return now;
        }))
        .onComplete(test.succeeding(v -> test.completeNow()));
  }

  @Test
  @Order(12)
  void badInputsChangeNothing(VertxTestContext test) {
    long before = purchases();
    Future.all(List.of(
            h.send(h.request(HttpMethod.POST, h.path(tenant, "/twilio/phoneNumbers/purchase"), token)
                .putHeader("Idempotency-Key", "bad-1").putHeader("Content-Type", "application/json"),
                Buffer.buffer("{\"phoneNumber\": {\"$gt\": \"\"}}")),
            call(HttpMethod.PUT, "/retell", new JsonObject().put("apiKey", new JsonObject().put("$ne", ""))),
            call(HttpMethod.PUT, "/twilio", new JsonObject().put("accountSid", accountSid)
                .put("authToken", "a-valid-shape-1").put("extra", 1)),
            h.send(h.request(HttpMethod.PUT, h.path(tenant, "/retell"), token)
                .putHeader("Content-Type", "application/json"), Buffer.buffer("{\"apiKey\": \"key_1234567")),
            h.send(h.request(HttpMethod.POST, h.path(tenant, "/twilio/phoneNumbers/purchase"), token)
                .putHeader("Idempotency-Key", "bad-2").putHeader("Content-Type", "application/json"),
                Buffer.buffer("{\"phoneNumber\":\"+13125550170\",\"pad\":\"" + "x".repeat(200_000) + "\"}"))))
        .compose(all -> {
          test.verify(() -> {
            GatewayEdgeTest.assertError(all.resultAt(0), 400, "INVALID_TYPE");
            GatewayEdgeTest.assertError(all.resultAt(1), 400, "INVALID_TYPE");
            assertThat(GatewayEdgeTest.assertError(all.resultAt(2), 400, "UNKNOWN_FIELD").getJsonObject("details")
                .getString("field")).isEqualTo("extra");
            GatewayEdgeTest.assertError(all.resultAt(3), 400, "MALFORMED_JSON");
            GatewayEdgeTest.assertError(all.resultAt(4), 413, "PAYLOAD_TOO_LARGE");
            assertThat(purchases()).isEqualTo(before);
          });
          return Bus.request(h.vertx, Addresses.Store.RETELL_KEY_GET, new TenantRef(tenant),
              StoreMessages.RetellKey.class, 10_000, "test");
        })
        .onComplete(test.succeeding(key -> test.verify(() -> {
          assertThat(key.apiKey().reveal()).isEqualTo(retellKey);
          test.completeNow();
        })));
  }

  @Test
  @Order(13)
  void removeReleaseAndTeardown(VertxTestContext test) {
    String trunkPath = h.path(tenant, "/twilio-trunk");
    String boughtSid = twilioNumber(BOUGHT).getString("sid");
    List<String> released = List.of(SECOND, NOT_IMPORTED, OWNED);
    call(HttpMethod.DELETE, "/phone-numbers/" + BOUGHT.replace("+", "%2B"), null)
        .compose(removed -> h.storedNumbers(tenant).map(stored -> {
          test.verify(() -> {
            assertThat(removed.statusCode()).as(removed.bodyAsString()).isEqualTo(200);
            JsonObject data = removed.bodyAsJsonObject().getJsonObject("data");
            assertThat(data.getBoolean("released")).isFalse();
            assertThat(data.getJsonArray("removedFrom")).containsExactly("retell", "trunk");
            assertThat(data.getString("retellStatus")).isEqualTo("REMOVED");
            // Out of Retell and off the trunk, still in the Twilio account, recorded REMOVED.
            assertThat(retellNumber(BOUGHT)).isNull();
            assertThat(trunkNumberSids()).doesNotContain(boughtSid);
            assertThat(twilioNumber(BOUGHT).getString("sid")).isEqualTo(boughtSid);
            assertThat(stored).filteredOn(n -> n.phoneNumber().equals(BOUGHT))
                .extracting(StoreMessages.PhoneNumber::retellStatus).containsExactly(RetellStatus.REMOVED);
          });
          return stored;
        }))
        .compose(v -> h.send(h.request(HttpMethod.DELETE, trunkPath, null).putHeader("X-Service-Token", h.serviceToken),
            null))
        .compose(blocked -> {
          test.verify(() -> {
            GatewayEdgeTest.assertError(blocked, 409, "NUMBERS_REMAIN");
            assertThat(h.twilio.trunks(accountSid)).singleElement()
                .satisfies(trunk -> assertThat(trunk.getString("sid")).isEqualTo(trunkSid));
          });
          Future<?> chain = Future.succeededFuture();
          for (String phone : released) {
            chain = chain.compose(v -> call(HttpMethod.DELETE, "/phone-numbers/" + phone.replace("+", "%2B")
                + "?release=true", null).map(r -> {
                  test.verify(() -> {
                    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
                    JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
                    assertThat(data.getBoolean("released")).isTrue();
                    assertThat(data.getJsonArray("removedFrom")).containsExactly("retell", "trunk", "twilio");
                    // Released at Twilio (gone from the account, so from the trunk too) and out of Retell.
                    assertThat(retellNumber(phone)).as("%s in Retell", phone).isNull();
                    assertThat(h.twilio.incomingNumbers(accountSid))
                        .noneMatch(n -> phone.equals(n.getString("phone_number")));
                  });
                  return r;
                }));
          }
          return chain;
        })
        .compose(v -> h.storedNumbers(tenant))
        .compose(stored -> {
          test.verify(() -> {
            // Released numbers' records are deleted; the removed one stays, REMOVED.
            assertThat(stored).extracting(StoreMessages.PhoneNumber::phoneNumber).containsExactly(BOUGHT);
            assertThat(trunkNumberSids()).isEmpty();
          });
          return h.send(h.request(HttpMethod.DELETE, trunkPath, null).putHeader("X-Service-Token", h.serviceToken),
              null);
        })
        .compose(teardown -> Bus.request(h.vertx, Addresses.Store.CONNECTOR_GET, new TenantRef(tenant),
            StoreMessages.Connector.class, 10_000, "test").map(connector -> {
              test.verify(() -> {
                assertThat(teardown.statusCode()).as(teardown.bodyAsString()).isEqualTo(200);
                JsonObject data = teardown.bodyAsJsonObject().getJsonObject("data");
                assertThat(data.getBoolean("deleted")).isTrue();
                assertThat(data.getString("trunkSid")).isEqualTo(trunkSid);
                // The trunk and the credential list Trunkline created are gone at Twilio, and from the store.
                assertThat(h.twilio.trunks(accountSid)).isEmpty();
                assertThat(h.twilio.credentialLists(accountSid)).isEmpty();
                assertThat(connector.trunk()).as("the stored trunk").isNull();
                // The removed (not released) number is still the tenant's at Twilio, on no trunk.
                assertThat(twilioNumber(BOUGHT).getString("sid")).isEqualTo(boughtSid);
              });
              return connector;
            }))
        .onComplete(test.succeedingThenComplete());
  }

  /** The number as the Twilio simulator holds it in the tenant's account; fails when it is not there. */
  private static JsonObject twilioNumber(String phone) {
    return h.twilio.incomingNumbers(accountSid).stream().filter(n -> phone.equals(n.getString("phone_number")))
        .findFirst().orElseThrow(() -> new AssertionError(phone + " is not in the Twilio account"));
  }

  /** The SIDs of the numbers on the tenant's trunk at Twilio. */
  private static List<Object> trunkNumberSids() {
    return h.twilio.trunks(accountSid).stream().filter(t -> trunkSid.equals(t.getString("sid")))
        .findFirst().orElseThrow().getJsonArray("phone_number_sids").getList();
  }
}
