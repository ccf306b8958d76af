#!/usr/bin/env bash
# HTTP evaluation throughput of one edge node (BENCHMARKS.md, issue 6): wrk against the bare
# endpoint on the same server, single-flag OFREP evaluation, and bulk evaluation of 100 flags.
# Needs wrk (Debian: apt-get install wrk). Extra arguments go to every wrk run (e.g. -d30s).
# REPORTING=false runs the node with evaluator reporting (and usage counting) off; the default is on.
# EXPOSURES=false runs it with exposure logging off; the default is on. The "experiment" run evaluates a
# flag under a running experiment for USERS distinct users (default 10000), round-robin, so each is
# logged once and every later request is a de-duplicated exposure; the node prints what it logged at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "edge-http.sh needs wrk: apt-get install wrk" >&2; exit 2; }
mvn -q -B -DskipTests -pl deploy/load-driver -am package
classpath="deploy/load-driver/target/classes:$(cat deploy/load-driver/target/classpath.txt)"
log=$(mktemp)
java -Xmx1g -cp "$classpath" io.flagplane.load.LoadDriver edge-serve --flags 100 --reporting "${REPORTING:-true}" \
  --exposures "${EXPOSURES:-true}" >"$log" 2>&1 &
server=$!
script=""
users=""
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; grep "^EXPOSURES " "$log" || true; rm -f "$log" "$script" "$users"' EXIT
for _ in $(seq 1 120); do grep -q '^READY ' "$log" && break; sleep 0.5; done
grep -q '^READY ' "$log" || { cat "$log"; echo "the edge node did not start" >&2; exit 1; }
url=$(grep '^READY ' "$log" | cut -d' ' -f2)
token=$(grep '^TOKEN ' "$log" | cut -d' ' -f2)
flag=$(grep '^FLAG ' "$log" | cut -d' ' -f2)
experiment=$(grep '^EXPERIMENT_FLAG ' "$log" | cut -d' ' -f2)
script=$(mktemp --suffix=.lua)
cat >"$script" <<LUA
wrk.method = "POST"
wrk.body = '{"context":{"targetingKey":"user-4711","tier":"pro","country":"DE","appVersion":"4.3.1"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
users=$(mktemp --suffix=.lua)
cat >"$users" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
local n = 0
request = function()
  n = (n + 1) % ${USERS:-10000}
  return wrk.format(nil, nil, nil, '{"context":{"targetingKey":"user-' .. n .. '","tier":"pro"}}')
end
LUA
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); wrk -t1 -c16 -d15s (after a 5 s warm-up of each); reporting ${REPORTING:-true}, exposures ${EXPOSURES:-true}"
run() {
  local name=$1 path=$2 lua=$3
  shift 3
  wrk -t1 -c16 -d5s -s "$lua" "$url$path" >/dev/null
  echo
  echo "### $name  POST $path"
  wrk -t1 -c16 -d15s --latency -s "$lua" "$@" "$url$path" | grep -E "Requests/sec|Latency|50%|99%|requests in|Non-2xx"
}
run bare /bench/bare "$script" "$@"
run single "/ofrep/v1/evaluate/flags/$flag" "$script" "$@"
run experiment "/ofrep/v1/evaluate/flags/$experiment" "$users" "$@"
run bulk-100 /ofrep/v1/evaluate/flags "$script" "$@"
