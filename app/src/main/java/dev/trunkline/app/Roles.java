package dev.trunkline.app;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The parts of Trunkline a node runs. All-in-one runs every role. */
public enum Roles {
  STORE, TWILIO, RETELL, PROVISIONING, GATEWAY;

  static final String KNOWN = "gateway,provisioning,twilio,retell,store";

  /** Parses {@code gateway,twilio,...}; an unknown role is an error that names the known ones. */
  public static Set<Roles> parse(String csv) {
    if (csv == null || csv.isBlank()) {
      return EnumSet.allOf(Roles.class);
    }
    EnumSet<Roles> roles = EnumSet.noneOf(Roles.class);
    for (String part : csv.split(",")) {
      String name = part.trim().toUpperCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      try {
        roles.add(Roles.valueOf(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown role '" + part.trim() + "': use any of " + KNOWN);
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("no role given: use any of " + KNOWN);
    }
    return roles;
  }
}
