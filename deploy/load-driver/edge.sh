#!/usr/bin/env bash
# The edge benchmarks (BENCHMARKS.md, issue 6) that run in one JVM: kill-switch propagation to
# 20 edge nodes through the whole pipeline, and cold start with 10,000 flags. Arguments go to the
# propagation run (e.g. `--reporting false` for the pair with evaluator reporting off). For HTTP
# throughput with wrk see edge-http.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -DskipTests -pl deploy/load-driver -am package
classpath="deploy/load-driver/target/classes:$(cat deploy/load-driver/target/classpath.txt)"
java -Xmx2g -cp "$classpath" io.flagplane.load.LoadDriver propagation "$@"
echo
java -Xmx1g -Djdk.attach.allowAttachSelf=true -cp "$classpath" io.flagplane.load.LoadDriver cold-start
