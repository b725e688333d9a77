#!/usr/bin/env bash
# The HTTP API from the shell: register a credential against a fake OAuth 2.0 provider, read its
# token, refresh it with stale_version (as a consumer does after a 401), describe it, revoke it.
#
# Needs `npm start` running in the repository root (it builds dist/ and writes the development API
# key to .halflife/api-key), plus curl and node. Run from the repository root: examples/curl.sh
#
# Environment: HALFLIFE_API_URL (default http://127.0.0.1:${HALFLIFE_API_PORT:-7380}),
# HALFLIFE_API_KEY (default: the contents of ${HALFLIFE_STATE_DIR:-.halflife}/api-key),
# HALFLIFE_CLI (default: node dist/cli/main.js), CREDENTIAL_ID (default: curl-example-<random>).
set -euo pipefail

api="${HALFLIFE_API_URL:-http://127.0.0.1:${HALFLIFE_API_PORT:-7380}}"
state_dir="${HALFLIFE_STATE_DIR:-.halflife}"
key="${HALFLIFE_API_KEY:-$(cat "$state_dir/api-key")}"
cli="${HALFLIFE_CLI:-node dist/cli/main.js}"
id="${CREDENTIAL_ID:-curl-example-$RANDOM}"

work="$(mktemp -d)"
fake_pid=""
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# call METHOD PATH [JSON-BODY]: prints the answer; fails (showing the error body) on HTTP >= 400.
call() {
  local method="$1" path="$2" data=()
  if [ $# -ge 3 ]; then data=(-H 'Content-Type: application/json' --data "$3"); fi
  curl -sS --fail-with-body -X "$method" "$api$path" -H "Authorization: Bearer $key" "${data[@]}"
}

# field NAME: reads one top-level field of the JSON on stdin.
field() {
  node -e 'let s="";process.stdin.on("data",(c)=>(s+=c)).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"
}

echo "1. a fake OAuth 2.0 provider (tokens live 60 s) writes the registration body"
$cli fake oauth2 --lifetime 60 --write "$work/oauth2.json" >/dev/null &
fake_pid=$!
for _ in $(seq 1 100); do [ -s "$work/oauth2.json" ] && break; sleep 0.1; done
[ -s "$work/oauth2.json" ] || { echo "the fake provider did not start" >&2; exit 1; }
# No cooldown, so the forced refresh below reaches the provider (the default is 10 s between refreshes).
body="$(node -e 'const b=require(process.argv[1]);b.min_refresh_interval_s=0;console.log(JSON.stringify(b))' "$work/oauth2.json")"

echo "2. register $id (201 on create)"
call PUT "/v1/credentials/$id" "$body"
echo

echo "3. read the token"
token="$(call GET "/v1/credentials/$id/token")"
echo "$token"
version="$(echo "$token" | field version)"

echo "4. the API said 401 for version $version: ask for a newer token"
call POST "/v1/credentials/$id/refresh" "{\"stale_version\": $version}"
echo
echo "   the same stale version again: answered at once, no upstream call (reason: superseded)"
call POST "/v1/credentials/$id/refresh" "{\"stale_version\": $version}"
echo

echo "5. describe (status, times, counts; never a secret)"
call GET "/v1/credentials/$id"
echo

echo "6. revoke"
call DELETE "/v1/credentials/$id" | field status
