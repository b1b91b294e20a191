package dev.trunkline.bench;

import dev.trunkline.contract.Redaction;
import dev.trunkline.contract.Secret;
import java.util.List;

/**
 * The price of blanking upstream text with {@link Redaction#upstreamText} (every encoding, any run of 8
 * characters) against the exact-match replacement the Retell client did before (the baseline), for the secrets of
 * one Twilio call (token, Basic auth value, a SIP password) and two texts: a typical Twilio error message and one
 * at the length bound (400 characters are scanned) that echoes a piece of the token.
 */
final class RedactionBenchmark {
  private static final String TOKEN = "9f2c7e4a1b8d3f6e0a5c2b7d4e1f8a3c";
  private static final List<Secret> SECRETS = List.of(new Secret(TOKEN),
      Redaction.basicAuthValue("AC0123456789abcdef0123456789abcdef", new Secret(TOKEN)),
      new Secret("Pw7hQ2xV9mK4nL8sR3tZ4cYb"));
  private static volatile long sink;

  private RedactionBenchmark() {}

  static void run(boolean quick) {
    int calls = quick ? 20_000 : 200_000;
    String typical = "Unable to create record: Authenticate. See https://www.twilio.com/docs/errors/20003 for more";
    String bounded = "x".repeat(388) + " " + TOKEN.substring(0, 11);
    System.out.printf("%n== upstream text redaction: %d calls per run, 3 secrets, median of 5%n", calls);
    for (String text : List.of(typical, bounded)) {
      exact(text, calls / 5); // warm-up
      redaction(text, calls / 5);
      long[] base = new long[5];
      long[] full = new long[5];
      for (int i = 0; i < base.length; i++) { // interleaved, so drift hits both alike
        base[i] = exact(text, calls);
        full[i] = redaction(text, calls);
      }
      double b = Benchmarks.median(base) / 1e3 / calls;
      double f = Benchmarks.median(full) / 1e3 / calls;
      System.out.printf("%3d chars: exact match (baseline) %6.2f us/call, Redaction.upstreamText %6.2f us/call"
          + "   %.0fx%n", text.length(), b, f, f / b);
    }
  }

  private static long exact(String text, int calls) {
    long started = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      String cleaned = text.replaceAll("[\\r\\n\\t]+", " ");
      for (Secret secret : SECRETS) {
        cleaned = cleaned.replace(secret.reveal(), Redaction.MARK);
      }
      sink += cleaned.length();
    }
    return System.nanoTime() - started;
  }

  private static long redaction(String text, int calls) {
    long started = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      sink += Redaction.upstreamText(text, SECRETS).length();
    }
    return System.nanoTime() - started;
  }
}
