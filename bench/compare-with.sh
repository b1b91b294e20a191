#!/usr/bin/env bash
# Runs a benchmark of this working tree and of another commit alternately, so both see the same machine noise:
#   bench/compare-with.sh <git-ref> [benchmark] [rounds]     e.g. bench/compare-with.sh HEAD~3 fix 3
# JAVA_OPTS is passed to both JVMs (e.g. JAVA_OPTS=-Dbench.quick=true for a short run).
# Each side is built once (mvn package, no tests) in its own clone under ${TMPDIR:-/tmp}; the benchmark's own
# baseline and ratios are printed per run, then compare the medians of the two sides row by row.
set -euo pipefail
ref="${1:?usage: bench/compare-with.sh <git-ref> [fix|bus|redaction|budget] [rounds]}"
which="${2:-fix}"
rounds="${3:-2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/trunkline-bench-compare"
rm -rf "$work" && mkdir -p "$work"

build() { # <dir> -> classpath file
  (cd "$1" && mvn -B -q -pl bench -am package -DskipTests dependency:build-classpath \
      -Dmdep.outputFile="$1/bench.cp" >/dev/null)
  echo "$1/bench/target/classes:$(cat "$1/bench.cp")"
}

git clone -q "$root" "$work/this"
(cd "$root" && git diff HEAD) | (cd "$work/this" && git apply --allow-empty 2>/dev/null || true)
git clone -q "$root" "$work/other" && (cd "$work/other" && git checkout -q "$ref")
cp_this="$(build "$work/this")"
cp_other="$(build "$work/other")"
for round in $(seq 1 "$rounds"); do
  # Alternate which side goes first, so a trend in the machine's load does not favour one.
  order="other this"; [ $((round % 2)) -eq 0 ] && order="this other"
  for side in $order; do
    cp_var="cp_$side"
    echo "### round $round: $side ($( [ "$side" = this ] && echo "working tree" || echo "$ref"))"
    # Only the benchmark's table, not the node's log lines.
    java -Xmx512m ${JAVA_OPTS:-} -cp "${!cp_var}" dev.trunkline.bench.Benchmarks "$which" 2>/dev/null \
        | grep -E '^(==|[a-z]+ +[a-z]|[0-9]+ +[0-9])'
  done
done
