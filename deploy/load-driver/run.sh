#!/usr/bin/env bash
# The command-service benchmark (BENCHMARKS.md). Starts the local stack in a scratch data dir as
# its own JVM and drives it over HTTP from another: saturation and a fixed 200 commands/s, for
# single commands and for 10-command change sets. It runs twice: with only the write path up
# (broker, registry, command-service: local.services=command) and with the whole local stack
# (projection and edge node folding and tailing every event on the same two cores).
#   deploy/load-driver/run.sh [command|all|both] [driver options, e.g. --duration 60]
# Each stack is first driven unmeasured for STACK_WARMUP seconds (default 150): a freshly started
# stack on two cores climbed from ~940 to over 3,000 commands/s in its first two minutes while the
# JIT compiled it (15.5-17.6 s of compiler CPU in each 15 s window from 15 s to 75 s), so anything shorter
# measures the compiler (BENCHMARKS.md, issue 17 part 4). STACK_WARMUP=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:-both}
[ $# -gt 0 ] && shift

mvn -q -B -DskipTests -pl deploy/local-stack,deploy/load-driver -am package
stack_cp="deploy/local-stack/target/classes:$(cat deploy/local-stack/target/classpath.txt)"
driver_cp="deploy/load-driver/target/classes:$(cat deploy/load-driver/target/classpath.txt)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"

stack=""
data=""
stop_stack() {
  if [ -n "$stack" ]; then kill "$stack" 2>/dev/null || true; wait "$stack" 2>/dev/null || true; stack=""; fi
  if [ -n "$data" ]; then rm -rf "$data"; data=""; fi
}
trap stop_stack EXIT

# the command driver against the running stack's command-service, with the stack's admin token
drive() {
  java -Xmx512m -cp "$driver_cp" io.flagplane.load.LoadDriver commands --token-file "$data/admin-token" "$@"
}

run_against() {
  local services=$1
  shift
  data=$(mktemp -d /tmp/flagplane-bench.XXXXXX)
  FLAGPLANE_DATA_DIR="$data" FLAGPLANE_LOCAL_SERVICES="$services" java -Xmx1g -cp "$stack_cp" io.flagplane.local.LocalStack \
    >"$data/stack.log" 2>&1 &
  stack=$!
  for _ in $(seq 1 120); do
    grep -q "local stack ready" "$data/stack.log" && break
    kill -0 "$stack" 2>/dev/null || { cat "$data/stack.log"; echo "the local stack did not start" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "local stack ready" "$data/stack.log" || { cat "$data/stack.log"; echo "the stack was not ready in 60 s" >&2; exit 1; }
  echo
  echo "================ local.services=$services"
  local warmup=${STACK_WARMUP:-150}
  if [ "$warmup" -gt 0 ]; then
    echo "warming the stack up: ${warmup} s of unmeasured single commands at saturation (the rate it reached:)"
    drive --environment "warmup$RANDOM" --rate 0 --batch 1 --warmup "$warmup" --duration 1 | grep -E 'lately' | tail -3 || true
  fi
  for scenario in "--rate 0 --batch 1" "--rate 0 --batch 10" "--rate 200 --batch 1" "--rate 200 --batch 10"; do
    echo
    echo "### $scenario $*"
    # shellcheck disable=SC2086
    drive --environment "e$RANDOM" $scenario "$@"
  done
  stop_stack
}

case "$which" in
  command) run_against command "$@" ;;
  all) run_against all "$@" ;;
  both) run_against command "$@"; run_against all "$@" ;;
  *) echo "usage: $0 [command|all|both] [driver options]" >&2; exit 2 ;;
esac
