#!/usr/bin/env bash
# large-join.sh — a fresh member joins a 3-node cluster holding 1.2 GiB and
# catches up through a streamed snapshot, while the cluster takes writes.
#
#   bench/large-join.sh        # KEYS=1200000 VALUE=1024 by default
#
# Starts 3 Concord nodes on 127.0.0.1 (ports 18379.., `--snapshot-logs 200`
# so the log a new member would need is purged), imports KEYS keys of VALUE
# bytes, starts a bounded put load (wrk, 4 connections), then starts a
# fourth node with --join and waits until it has caught up (its applied
# index within 1,000 of the leader's commit index). Prints the time taken,
# the peak resident memory of the leader (the sender) and of the joiner,
# sampled every 200 ms, their kernel high-water marks, and the writes the
# cluster served meanwhile. Needs about 4 x the data size of free disk.
# Everything stops by itself (wrk -d, a 900 s limit on the wait) and is
# removed on exit (KEEP=1 keeps the state directory).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
KEYS="${KEYS:-1200000}"
VALUE="${VALUE:-1024}"
STATE="$(mktemp -d /tmp/concord-join.XXXXXX)"
PIDS=()

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ "${KEEP:-0}" == 1 ]]; then log "state kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
# wait_ready and json_field (this script starts its nodes itself, on ports
# of its own, with --snapshot-logs 200).
# shellcheck source=bench/concord-nodes.sh
source "$HERE/concord-nodes.sh"

command -v wrk >/dev/null || die "wrk is missing: run bench/install-deps.sh as root"
if [[ -z "${CONCORD_BIN:-}" ]]; then
  log "building concord (release)"
  (cd "$ROOT" && cargo build --release -q -p concord-cli)
  CONCORD_BIN="$ROOT/target/release/concord"
fi

client() { echo "http://127.0.0.1:$((18379 + ($1 - 1) * 10))"; }
peer() { echo "http://127.0.0.1:$((18380 + ($1 - 1) * 10))"; }
start() { # i, extra args...
  local i="$1"; shift
  curl -s -o /dev/null "$(client "$i")/health" && die "port of node $i in use"
  local c p
  c="$(client "$i")"; p="$(peer "$i")"
  RUST_LOG=warn nohup "$CONCORD_BIN" node start --data-dir "$STATE/node$i" \
    --listen-client "${c#http://}" --listen-peer "${p#http://}" \
    --snapshot-logs 200 "$@" >"$STATE/node$i.log" 2>&1 </dev/null &
  PIDS[$i]=$!
}
status() { curl -fs "$(client 1)/v1/cluster/status"; }

SPEC="1=$(peer 1),2=$(peer 2),3=$(peer 3)"
for i in 1 2 3; do start "$i" --id "$i" --initial-cluster "$SPEC"; done
for i in 1 2 3; do wait_ready "$(client "$i")" 60 "${PIDS[$i]}"; done
LEADER_ID="$(status | json_field 'd["leader_id"]')"
LEADER="$(client "$LEADER_ID")"

log "importing $KEYS keys of $VALUE bytes through $LEADER"
t0=$SECONDS
python3 - "$KEYS" "$VALUE" <<'EOF' | "$CONCORD_BIN" kv import --endpoints "$LEADER" --timeout 60s - >/dev/null
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
for i in range(n):
    out.write('{"key":"big/%08d","value":"%s"}\n' % (i, ("%08d" % i) * (size // 8)))
EOF
log "imported in $((SECONDS - t0)) s; data on disk: $(du -sh "$STATE/node$LEADER_ID" | cut -f1) per node"

log "a fourth node joins while 4 connections write"
timeout 700 wrk -t1 -c4 -d600s -s "$HERE/wrk/concord-put.lua" "$LEADER" >"$STATE/wrk.out" 2>&1 &
WRK=$!
start 4 --join "$LEADER"
t0=$(date +%s.%N)
: >"$STATE/rss"
caught=""
deadline=$((SECONDS + 900))
while ((SECONDS < deadline)); do
  kill -0 "${PIDS[4]}" 2>/dev/null || die "the joiner exited (log in $STATE/node4.log)"
  echo "$(awk '/^VmRSS/{print $2}' "/proc/${PIDS[$LEADER_ID]}/status") $(awk '/^VmRSS/{print $2}' "/proc/${PIDS[4]}/status")" >>"$STATE/rss"
  s="$(status 2>/dev/null || true)"
  joined=""
  [[ -n "$s" ]] && joined="$(json_field 'len([m for m in d["members"] if m["id"] not in (1,2,3) and m["applied_index"] + 1000 >= d["commit_index"] and m["applied_index"] > 0])' <<<"$s")"
  if [[ "$joined" == 1 ]]; then
    caught=1; break
  fi
  sleep 0.2
done
t1=$(date +%s.%N)
[[ -n "$caught" ]] || die "the joiner had not caught up after 900 s"
kill -INT "$WRK" 2>/dev/null || true
wait "$WRK" 2>/dev/null || true
sender_hwm=$(awk '/^VmHWM/{print $2}' "/proc/${PIDS[$LEADER_ID]}/status")
joiner_hwm=$(awk '/^VmHWM/{print $2}' "/proc/${PIDS[4]}/status")
echo
echo "== A fresh member joins a 3-node cluster holding $KEYS keys of $VALUE bytes"
awk -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" -v sh="$sender_hwm" -v jh="$joiner_hwm" '
  { if ($1 > ps) ps = $1; if ($2 > pj) pj = $2 }
  END {
    printf "caught up after %.1f s\n", s
    printf "leader (sender): peak resident %.0f MB sampled, %.0f MB high-water mark (whole process life)\n", ps / 1024, sh / 1024
    printf "joiner:          peak resident %.0f MB sampled, %.0f MB high-water mark\n", pj / 1024, jh / 1024
  }' "$STATE/rss"
grep -E "Requests/sec|Non-2xx|Socket errors" "$STATE/wrk.out" | sed 's/^/writes meanwhile: /' || true
