#!/usr/bin/env bash
# Side-by-side evaluation benchmark: Flagplane vs LaunchDarkly, Unleash and flagd, one JMH run.
# Usage: evaluator-edge/benchmarks/run.sh [extra JMH options]   (e.g. -f 2 -wi 5 -i 10)
# BENCH=ExposureBenchmark runs exposure logging on vs off instead (a flag under a running experiment).
# BENCH=RealWorldBenchmark runs issue 17's real-world shapes: the public FlagplaneClient (offline, from a
# snapshot file) vs LaunchDarkly's LDClient, and the engine alone. On a shared machine add
# -prof io.flagplane.bench.CpuTimeProfiler for CPU time per operation beside wall-clock time.
# Prints ns/op and, with the gc profiler, bytes/op (gc.alloc.rate.norm).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -DskipTests -pl evaluator-edge/benchmarks -am package
cp="evaluator-edge/benchmarks/target/classes:$(cat evaluator-edge/benchmarks/target/classpath.txt)"
exec java -cp "$cp" org.openjdk.jmh.Main "${BENCH:-EvaluationBenchmark}" -prof gc -rf text -rff evaluator-edge/benchmarks/target/jmh-result.txt "$@"
