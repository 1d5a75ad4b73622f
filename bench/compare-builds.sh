#!/usr/bin/env bash
# Puts at 64 connections against one single-node cluster of each of two
# builds, alternating (A B A B ...), with `concord bench` from build B:
#   bench/compare-builds.sh OLD_BINARY NEW_BINARY [ROUNDS]
# Ports 27379-27382 on 127.0.0.1; data in a temporary directory, removed
# at the end. Prints each run's JSON line.
set -euo pipefail
old="$1"; new="$2"; rounds="${3:-3}"
work="$(mktemp -d)"
"$old" node start --data-dir "$work/old" --listen-client 127.0.0.1:27379 --listen-peer 127.0.0.1:27380 >"$work/old.log" 2>&1 &
a=$!
"$new" node start --data-dir "$work/new" --listen-client 127.0.0.1:27381 --listen-peer 127.0.0.1:27382 >"$work/new.log" 2>&1 &
b=$!
trap 'kill $a $b 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 3
for round in $(seq 1 "$rounds"); do
  for which in old:27379 new:27381; do
    echo -n "round $round ${which%%:*}: "
    "$new" bench --endpoints "http://127.0.0.1:${which##*:}" --workload put --connections 64 --duration 10s -o json
  done
done
