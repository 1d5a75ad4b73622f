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
CONCORD_BIN="${1:-$HERE/../target/release/concord}"
ROUNDS="${2:-3}"
die() { echo "error: $*" >&2; exit 1; }
[[ -x "$CONCORD_BIN" ]] || die "no concord binary at $CONCORD_BIN (cargo build --release -p concord-cli)"
STATE="$(mktemp -d /tmp/concord-fsyncs.XXXXXX)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ "${KEEP:-0}" == 1 ]]; then echo "state kept in $STATE" >&2; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
# concord_start, concord_url, wait_ready, concord_leader.
# shellcheck source=bench/concord-nodes.sh
source "$HERE/concord-nodes.sh"
for i in 1 2 3; do concord_start "$i" 3; done
for i in 1 2 3; do wait_ready "$(concord_url "$i")" 30 "${PIDS[$i]}"; done
leader="$(concord_leader)"
echo "leader $leader"
cd "$HERE"
timeout 60 wrk -t1 -c16 -d10s -s wrk/concord-put.lua "$leader" -- seq >/dev/null
buckets() { curl -fs "$(concord_url "$1")/metrics" | awk '/^concord_fsync_duration_seconds_bucket/ { print $2 }'; }
for ((r = 1; r <= ROUNDS; r++)); do
  for i in 1 2 3; do buckets "$i" >"$STATE/before$i"; done
  out="$(timeout 40 wrk -t2 -c64 -d10s --latency -s wrk/concord-put.lua "$leader")"
  echo "round $r: $(grep -o 'Requests/sec: *[0-9.]*' <<<"$out"), p99 $(awk '$1 == "99%" { print $2 }' <<<"$out")"
  for i in 1 2 3; do
    buckets "$i" >"$STATE/after$i"
    # Buckets 0.1 ms doubling: index 7 is 12.8 ms, 8 is 25.6 ms, 9 is 51.2 ms, the last +Inf.
    paste "$STATE/before$i" "$STATE/after$i" | awk -v node="$i" -v url="$(concord_url "$i")" -v leader="$leader" '
      { d[NR - 1] = $2 - $1; n = NR - 1 }
      END { printf "  node %d%s: %d fsyncs, over 12.8 ms %d, over 25.6 ms %d, over 51.2 ms %d\n",
              node, (url == leader ? " (leader)" : ""), d[n], d[n] - d[7], d[n] - d[8], d[n] - d[9] }'
  done
done
