package dev.trunkline.simulators;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The state of the Retell simulator: one map of numbers per workspace (per API key), with the rules of the published
 * phone-number API. All methods are synchronized: the HTTP event loop and test threads both call in, and every
 * operation is a few map accesses, so one lock is simpler than finer ones and never blocks for long.
 *
 * <p>A workspace is identified by {@link #workspaceId(String)}, a hash of the API key, so the key itself is never
 * kept as a map key or shown in an admin view.
 */
final class RetellWorkspaces {

  static final int MAX_WORKSPACES = 10_000;
  static final int MAX_NUMBERS_PER_WORKSPACE = 100_000;
  static final int DEFAULT_LIST_LIMIT = 50;
  static final int MAX_LIST_LIMIT = 1000;

  /** What Retell accepts (its document), not contract Identifiers: the simulators use no product code. */
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");
  private static final List<String> TRANSPORTS = List.of("TLS", "TCP", "UDP");

  private final Map<String, Map<String, RetellPhoneNumber>> workspaces = new HashMap<>();
  private long sequence;

  static String workspaceId(String apiKey) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder("ws_");
      for (int i = 0; i < 8; i++) {
        hex.append(String.format("%02x", digest[i]));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized JsonObject importNumber(String workspace, JsonObject body, boolean seeding) {
    String phone = requiredString(body, "phone_number");
    String terminationUri = seeding ? optionalString(body, "termination_uri") : requiredString(body, "termination_uri");
    // The document: "If omitted, default is true", so only an explicit false asks for E.164 validation.
    if (Boolean.FALSE.equals(body.getValue("ignore_e164_validation")) && !E164.matcher(phone).matches()) {
      throw new RetellException(400, "phone_number must be in E.164 format, e.g. +14155550100");
    }
    Map<String, RetellPhoneNumber> numbers = workspace(workspace);
    if (numbers.containsKey(phone)) {
      // What Retell answers here is not documented; 400 is the only client error the document lists for import.
      throw new RetellException(400, "Phone number " + phone + " already exists in this workspace");
    }
    if (numbers.size() >= MAX_NUMBERS_PER_WORKSPACE) {
      throw new RetellException(400, "Too many phone numbers in this workspace");
    }
    RetellPhoneNumber number = new RetellPhoneNumber(phone, ++sequence);
    number.terminationUri = terminationUri;
    number.transport = transport(body, "TCP");
    // The origin incident: a number imported without a username ends up with an empty auth_username.
    String username = optionalString(body, seeding && body.containsKey("auth_username")
        ? "auth_username" : "sip_trunk_auth_username");
    number.authUsername = username == null ? "" : username;
    number.authPassword = optionalString(body, seeding && body.containsKey("auth_password")
        ? "auth_password" : "sip_trunk_auth_password");
    applyImportFields(number, body);
    number.lastModified = System.currentTimeMillis();
    numbers.put(phone, number);
    return number.toResponse();
  }

  /**
   * PATCH semantics of the published API: only the update body's own field names are applied; anything else
   * (notably the import names {@code sip_trunk_auth_username}/{@code sip_trunk_auth_password}) is ignored.
   */
  synchronized JsonObject update(String workspace, String phone, JsonObject body) {
    RetellPhoneNumber number = existing(workspace, phone);
    String transport = body.containsKey("transport") ? transport(body, number.transport) : number.transport;
    // Validate everything before changing anything, so a rejected PATCH leaves the number as it was.
    String username = body.containsKey("auth_username") ? optionalString(body, "auth_username") : number.authUsername;
    String password = body.containsKey("auth_password") ? optionalString(body, "auth_password") : number.authPassword;
    String terminationUri = body.containsKey("termination_uri")
        ? optionalString(body, "termination_uri") : number.terminationUri;
    RetellPhoneNumber probe = new RetellPhoneNumber(phone, 0);
    applyUpdateFields(probe, body);
    number.transport = transport;
    number.authUsername = username;
    number.authPassword = password;
    number.terminationUri = terminationUri;
    applyUpdateFields(number, body);
    number.lastModified = Math.max(number.lastModified + 1, System.currentTimeMillis());
    return number.toResponse();
  }

  synchronized JsonObject get(String workspace, String phone) {
    return existing(workspace, phone).toResponse();
  }

  synchronized void delete(String workspace, String phone) {
    existing(workspace, phone);
    workspace(workspace).remove(phone);
  }

  /** {@code /v2/list-phone-numbers}: ordered by import time, the pagination key is the last number returned. */
  synchronized JsonObject list(String workspace, int limit, String paginationKey, boolean ascending) {
    List<RetellPhoneNumber> all = new ArrayList<>(workspace(workspace).values());
    Comparator<RetellPhoneNumber> order = Comparator.comparingLong(n -> n.sequence);
    all.sort(ascending ? order : order.reversed());
    int start = 0;
    if (paginationKey != null) {
      start = -1;
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).phoneNumber.equals(paginationKey)) {
          start = i + 1;
          break;
        }
      }
      if (start < 0) {
        throw new RetellException(400, "pagination_key does not name a phone number of this workspace");
      }
    }
    int end = Math.min(all.size(), start + limit);
    JsonArray items = new JsonArray();
    for (int i = start; i < end; i++) {
      items.add(all.get(i).toResponse());
    }
    boolean hasMore = end < all.size();
    JsonObject page = new JsonObject().put("items", items).put("has_more", hasMore);
    if (hasMore) {
      page.put("pagination_key", all.get(end - 1).phoneNumber);
    }
    return page;
  }

  synchronized boolean hasNumber(String workspace, String phone) {
    Map<String, RetellPhoneNumber> numbers = workspaces.get(workspace);
    return numbers != null && numbers.containsKey(phone);
  }

  synchronized Optional<JsonObject> view(String workspace, String phone) {
    Map<String, RetellPhoneNumber> numbers = workspaces.get(workspace);
    RetellPhoneNumber number = numbers == null ? null : numbers.get(phone);
    return Optional.ofNullable(number).map(RetellPhoneNumber::toResponse);
  }

  synchronized List<JsonObject> viewAll(String workspace) {
    Map<String, RetellPhoneNumber> numbers = workspaces.get(workspace);
    List<JsonObject> views = new ArrayList<>();
    if (numbers != null) {
      numbers.values().forEach(n -> views.add(n.toResponse()));
    }
    return views;
  }

  synchronized boolean checkPassword(String workspace, String phone, String password) {
    Map<String, RetellPhoneNumber> numbers = workspaces.get(workspace);
    RetellPhoneNumber number = numbers == null ? null : numbers.get(phone);
    return number != null && number.authPassword != null && MessageDigest.isEqual(
        number.authPassword.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
  }

  synchronized void clear() {
    workspaces.clear();
  }

  private Map<String, RetellPhoneNumber> workspace(String id) {
    Map<String, RetellPhoneNumber> numbers = workspaces.get(id);
    if (numbers == null) {
      if (workspaces.size() >= MAX_WORKSPACES) {
        throw new RetellException(500, "Too many workspaces in this simulator");
      }
      numbers = new LinkedHashMap<>();
      workspaces.put(id, numbers);
    }
    return numbers;
  }

  private RetellPhoneNumber existing(String workspace, String phone) {
    RetellPhoneNumber number = workspace(workspace).get(phone);
    if (number == null) {
      throw new RetellException(422, RetellSimulator.UNKNOWN_ASSET);
    }
    return number;
  }

  /** The optional fields an update body may carry besides the SIP ones (fields the import body also knows, plus more). */
  private static void applyUpdateFields(RetellPhoneNumber number, JsonObject body) {
    applyImportFields(number, body);
    if (body.containsKey("fallback_number")) {
      number.fallbackNumber = optionalString(body, "fallback_number");
    }
    if (body.containsKey("inbound_sms_webhook_url")) {
      number.inboundSmsWebhookUrl = optionalString(body, "inbound_sms_webhook_url");
    }
    if (body.containsKey("inbound_sms_agents")) {
      number.inboundSmsAgents = agents(body, "inbound_sms_agents");
    }
    if (body.containsKey("outbound_sms_agents")) {
      number.outboundSmsAgents = agents(body, "outbound_sms_agents");
    }
  }

  /** The optional non-SIP fields of the import body; anything else in an import body is ignored. */
  private static void applyImportFields(RetellPhoneNumber number, JsonObject body) {
    if (body.containsKey("nickname")) {
      number.nickname = optionalString(body, "nickname");
    }
    if (body.containsKey("inbound_webhook_url")) {
      number.inboundWebhookUrl = optionalString(body, "inbound_webhook_url");
    }
    if (body.containsKey("inbound_agents")) {
      number.inboundAgents = agents(body, "inbound_agents");
    }
    if (body.containsKey("outbound_agents")) {
      number.outboundAgents = agents(body, "outbound_agents");
    }
    if (body.containsKey("allowed_inbound_country_list")) {
      number.allowedInboundCountries = strings(body, "allowed_inbound_country_list");
    }
    if (body.containsKey("allowed_outbound_country_list")) {
      number.allowedOutboundCountries = strings(body, "allowed_outbound_country_list");
    }
  }

  private static String transport(JsonObject body, String fallback) {
    String transport = optionalString(body, "transport");
    if (transport == null) {
      return fallback;
    }
    if (!TRANSPORTS.contains(transport)) {
      throw new RetellException(400, "transport must be one of TLS, TCP, UDP");
    }
    return transport;
  }

  private static String requiredString(JsonObject body, String field) {
    String value = optionalString(body, field);
    if (value == null || value.isEmpty()) {
      throw new RetellException(400, field + " is required");
    }
    return value;
  }

  private static String optionalString(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw new RetellException(400, field + " must be a string");
  }

  private static JsonArray agents(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw new RetellException(400, field + " must be an array");
    }
    for (Object item : array) {
      if (!(item instanceof JsonObject agent) || !(agent.getValue("agent_id") instanceof String)
          || !(agent.getValue("weight") instanceof Number)) {
        throw new RetellException(400, field + " items need a string agent_id and a numeric weight");
      }
    }
    return array.copy();
  }

  private static JsonArray strings(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      throw new RetellException(400, field + " must be an array of strings");
    }
    return array.copy();
  }
}
