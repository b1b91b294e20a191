package dev.trunkline.bench;

import java.util.List;

/**
 * Runs every benchmark and prints its figures. Re-run with
 * {@code mvn -B -q -pl bench -am package -DskipTests exec:java} (add {@code -Dbench.quick=true} for a short
 * run); {@code budget} (fix time against N with the shipped configuration, issue 12) runs only when named, in a
 * 256 MiB heap: {@code mvn -B -q -pl bench -am package -DskipTests exec:exec@budget}. Each benchmark measures its own baseline in the same run and reports ratios: the machine is noisy,
 * absolute times are not comparable between runs, ratios are.
 */
public final class Benchmarks {
  private Benchmarks() {}

  public static void main(String[] args) throws Exception {
    // Figures only: the service's INFO lines (access log, deployments) would bury them.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    boolean quick = Boolean.getBoolean("bench.quick");
    List<String> only = args.length == 0 ? List.of("fix", "bus", "redaction") : List.of(args);
    if (only.contains("fix")) {
      FixFanOutBenchmark.run(quick);
    }
    if (only.contains("bus")) {
      BusCodecBenchmark.run(quick);
    }
    if (only.contains("redaction")) {
      RedactionBenchmark.run(quick);
    }
    if (only.contains("drift")) { // named only: a sweep over 10,000 numbers (exec:exec@drift, 128 MiB heap)
      DriftSweepBenchmark.run(quick);
    }
    if (only.contains("operation")) { // named only: an asynchronous fix of 10,000 (exec:exec@operation, 128 MiB heap)
      OperationBenchmark.run(quick);
    }
    if (only.contains("budget")) { // not in the default set: it takes minutes (the 20/s runs are 50 s by design)
      BudgetBenchmark.run(quick);
    }
    System.exit(0);
  }

  static long median(long[] values) {
    long[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
