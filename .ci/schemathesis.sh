#!/usr/bin/env bash
# API fuzzing from the OpenAPI document (SPEC §4): loads the demo into a fresh SQLite database,
# serves it on a free loopback port, and runs Schemathesis as the administrator and as the
# Botanica specialist (API tokens from POST /api/v1/auth/token/). Any server error or answer that
# contradicts the schema fails the run.
#   FUZZ_EXAMPLES  test cases per operation and phase (default 10)
#   FUZZ_SEED      Schemathesis seed (default fixed, so a failure reproduces)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
EXAMPLES="${FUZZ_EXAMPLES:-10}"
SEED="${FUZZ_SEED:-18}"
WORK="$(mktemp -d)"
export DATABASE_URL="sqlite:///$WORK/demo.sqlite3"
export DJANGO_SETTINGS_MODULE=config.settings
export PYTHONWARNINGS=ignore

server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== fuzz: loading the demo into $WORK"
$BIN/python manage.py migrate --noinput --verbosity 0 2>/dev/null
$BIN/python manage.py demo >"$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log"; exit 1; }

PORT="$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
# One process, several threads: SQLite takes one writer at a time, and the run is sequential.
WEB_WORKERS=1 WEB_THREADS=4 $BIN/gunicorn config.wsgi:application -c config/gunicorn.conf.py \
  --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$BASE/healthz" >/dev/null

token_for() {
  curl -fsS -X POST "$BASE/api/v1/auth/token/" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$1\", \"password\": \"ocrotire-demo\"}" |
    $BIN/python -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

status=0
for user in admin specialist; do
  token="$(token_for "$user")"
  # The coverage phase (boundary and invalid values of every parameter, about 3,500 requests)
  # does not depend on who asks, so it runs once, as the administrator, who reaches every
  # operation; both users then get generated requests.
  phases=fuzzing
  [ "$user" = admin ] && phases=coverage,fuzzing
  echo "== fuzz: schemathesis as $user ($phases, $EXAMPLES examples per operation)"
  # Left out, with the reason:
  #  - auth/token/revoke: it would end the very token the run is authenticated with, and every
  #    later answer would be a 401 that tests nothing.
  $BIN/st --no-color run "$BASE/api/schema/" --url "$BASE" \
    -H "Authorization: Token $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases "$phases" \
    --max-examples "$EXAMPLES" --seed "$SEED" --no-shrink \
    --generation-database none --request-timeout 30 \
    --exclude-path-regex '/auth/token/revoke/' \
    --workers 1 --suppress-health-check all \
    || status=1
done
if [ "$status" -ne 0 ]; then
  echo "== fuzz: the server's log"
  tail -n 200 "$WORK/server.log"
fi
exit "$status"
