package dev.trunkline.twilio.trunk;

import dev.trunkline.contract.Secret;
import java.security.SecureRandom;

/**
 * SIP passwords that meet Twilio's policy (at least 12 characters, a digit, lower and upper case), drawn
 * from {@link SecureRandom}: 24 characters of letters and digits (about 142 bits), with one of each required
 * class placed at a random position.
 */
public final class PasswordGenerator {
  public static final int LENGTH = 24;
  private static final String LOWER = "abcdefghijkmnopqrstuvwxyz";
  private static final String UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  private static final String DIGITS = "23456789";
  private static final String ALL = LOWER + UPPER + DIGITS;

  private final SecureRandom random;

  public PasswordGenerator() {
    this(new SecureRandom());
  }

  PasswordGenerator(SecureRandom random) {
    this.random = random;
  }

  public Secret next() {
    char[] chars = new char[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      chars[i] = ALL.charAt(random.nextInt(ALL.length()));
    }
    // Guarantee each class at distinct positions, without making those positions predictable.
    int[] positions = distinctPositions(3);
    chars[positions[0]] = LOWER.charAt(random.nextInt(LOWER.length()));
    chars[positions[1]] = UPPER.charAt(random.nextInt(UPPER.length()));
    chars[positions[2]] = DIGITS.charAt(random.nextInt(DIGITS.length()));
    return new Secret(new String(chars));
  }

  private int[] distinctPositions(int count) {
    int[] order = new int[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      order[i] = i;
    }
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(LENGTH - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return java.util.Arrays.copyOf(order, count);
  }

  /** Twilio's policy, checked the way Twilio states it. */
  public static boolean meetsPolicy(String password) {
    return password != null && password.length() >= 12 && password.chars().anyMatch(Character::isDigit)
        && password.chars().anyMatch(Character::isLowerCase) && password.chars().anyMatch(Character::isUpperCase);
  }
}
