#!/usr/bin/env bash
# The projection benchmark (BENCHMARKS.md): 1,000,000 events over 10,000 flags on an in-process
# KRaft broker; the replay's rebuild throughput, time travel on a flag with 10,000 versions
# (in-process and over HTTP), and a live projection-service folding the same log from zero.
# Extra arguments go to the driver (e.g. --events 300000 --skip-live).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -DskipTests -pl deploy/load-driver -am package
classpath="deploy/load-driver/target/classes:$(cat deploy/load-driver/target/classpath.txt)"
exec java -Xmx3g -cp "$classpath" io.flagplane.load.LoadDriver rebuild "$@"
