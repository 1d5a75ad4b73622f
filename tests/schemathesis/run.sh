#!/usr/bin/env bash
# Runs schemathesis (from PyPI, in a virtual environment) against a live
# single node with auth on, loading the OpenAPI document the node serves:
# no answer may be a 5xx, and every answer must match the document (status
# codes, content types, bodies). Bounded: SCHEMATHESIS_MAX_EXAMPLES test
# cases per operation (default 25), a fixed seed. The node stops on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CONCORD_BIN:-target/debug/concord}"
venv="${SCHEMATHESIS_VENV:-target/schemathesis-venv}"
version="4.32.5"
if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
client="$(free_port)"
peer="$(free_port)"
secret() { python3 -c 'import secrets; print(secrets.token_hex(24))'; }
CONCORD_CLUSTER_SECRET="$(secret)"
CONCORD_ROOT_TOKEN="$(secret)"
export CONCORD_CLUSTER_SECRET CONCORD_ROOT_TOKEN
"$bin" node start --data-dir "$work/data" --auth \
  --listen-client "127.0.0.1:$client" --listen-peer "127.0.0.1:$peer" \
  --advertise-client "http://127.0.0.1:$client" --advertise-peer "http://127.0.0.1:$peer" \
  >"$work/node.log" 2>&1 &
node=$!
stop() {
  kill "$node" 2>/dev/null || true
  wait "$node" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
url="http://127.0.0.1:$client"
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$url/ready" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$node" 2>/dev/null; then
    cat "$work/node.log" >&2
    echo "the node exited" >&2
    exit 1
  fi
  sleep 0.1
done

status=0
# /v1/watch is left out: its answer is an event stream that does not end
# (tests/e2e/watch.rs tests it end to end).
CONCORD_TOKEN="$CONCORD_ROOT_TOKEN" "$venv/bin/schemathesis" \
  --config-file tests/schemathesis/schemathesis.toml run "$url/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" --seed 7 --workers 2 \
  --request-timeout 20 --exclude-path /v1/watch --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "== node log (last 40 lines)" >&2
  tail -n 40 "$work/node.log" >&2
fi
exit "$status"
