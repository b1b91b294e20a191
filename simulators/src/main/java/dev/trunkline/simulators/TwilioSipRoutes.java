package dev.trunkline.simulators;

import static dev.trunkline.simulators.TwilioRoute.api;

import dev.trunkline.simulators.TwilioModel.Account;
import dev.trunkline.simulators.TwilioModel.Credential;
import dev.trunkline.simulators.TwilioModel.CredentialList;
import dev.trunkline.simulators.TwilioModel.Trunk;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The 2010 API's account fetch and SIP credential lists and credentials ({@code twilio_api_v2010.json}), with
 * Twilio's rules: usernames of at most 32 characters, unique within their list; passwords of at least 12 characters
 * with a digit, an upper-case and a lower-case letter; passwords accepted but never returned.
 */
final class TwilioSipRoutes {

  static final int MAX_USERNAME = 32;
  static final int MIN_PASSWORD = 12;
  private static final int MAX_FRIENDLY_NAME = 64;

  private final TwilioState state;

  TwilioSipRoutes(TwilioState state) {
    this.state = state;
  }

  List<TwilioRoute> routes() {
    String lists = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists.json";
    String list = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{Sid}.json";
    String credentials = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials.json";
    String credential =
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json";
    return List.of(
        api(HttpMethod.GET, "/2010-04-01/Accounts/{Sid}.json", "FetchAccount",
            call -> call.reply(200, TwilioViews.account(call.account()))),
        api(HttpMethod.POST, lists, "CreateSipCredentialList", this::createList),
        api(HttpMethod.GET, lists, "ListSipCredentialList", this::listLists),
        api(HttpMethod.GET, list, "FetchSipCredentialList", this::fetchList),
        api(HttpMethod.POST, list, "UpdateSipCredentialList", this::updateList),
        api(HttpMethod.DELETE, list, "DeleteSipCredentialList", this::deleteList),
        api(HttpMethod.POST, credentials, "CreateSipCredential", this::createCredential),
        api(HttpMethod.GET, credentials, "ListSipCredential", this::listCredentials),
        api(HttpMethod.GET, credential, "FetchSipCredential", this::fetchCredential),
        api(HttpMethod.POST, credential, "UpdateSipCredential", this::updateCredential),
        api(HttpMethod.DELETE, credential, "DeleteSipCredential", this::deleteCredential));
  }

  private void createList(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      TwilioState.checkCapacity(account.credentialLists, "credential lists");
      CredentialList list = new CredentialList(state.newSid("CL"));
      list.friendlyName = friendlyName(call);
      account.credentialLists.put(list.sid, list);
      reply = TwilioViews.credentialList(account.sid, list);
    }
    call.reply(201, reply);
  }

  private void updateList(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      CredentialList list = list(account, call.path("Sid"));
      list.friendlyName = friendlyName(call);
      list.updated = Instant.now();
      reply = TwilioViews.credentialList(account.sid, list);
    }
    call.reply(200, reply);
  }

  private static String friendlyName(TwilioCall call) {
    String name = call.string("FriendlyName");
    if (name == null || name.isBlank() || name.length() > MAX_FRIENDLY_NAME) {
      throw TwilioException.invalid("FriendlyName must be 1.." + MAX_FRIENDLY_NAME + " characters");
    }
    return name;
  }

  private void listLists(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      TwilioPaging.Page<CredentialList> page = TwilioPaging.cut(new ArrayList<>(account.credentialLists.values()),
          l -> l.sid, call.query());
      reply = TwilioPaging.v2010("credential_lists",
          TwilioTrunkRoutes.render(page, l -> TwilioViews.credentialList(account.sid, l)), call.requestPath(),
          call.query());
    }
    call.reply(200, reply);
  }

  private void fetchList(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      reply = TwilioViews.credentialList(account.sid, list(account, call.path("Sid")));
    }
    call.reply(200, reply);
  }

  private void deleteList(TwilioCall call) {
    synchronized (state) {
      Account account = call.account();
      CredentialList list = list(account, call.path("Sid"));
      for (Trunk trunk : account.trunks.values()) {
        trunk.credentialLists.remove(list.sid);
      }
      account.credentialLists.remove(list.sid);
    }
    call.noContent();
  }

  private void createCredential(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      CredentialList list = list(account, call.path("CredentialListSid"));
      String username = call.string("Username");
      if (username == null || username.isEmpty() || username.length() > MAX_USERNAME) {
        throw TwilioException.invalid("Username must be 1.." + MAX_USERNAME + " characters");
      }
      checkPasswordPolicy(call.string("Password"));
      if (list.credentials.values().stream().anyMatch(c -> c.username.equals(username))) {
        throw new TwilioException(409, TwilioErrors.DUPLICATE_USERNAME,
            "Username " + username + " already exists in credential list " + list.sid);
      }
      TwilioState.checkCapacity(list.credentials, "credentials");
      Credential credential = new Credential(state.newSid("CR"), username);
      credential.password = call.string("Password");
      list.credentials.put(credential.sid, credential);
      reply = TwilioViews.credential(account.sid, list, credential);
    }
    call.reply(201, reply);
  }

  private void updateCredential(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      CredentialList list = list(account, call.path("CredentialListSid"));
      Credential credential = credential(list, call.path("Sid"));
      if (call.has("Password")) {
        checkPasswordPolicy(call.string("Password"));
        credential.password = call.string("Password");
        credential.updated = Instant.now();
      }
      reply = TwilioViews.credential(account.sid, list, credential);
    }
    call.reply(200, reply);
  }

  /** Twilio's SIP credential password policy. The message never contains the password. */
  static void checkPasswordPolicy(String password) {
    if (password == null || password.length() < MIN_PASSWORD || password.chars().noneMatch(Character::isDigit)
        || password.chars().noneMatch(Character::isUpperCase) || password.chars().noneMatch(Character::isLowerCase)) {
      throw new TwilioException(400, TwilioErrors.PASSWORD_POLICY, "Password must be at least " + MIN_PASSWORD
          + " characters long and contain at least one digit, one upper-case and one lower-case letter");
    }
  }

  private void listCredentials(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      CredentialList list = list(account, call.path("CredentialListSid"));
      TwilioPaging.Page<Credential> page = TwilioPaging.cut(new ArrayList<>(list.credentials.values()), c -> c.sid,
          call.query());
      reply = TwilioPaging.v2010("credentials",
          TwilioTrunkRoutes.render(page, c -> TwilioViews.credential(account.sid, list, c)), call.requestPath(),
          call.query());
    }
    call.reply(200, reply);
  }

  private void fetchCredential(TwilioCall call) {
    JsonObject reply;
    synchronized (state) {
      Account account = call.account();
      CredentialList list = list(account, call.path("CredentialListSid"));
      reply = TwilioViews.credential(account.sid, list, credential(list, call.path("Sid")));
    }
    call.reply(200, reply);
  }

  private void deleteCredential(TwilioCall call) {
    synchronized (state) {
      CredentialList list = list(call.account(), call.path("CredentialListSid"));
      list.credentials.remove(credential(list, call.path("Sid")).sid);
    }
    call.noContent();
  }

  static CredentialList list(Account account, String sid) {
    CredentialList list = account.credentialLists.get(sid);
    if (list == null) {
      throw TwilioException.notFound("/2010-04-01/Accounts/" + account.sid + "/SIP/CredentialLists/" + sid + ".json");
    }
    return list;
  }

  private static Credential credential(CredentialList list, String sid) {
    Credential credential = list.credentials.get(sid);
    if (credential == null) {
      throw TwilioException.notFound("credential " + sid + " in credential list " + list.sid);
    }
    return credential;
  }
}
