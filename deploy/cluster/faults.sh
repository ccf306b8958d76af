#!/usr/bin/env bash
# The fault-injection suite (RELIABILITY.md, issue 11): starts the whole cluster in a fresh data
# dir (deploy/cluster/flagplane-cluster), runs the Java driver deploy/faults (io.flagplane.faults.
# FaultSuite) against it, stops the cluster. Exit 0 when every check held, 1 when any failed
# (lost, duplicated or misplaced data above all), 2 on a usage or start-up error.
#   deploy/cluster/faults.sh [--record] [driver options: --faults 1,2,3,4,5,6,7 --rate 200 --load-seconds 20]
#   --record   append the run's figures (machine, date, command) to RELIABILITY.md
# Fault 7 is two parts: the driver probes the standby command-service (StandbyProbes), then this
# script points the hostile-input suite (deploy/local-stack HostileInputIT) at the cluster's active
# command-service, projection-1 and edge-1 and appends its summary line to the report.
# Not part of `mvn verify` (eleven JVMs, several minutes); CI runs the in-JVM variant instead
# (command-service FailoverUnderLoadIT).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
record=false
if [ "${1:-}" = "--record" ]; then record=true; shift; fi
# the driver's options are checked here, before eleven JVMs start for nothing; --faults is noted for fault 7
faults_arg="1,2,3,4,5,6,7"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    -h|--help)
      sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      echo "Examples:"
      echo "  deploy/cluster/faults.sh --record                       # every fault, figures appended to RELIABILITY.md"
      echo "  deploy/cluster/faults.sh --faults 2,3 --load-seconds 10 # the failover faults only"
      exit 0 ;;
    --faults|--rate|--load-seconds)
      if [ $((i + 1)) -ge ${#args[@]} ]; then echo "faults: ${args[$i]} needs a value" >&2; exit 2; fi
      if [ "${args[$i]}" = "--faults" ]; then faults_arg="${args[$((i + 1))]}"; fi
      i=$((i + 1)) ;;
    *) echo "faults: unknown argument ${args[$i]} (try --help)" >&2; exit 2 ;;
  esac
done
if [ -z "${FLAGPLANE_CLUSTER_DIR:-}" ]; then
  export FLAGPLANE_CLUSTER_DIR="$here/target/faults-$$"
fi
cluster="$here/flagplane-cluster"

if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$(( ${FLAGPLANE_CLUSTER_PORT_BASE:-19000} + 81 ))/subjects"; then
  echo "faults: a cluster already answers on this machine's ports; stop it first" >&2
  exit 2
fi

cleanup() {
  "$cluster" stop >/dev/null 2>&1 || true
  case "$FLAGPLANE_CLUSTER_DIR" in "$here"/target/faults-*) rm -rf "$FLAGPLANE_CLUSTER_DIR" ;; esac
}
trap cleanup EXIT

(cd "$repo" && mvn -q -B -DskipTests -pl deploy/faults,deploy/distribution -am package)
began=$SECONDS
"$cluster" start | tail -n 1
echo "faults: cluster started in $((SECONDS - began)) s"

cp="$repo/deploy/faults/target/classes:$(cat "$repo/deploy/faults/target/classpath.txt")"
report="$repo/deploy/faults/target/report.md"
status=0
java -Xmx256m -cp "$cp" io.flagplane.faults.FaultSuite --cluster-dir "$FLAGPLANE_CLUSTER_DIR" --script "$cluster" \
  --report "$report" "$@" || status=$?

if [[ ",$faults_arg," == *",7,"* ]]; then
  echo "faults: fault 7, the hostile-input suite against the cluster's active services"
  hostile_log="$repo/deploy/faults/target/hostile.log"
  hostile_status=0
  (cd "$repo" && mvn -B -o -pl deploy/local-stack -am verify -Dit.test=HostileInputIT -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dhostile.cluster.dir="$FLAGPLANE_CLUSTER_DIR") > "$hostile_log" 2>&1 || hostile_status=$?
  {
    echo
    echo "### 7. Hostile input at the active services (HostileInputIT against the cluster)"
    echo
    echo "- $(grep -m1 'hostile summary' "$hostile_log" || echo 'no summary line (see deploy/faults/target/hostile.log)')"
    if [ "$hostile_status" = 0 ]; then
      echo "- ok: HostileInputIT passed (0 responses 5xx, 0 hangs, 0 events from rejected input)"
    else
      echo "- FAILED: HostileInputIT exit $hostile_status (deploy/faults/target/hostile.log, deploy/local-stack/target/hostile-report/)"
    fi
  } >> "$report"
  if [ "$hostile_status" != 0 ]; then status=1; fi
fi

if $record; then
  {
    echo
    echo "## Fault injection on the three-broker cluster, $(date -u +%Y-%m-%d)"
    echo
    echo "**Machine:** $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), \
$(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.  "
    echo "**Command:** \`deploy/cluster/faults.sh --record $*\` (exit $status)."
    echo
    cat "$report"
  } >> "$repo/RELIABILITY.md"
  echo "faults: figures appended to RELIABILITY.md"
fi
exit $status
