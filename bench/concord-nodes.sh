# concord-nodes.sh — starting Concord nodes for the bench scripts (sourced).
#
# Node i listens on 127.0.0.1: client port 17379 + 10*(i-1), peer port one
# above. The caller sets STATE (data and logs go there), CONCORD_BIN, an
# array PIDS (PIDS[i] is node i's process) and a function `die`.

# The client URL of node $1.
concord_url() { echo "http://127.0.0.1:$((17379 + ($1 - 1) * 10))"; }

json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# Starts concord node $1 of an $2-node cluster (ports 17379 + 10*(i-1)).
concord_start() {
  local i="$1" n="$2" spec="" j args=()
  # Another process on these ports would answer in its place.
  if curl -s -o /dev/null "$(concord_url "$i")/health" ||
     curl -s -o /dev/null "http://127.0.0.1:$((17380 + (i - 1) * 10))/"; then
    die "port $((17379 + (i - 1) * 10)) or $((17380 + (i - 1) * 10)) is in use: stop what listens there"
  fi
  for ((j = 1; j <= n; j++)); do spec+="${spec:+,}$j=http://127.0.0.1:$((17380 + (j - 1) * 10))"; done
  args=(node start --id "$i" --data-dir "$STATE/concord$i"
        --listen-client "127.0.0.1:$((17379 + (i - 1) * 10))"
        --listen-peer "127.0.0.1:$((17380 + (i - 1) * 10))")
  ((n > 1)) && args+=(--initial-cluster "$spec")
  RUST_LOG=warn nohup "$CONCORD_BIN" "${args[@]}" >"$STATE/concord$i.log" 2>&1 </dev/null &
  PIDS[$i]=$!
}

wait_ready() { # url, seconds, pid
  local deadline=$((SECONDS + $2))
  until curl -fs "$1/ready" >/dev/null 2>&1; do
    kill -0 "$3" 2>/dev/null || die "the node for $1 exited (log in $STATE)"
    ((SECONDS < deadline)) || die "$1 not ready after $2 s (logs in $STATE)"
    sleep 0.05
  done
}

concord_leader() {
  local status id
  status="$(curl -fs http://127.0.0.1:17379/v1/cluster/status)"
  id="$(json_field 'd["leader_id"]' <<<"$status")"
  concord_url "$id"
}
