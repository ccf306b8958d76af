#!/usr/bin/env bash
# The cluster's integration check: starts the whole topology (deploy/cluster/flagplane-cluster),
# creates a flag through the active command-service, waits until all three edge nodes serve it,
# kills it and waits for the kill everywhere, checks the standby refuses writes, then stops the
# cluster. Exit 0 when everything held, 1 otherwise. Not part of `mvn verify` (about a minute and
# eleven JVMs); run it by hand or in a CI job of its own:
#   deploy/cluster/smoke.sh                 (uses a fresh data dir under target/, removed afterwards)
#   FLAGPLANE_CLUSTER_DIR=… deploy/cluster/smoke.sh --keep   (keeps the data dir and the cluster running)
#   deploy/cluster/smoke.sh --secure        (the cluster secured: SASL_SSL, a SCRAM user and ACLs per service)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
keep=false
secure=()
for arg in "$@"; do
  case "$arg" in
    --keep) keep=true ;;
    --secure) secure=(--secure) ;;
  esac
done
if [ -z "${FLAGPLANE_CLUSTER_DIR:-}" ]; then
  export FLAGPLANE_CLUSTER_DIR="$here/target/smoke-$$"
fi
cluster="$here/flagplane-cluster"

fail() {
  echo "smoke: FAILED: $*" >&2
  "$cluster" status >&2 || true
  exit 1
}

cleanup() {
  if ! $keep; then
    "$cluster" stop >/dev/null 2>&1 || true
    case "$FLAGPLANE_CLUSTER_DIR" in "$here"/target/smoke-*) rm -rf "$FLAGPLANE_CLUSTER_DIR" ;; esac
  fi
}
trap cleanup EXIT

began=$SECONDS
"$cluster" start ${secure[@]+"${secure[@]}"}
started=$((SECONDS - began))
# shellcheck disable=SC1091
. "$FLAGPLANE_CLUSTER_DIR/cluster.env"
auth="Authorization: Bearer $(cat "$ADMIN_TOKEN_FILE")"

active=""
for url in "$COMMAND_A_URL" "$COMMAND_B_URL"; do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health/ready")" = 200 ]; then
    active="$url"
  else
    standby="$url"
  fi
done
[ -n "$active" ] || fail "no command-service is active"
[ -n "${standby:-}" ] || fail "both command-services say they are active"

key="smoke.flag-$$"
code="$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -XPOST "$standby/api/v1/environments/production/flags" \
  -d "{\"key\":\"$key\",\"type\":\"boolean\"}")"
[ "$code" = 503 ] || fail "the standby answered a write with $code, not 503"

code="$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -H "Idempotency-Key: $key" \
  -XPOST "$active/api/v1/environments/production/flags" -d "{\"key\":\"$key\",\"type\":\"boolean\",\"enabled\":true}")"
[ "$code" = 201 ] || fail "creating the flag answered $code"

# every edge serves the given value within 30 s
await_value() {
  local want="$1" deadline=$((SECONDS + 30)) edge body
  for edge in "$EDGE_1_URL" "$EDGE_2_URL" "$EDGE_3_URL"; do
    until body="$(curl -s -H "$auth" -XPOST "$edge/ofrep/v1/evaluate/flags/$key" -d '{"context":{"targetingKey":"user-1"}}')" \
        && [[ "$body" == *"\"value\":$want"* ]]; do
      [ $SECONDS -lt $deadline ] || fail "$edge still answers $body (wanted value $want)"
      sleep 0.1
    done
  done
}
await_value true
echo "smoke: $key is served by all three edges"

code="$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -XPOST "$active/api/v1/environments/production/flags/$key/kill" \
  -d '{"reason":"smoke test"}')"
[ "$code" = 200 ] || fail "the kill answered $code"
await_value false
echo "smoke: the kill reached all three edges"

history="$(curl -s -H "$auth" "$PROJECTION_2_URL/api/v1/environments/production/flags/$key/history")"
[[ "$history" == *FlagKilled* ]] || fail "the projection's history lacks the kill: $history"

echo "smoke: PASSED (cluster started in ${started} s, checks took $((SECONDS - began - started)) s)"
