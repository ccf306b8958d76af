#!/usr/bin/env bash
# The edge benchmarks (BENCHMARKS.md, issue 6) that run in one JVM: kill-switch propagation to
# 20 edge nodes through the whole pipeline, and cold start with 10,000 flags. Arguments go to the
# propagation run (e.g. `--reporting false` for the pair with evaluator reporting off;
# `--fold-reports false` to send reports where the projection does not fold them; `--telemetry-apart
# false` for the projection's layout before issue 12's fix; `LoadDriver propagation --help` lists all).
# propagation-pairs.sh runs several option sets back to back with load averages. For HTTP
# throughput with wrk see edge-http.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -DskipTests -pl deploy/load-driver -am package
classpath="deploy/load-driver/target/classes:$(cat deploy/load-driver/target/classpath.txt)"
java -Xmx2g -cp "$classpath" io.flagplane.load.LoadDriver propagation "$@"
echo
java -Xmx1g -Djdk.attach.allowAttachSelf=true -cp "$classpath" io.flagplane.load.LoadDriver cold-start
