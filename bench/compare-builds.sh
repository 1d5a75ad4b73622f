#!/usr/bin/env bash
# One single-node cluster of each of two builds (or of one build started
# with two sets of flags), `concord bench` against them alternating
# (A B A B ...), with the bench client of build B:
#   bench/compare-builds.sh OLD_BINARY NEW_BINARY [ROUNDS]
# Knobs (environment):
#   WORKLOAD=put          put or get (`concord bench --workload`)
#   CONSISTENCY=linearizable   for gets: linearizable or stale
#   CONNECTIONS=64  DURATION=10s
#   CLIENT=concord        or `wrk` (puts only: wrk/concord-put.lua, 2
#                         threads, over 10,000 keys; prints wrk's result line)
#   OLD_ARGS, NEW_ARGS    extra `node start` flags for each node, e.g.
#                         NEW_ARGS="--watch-history 100000000"
# Ports 27379-27382 on 127.0.0.1; data in a temporary directory, removed
# at the end. For gets, each node first takes one run of puts (not
# printed), so the keys exist. Prints each run's JSON line.
set -euo pipefail
old="$1"; new="$2"; rounds="${3:-3}"
workload="${WORKLOAD:-put}"
read -r -a old_args <<<"${OLD_ARGS:-}"
read -r -a new_args <<<"${NEW_ARGS:-}"
work="$(mktemp -d)"
"$old" node start --data-dir "$work/old" --listen-client 127.0.0.1:27379 --listen-peer 127.0.0.1:27380 \
  "${old_args[@]}" >"$work/old.log" 2>&1 &
a=$!
"$new" node start --data-dir "$work/new" --listen-client 127.0.0.1:27381 --listen-peer 127.0.0.1:27382 \
  "${new_args[@]}" >"$work/new.log" 2>&1 &
b=$!
trap 'kill $a $b 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for port in 27379 27381; do
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break
    sleep 0.1
  done
done
bench() { # port workload [flags]
  local port="$1"; shift
  "$new" bench --endpoints "http://127.0.0.1:$port" --connections "${CONNECTIONS:-64}" \
    --duration "${DURATION:-10s}" -o json --workload "$@"
}
if [[ "$workload" == get ]]; then
  for port in 27379 27381; do bench "$port" put >/dev/null; done
fi
for round in $(seq 1 "$rounds"); do
  for which in old:27379 new:27381; do
    echo -n "round $round ${which%%:*}: "
    if [[ "${CLIENT:-concord}" == wrk ]]; then
      (cd "$(dirname "$0")" && timeout 60 wrk -t2 -c"${CONNECTIONS:-64}" -d"${DURATION:-10s}" \
        -s wrk/concord-put.lua "http://127.0.0.1:${which##*:}" | grep '^WRKRESULT')
    elif [[ "$workload" == get ]]; then
      bench "${which##*:}" get --consistency "${CONSISTENCY:-linearizable}"
    else
      bench "${which##*:}" put
    fi
  done
done
