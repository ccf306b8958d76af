#!/usr/bin/env bash
# Kill-switch propagation runs back to back in one window (BENCHMARKS.md, issue 12): each argument
# is one run's options for `LoadDriver propagation`, quoted, e.g.
#   deploy/load-driver/propagation-pairs.sh "--reporting true" "--reporting false" "--reporting true" "--reporting false"
# Prints the load average before and after each run. Build first (edge.sh, or
# `mvn -q -B -DskipTests -pl deploy/load-driver -am package`); this script does not build.
set -euo pipefail
cd "$(dirname "$0")/../.."
classpath="deploy/load-driver/target/classes:$(cat deploy/load-driver/target/classpath.txt)"
run=0
for options in "$@"; do
  run=$((run + 1))
  echo "=== run $run: propagation $options"
  echo "start $(date -u +%H:%M:%S) load average $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086
  java -Xmx2g -cp "$classpath" io.flagplane.load.LoadDriver propagation $options 2>&1 | grep -v -E '^[0-9]{2}:[0-9]{2}:[0-9]{2}' || true
  echo "end   $(date -u +%H:%M:%S) load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
