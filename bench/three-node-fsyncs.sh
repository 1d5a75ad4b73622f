#!/usr/bin/env bash
# three-node-fsyncs.sh — where the 3-node put tail is not: each node's slow
# fsyncs during wrk put rounds.
#
#   bench/three-node-fsyncs.sh [CONCORD_BIN] [ROUNDS]
#
# Starts a 3-node Concord cluster on 127.0.0.1 (client ports 17379, 17389,
# 17399; peer ports one above), writes the 10,000 keys once, then runs
# ROUNDS (3) rounds of wrk puts at 64 connections for 10 s against the
# leader (bench/wrk/concord-put.lua, as compare-etcd.sh). After each round
# it prints wrk's throughput and p99, and for each node the fsyncs of that
# round (`concord_fsync_duration_seconds`: the Raft log's and the state
# machine's) and how many took longer than 12.8, 25.6 and 51.2 ms.
# Every run stops by itself; the nodes are killed on exit and their data
# removed (KEEP=1 keeps it). Needs wrk, curl and python3
# (bench/install-deps.sh).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="${1:-$HERE/../target/release/concord}"
ROUNDS="${2:-3}"
[[ -x "$BIN" ]] || { echo "no concord binary at $BIN (cargo build --release -p concord-cli)" >&2; exit 1; }
S="$(mktemp -d /tmp/concord-fsyncs.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ "${KEEP:-0}" == 1 ]]; then echo "state kept in $S" >&2; else rm -rf "$S"; fi
}
trap cleanup EXIT
url() { echo "http://127.0.0.1:$((17379 + ($1 - 1) * 10))"; }
spec="1=http://127.0.0.1:17380,2=http://127.0.0.1:17390,3=http://127.0.0.1:17400"
for i in 1 2 3; do
  if curl -s -o /dev/null "$(url "$i")/health"; then echo "port of $(url "$i") is in use" >&2; exit 1; fi
  RUST_LOG=warn "$BIN" node start --id "$i" --data-dir "$S/d$i" \
    --listen-client "127.0.0.1:$((17379 + (i - 1) * 10))" --listen-peer "127.0.0.1:$((17380 + (i - 1) * 10))" \
    --initial-cluster "$spec" >"$S/n$i.log" 2>&1 </dev/null &
  PIDS+=($!)
  disown  # no job notice when cleanup kills it
done
for i in 1 2 3; do
  for ((t = 0; ; t++)); do
    curl -fs "$(url "$i")/ready" >/dev/null 2>&1 && break
    ((t < 600)) || { echo "$(url "$i") not ready after 30 s (logs in $S)" >&2; KEEP=1; exit 1; }
    sleep 0.05
  done
done
leader="$(curl -fs "$(url 1)/v1/cluster/members" |
  python3 -c 'import json,sys; print([m["client_url"] for m in json.load(sys.stdin) if m["role"] == "leader"][0])')"
echo "leader $leader"
cd "$HERE"
timeout 60 wrk -t1 -c16 -d10s -s wrk/concord-put.lua "$leader" -- seq >/dev/null
buckets() { curl -fs "$(url "$1")/metrics" | awk '/^concord_fsync_duration_seconds_bucket/ { print $2 }'; }
for ((r = 1; r <= ROUNDS; r++)); do
  for i in 1 2 3; do buckets "$i" >"$S/before$i"; done
  out="$(timeout 40 wrk -t2 -c64 -d10s --latency -s wrk/concord-put.lua "$leader")"
  echo "round $r: $(grep -o 'Requests/sec: *[0-9.]*' <<<"$out"), p99 $(awk '$1 == "99%" { print $2 }' <<<"$out")"
  for i in 1 2 3; do
    buckets "$i" >"$S/after$i"
    # Buckets 0.1 ms doubling: index 7 is 12.8 ms, 8 is 25.6 ms, 9 is 51.2 ms, the last +Inf.
    paste "$S/before$i" "$S/after$i" | awk -v node="$i" -v url="$(url "$i")" -v leader="$leader" '
      { d[NR - 1] = $2 - $1; n = NR - 1 }
      END { printf "  node %d%s: %d fsyncs, over 12.8 ms %d, over 25.6 ms %d, over 51.2 ms %d\n",
              node, (url == leader ? " (leader)" : ""), d[n], d[n] - d[7], d[n] - d[8], d[n] - d[9] }'
  done
done
