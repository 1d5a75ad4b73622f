#!/usr/bin/env bash
# compare-etcd.sh — Concord against etcd, side by side, on this machine.
#
#   bench/compare-etcd.sh            # from the repository root or anywhere
#
# Builds `concord` (release), installs etcd, etcdctl and wrk from Debian if
# they are missing (needs root), starts a 3-node etcd cluster and a 3-node
# Concord cluster on 127.0.0.1 (both fsync every commit: etcd's defaults,
# Concord's only mode), pre-loads 10,000 keys of 256 bytes into each, then
# for every workload runs wrk against the leader of each system in turn,
# A B A B ..., and prints one table: throughput, p50, p99, server CPU
# seconds per 1,000 operations (all nodes, from /proc), medians of the
# rounds, and Concord/etcd ratios; and a second table of wrk's own CPU per
# 1,000 requests and how busy the machine's two cores were during the
# runs (the client shares the machine: at 100 % busy, a faster server
# cannot show it). Then the 1,000,000-key runs on one
# Concord node (LARGE=0 skips them): peak resident memory of an import of
# 1,000,000 keys of 100 bytes, put throughput and p99 on that node against
# a node holding 10,000 keys (alternating rounds), and the time from a
# `kill -9` restart to `/ready`.
#
# Everything listens on 127.0.0.1 only; every load run stops by itself
# (wrk -d plus `timeout`); servers are stopped by PID on exit.
#
# Knobs (environment):
#   ROUNDS=3        rounds per workload (A B per round)
#   DURATION=10     seconds per wrk run
#   WORKLOADS="put-c64 put-c1 get-c64 stale-c64"   ("" runs only the large part)
#   LARGE=1         0 skips the 1,000,000-key runs
#   LARGE_KEYS=1000000
#   CONCORD_BIN     a concord binary to use instead of building one
#   KEEP=1          leave the state directory (logs) in place
#   STATE_ROOT=/tmp where both systems keep their data; /dev/shm (tmpfs,
#                   where an fsync costs nothing) shows what the disk costs
#
# The wrk scripts and etcd-cluster.sh come from the team's shared bench
# folder (../shared/bench), copied here so a clean checkout has them.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
WORKLOADS="${WORKLOADS-put-c64 put-c1 get-c64 stale-c64}"
LARGE="${LARGE:-1}"
LARGE_KEYS="${LARGE_KEYS:-1000000}"
STATE="$(mktemp -d "${STATE_ROOT:-/tmp}/concord-bench.XXXXXX")"
export ETCD_BENCH_DIR="$STATE/etcd"
CLK_TCK="$(getconf CLK_TCK)"
PIDS=()

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  (cd "$HERE" && ./etcd-cluster.sh down >/dev/null 2>&1) || true
  if [[ "${KEEP:-0}" == 1 ]]; then log "state kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------
need=()
for tool in wrk etcd etcdctl python3; do command -v "$tool" >/dev/null || need+=("$tool"); done
if ((${#need[@]})); then
  [[ "$(id -u)" == 0 ]] || die "missing ${need[*]}: run bench/install-deps.sh as root"
  log "installing etcd, etcdctl and wrk from Debian (missing: ${need[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server etcd-client wrk >/dev/null
fi
if [[ -z "${CONCORD_BIN:-}" ]]; then
  log "building concord (release)"
  (cd "$ROOT" && cargo build --release -q -p concord-cli)
  CONCORD_BIN="$ROOT/target/release/concord"
fi
[[ -x "$CONCORD_BIN" ]] || die "no concord binary at $CONCORD_BIN"

# --- helpers -------------------------------------------------------------------
# utime+stime jiffies of the given PIDs, summed.
cpu_jiffies() {
  local pid total=0 t
  for pid in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}

# concord_start, concord_url, wait_ready, concord_leader, json_field.
# shellcheck source=bench/concord-nodes.sh
source "$HERE/concord-nodes.sh"

# JSON lines for `kv import`: keys k0000000.., $2-byte values.
gen_import() { # count size
  python3 - "$1" "$2" <<'EOF'
import sys, random, string
n, size = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(7)
vals = ["".join(rnd.choice(string.ascii_letters) for _ in range(size)) for _ in range(64)]
out = sys.stdout
for i in range(n):
    out.write('{"key":"k%07d","value":"%s"}\n' % (i, vals[i % 64]))
EOF
}

# Busy and total jiffies of the whole machine, all CPUs (idle and iowait
# are not busy): what every process, the other tenants' included, took.
machine_jiffies() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

# One wrk run: prints "rps p50 p99 cpu_s_per_1000 client_cpu_s_per_1000
# machine_busy_pct". The client's CPU is wrk's own (the subshell's
# children's time once wrk has been waited for); machine busy is the share
# of both cores in use during the run, 100 when the machine is saturated.
run_wrk() { # target conns script args... ; server PIDs in SERVER_PIDS
  local target="$1" c="$2" script="$3"; shift 3
  local t=$((c < 2 ? c : 2)) j0 j1 m0 m1 out line
  sleep 1
  j0=$(cpu_jiffies "${SERVER_PIDS[@]}")
  m0=$(machine_jiffies)
  out="$(me=$BASHPID; cd "$HERE" && { timeout -k 2 $((DURATION + 20)) wrk -t"$t" -c"$c" -d"${DURATION}s" --latency \
          -s "$script" "$target" "$@" 2>&1 || true; }
         echo "CLIENTCPU $(awk '{ print $16 + $17 }' "/proc/$me/stat")")"
  j1=$(cpu_jiffies "${SERVER_PIDS[@]}")
  m1=$(machine_jiffies)
  echo "$out" >>"$STATE/wrk.log"
  line="$(grep '^WRKRESULT' <<<"$out" || true)"
  [[ -n "$line" ]] || die "wrk printed no result: $out"
  declare -A r=()
  for kv in ${line#WRKRESULT }; do r[${kv%%=*}]="${kv#*=}"; done
  local errs=$((r[non2xx] + r[err_connect] + r[err_read] + r[err_write] + r[err_timeout]))
  ((errs == 0)) || log "warning: $errs errors in a run against $target ($script $*)"
  local client busy total
  client="$(awk '$1 == "CLIENTCPU" { print $2 }' <<<"$out")"
  read -r busy total <<<"$(awk -v a="$m0" -v b="$m1" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[1] - x[1], y[2] - x[2] }')"
  awk -v rps="${r[rps]}" -v p50="${r[p50_ms]}" -v p99="${r[p99_ms]}" -v req="${r[requests]}" \
      -v j=$((j1 - j0)) -v hz="$CLK_TCK" -v cj="${client:-0}" -v busy="$busy" -v total="$total" \
      'BEGIN { printf "%.0f %.2f %.2f %.3f %.3f %.0f\n", rps, p50, p99, (req > 0 ? j / hz / req * 1000 : 0),
                      (req > 0 ? cj / hz / req * 1000 : 0), (total > 0 ? busy / total * 100 : 0) }'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

if [[ -n "$WORKLOADS" ]]; then # WORKLOADS="" runs only the 1,000,000-key part
# --- clusters ------------------------------------------------------------------
log "state in $STATE"
(cd "$HERE" && ./etcd-cluster.sh up 3 >&2)
ETCD_LEADER="$(cd "$HERE" && ./etcd-cluster.sh leader)"
mapfile -t ETCD_PIDS <"$ETCD_BENCH_DIR/pids"
for i in 1 2 3; do concord_start "$i" 3; done
for i in 1 2 3; do wait_ready "$(concord_url "$i")" 60 "${PIDS[$i]}"; done
CONCORD_LEADER="$(concord_leader)"
CONCORD_PIDS=("${PIDS[1]}" "${PIDS[2]}" "${PIDS[3]}")
log "etcd leader $ETCD_LEADER, concord leader $CONCORD_LEADER"

log "pre-loading 10,000 keys into each"
VALUE="$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 256 || true)"
for ((start = 0; start < 10000; start += 100)); do
  { echo
    for ((i = start; i < start + 100; i++)); do printf 'put k%07d %s\n' "$i" "$VALUE"; done
    echo; echo; } | ETCDCTL_API=3 etcdctl --endpoints="$ETCD_LEADER" txn >/dev/null
done
gen_import 10000 256 | "$CONCORD_BIN" kv import --endpoints "$CONCORD_LEADER" - >/dev/null

# --- side by side --------------------------------------------------------------
RESULTS="$STATE/results"
: >"$RESULTS"
for w in $WORKLOADS; do
  case "$w" in
    put-c64) c=64; es=(wrk/etcd-put.lua); cs=(wrk/concord-put.lua) ;;
    put-c1) c=1; es=(wrk/etcd-put.lua); cs=(wrk/concord-put.lua) ;;
    get-c64) c=64; es=(wrk/etcd-get.lua -- linearizable); cs=(wrk/concord-get.lua) ;;
    stale-c64) c=64; es=(wrk/etcd-get.lua -- serializable); cs=(wrk/concord-get.lua -- stale) ;;
    *) die "unknown workload $w" ;;
  esac
  for ((round = 1; round <= ROUNDS; round++)); do
    SERVER_PIDS=("${ETCD_PIDS[@]}")
    e="$(run_wrk "$ETCD_LEADER" "$c" "${es[@]}")"
    SERVER_PIDS=("${CONCORD_PIDS[@]}")
    k="$(run_wrk "$CONCORD_LEADER" "$c" "${cs[@]}")"
    log "$w round $round: etcd [$e]  concord [$k]  (rps p50 p99 cpu-s/1k client-cpu-s/1k busy%)"
    echo "$w etcd $e" >>"$RESULTS"
    echo "$w concord $k" >>"$RESULTS"
  done
done

echo
echo "== Concord vs etcd, 3 nodes each on 127.0.0.1, medians of $ROUNDS alternating rounds of ${DURATION}s"
echo "   (put/get: 64 connections unless -c1; get = linearizable; stale = Concord stale vs etcd serializable)"
printf '%-10s | %9s %8s %8s %9s | %9s %8s %8s %9s | %7s %7s %7s\n' \
  workload etcd/s p50ms p99ms cpu/1k concord/s p50ms p99ms cpu/1k x_tput x_p99 x_cpu
for w in $WORKLOADS; do
  vals=()
  for sys in etcd concord; do
    for col in 3 4 5 6; do
      vals+=("$(awk -v w="$w" -v s="$sys" -v c="$col" '$1 == w && $2 == s { print $c }' "$RESULTS" | median)")
    done
  done
  awk -v w="$w" -v e1="${vals[0]}" -v e2="${vals[1]}" -v e3="${vals[2]}" -v e4="${vals[3]}" \
      -v k1="${vals[4]}" -v k2="${vals[5]}" -v k3="${vals[6]}" -v k4="${vals[7]}" 'BEGIN {
    printf "%-10s | %9.0f %8.2f %8.2f %9.3f | %9.0f %8.2f %8.2f %9.3f | %7.2f %7.2f %7.2f\n",
      w, e1, e2, e3, e4, k1, k2, k3, k4, k1 / e1, k3 / e3, k4 / e4 }'
done
echo "   x_tput = concord/etcd throughput; x_p99 and x_cpu = concord/etcd (lower is better)"
echo
echo "== The client and the machine during the same runs (medians): wrk's CPU per 1,000 requests,"
echo "   and how busy the two cores were (100 = saturated; the machine's other tenants included)"
printf '%-10s | %12s %6s | %12s %6s\n' workload etcd-wrk/1k busy% concord-wrk/1k busy%
for w in $WORKLOADS; do
  vals=()
  for sys in etcd concord; do
    for col in 7 8; do
      vals+=("$(awk -v w="$w" -v s="$sys" -v c="$col" '$1 == w && $2 == s { print $c }' "$RESULTS" | median)")
    done
  done
  printf '%-10s | %12.3f %6.0f | %12.3f %6.0f\n' "$w" "${vals[@]}"
done

for pid in "${CONCORD_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${CONCORD_PIDS[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
(cd "$HERE" && ./etcd-cluster.sh down >/dev/null 2>&1) || true
fi

# --- 1,000,000 keys on one node ------------------------------------------------
[[ "$LARGE" == 1 ]] || exit 0
log "large: one Concord node, $LARGE_KEYS keys of 100 bytes"
# A fresh node (B, port 17389) imports LARGE_KEYS keys, alone on the
# machine: resident memory sampled every 100 ms through the import and 2 s
# after it, and the kernel's high-water mark.
rm -rf "$STATE/concord1" "$STATE/concord2"
gen_import "$LARGE_KEYS" 100 >"$STATE/large.jsonl"
# Written back now, not by the kernel 30 s later (dirty_expire_centisecs)
# in the middle of the put rounds: 130 MB of writeback there stalls every
# fsync on the disk for a few hundred ms, a p99 that is not the node's.
sync "$STATE/large.jsonl"
concord_start 2 1
wait_ready http://127.0.0.1:17389 60 "${PIDS[2]}"
( peak=0
  while kill -0 "${PIDS[2]}" 2>/dev/null; do
    rss=$(awk '/^VmRSS/{print $2}' "/proc/${PIDS[2]}/status" 2>/dev/null || echo 0)
    ((rss > peak)) && peak=$rss && echo "$peak" >"$STATE/rss_peak"
    sleep 0.1
  done ) &
SAMPLER=$!
t0=$(date +%s.%N)
"$CONCORD_BIN" kv import --endpoints http://127.0.0.1:17389 --timeout 60s "$STATE/large.jsonl" >/dev/null
t1=$(date +%s.%N)
sleep 2
rss_after=$(awk '/^VmRSS/{print $2}' "/proc/${PIDS[2]}/status")
hwm=$(awk '/^VmHWM/{print $2}' "/proc/${PIDS[2]}/status")
kill "$SAMPLER" 2>/dev/null || true
# Node A (port 17379) holds 10,000 keys. Then puts against A and B in
# alternating rounds (A B A B), as in the side-by-side table.
concord_start 1 1
wait_ready http://127.0.0.1:17379 60 "${PIDS[1]}"
gen_import 10000 256 | "$CONCORD_BIN" kv import --endpoints http://127.0.0.1:17379 - >/dev/null
: >"$STATE/large-results"
for ((round = 1; round <= ROUNDS; round++)); do
  SERVER_PIDS=("${PIDS[1]}")
  a="$(run_wrk http://127.0.0.1:17379 64 wrk/concord-put.lua)"
  SERVER_PIDS=("${PIDS[2]}")
  b="$(run_wrk http://127.0.0.1:17389 64 wrk/concord-put.lua)"
  log "large round $round: 10,000 keys [$a]  $LARGE_KEYS keys [$b]  (rps p50 p99 cpu-s/1k client-cpu-s/1k busy%)"
  echo "small $a" >>"$STATE/large-results"
  echo "large $b" >>"$STATE/large-results"
done
col() { awk -v w="$1" -v c="$2" '$1 == w { print $c }' "$STATE/large-results" | median; }
small="$(col small 2) x $(col small 4)"
large="$(col large 2) x $(col large 4)"
rss_load=$(awk '/^VmRSS/{print $2}' "/proc/${PIDS[2]}/status")
kill -TERM "${PIDS[1]}"; wait "${PIDS[1]}" 2>/dev/null || true
# Then a kill -9 of B and a restart.
kill -KILL "${PIDS[2]}"
wait "${PIDS[2]}" 2>/dev/null || true
t2=$(date +%s.%N)
concord_start 2 1
wait_ready http://127.0.0.1:17389 120 "${PIDS[2]}"
t3=$(date +%s.%N)
read -r s_rps _ s_p99 _ <<<"$small"
read -r l_rps _ l_p99 _ <<<"$large"
echo
echo "== One Concord node: puts at 64 connections, 10,000 vs $LARGE_KEYS keys stored (medians of $ROUNDS alternating rounds)"
awk -v sr="$s_rps" -v sp="$s_p99" -v lr="$l_rps" -v lp="$l_p99" -v n="$LARGE_KEYS" 'BEGIN {
  printf "%-22s %9s %8s\n", "keys stored", "puts/s", "p99ms"
  printf "%-22s %9.0f %8.2f\n", "10,000", sr, sp
  printf "%-22s %9.0f %8.2f\n", n, lr, lp
  printf "%-22s %9.2f %8.2f\n", "ratio (large/small)", lr / sr, lp / sp }'
awk -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" -v n="$LARGE_KEYS" \
    -v peak="$(cat "$STATE/rss_peak" 2>/dev/null || echo 0)" -v hwm="$hwm" -v after="$rss_after" -v load="$rss_load" \
    -v ready="$(awk -v a="$t2" -v b="$t3" 'BEGIN{print b-a}')" 'BEGIN {
  printf "import of %d keys: %.1f s (%.0f keys/s)\n", n, s, n / s
  printf "resident memory of the import: peak sampled %.0f MB, kernel high-water mark %.0f MB, 2 s after %.0f MB\n", peak / 1024, hwm / 1024, after / 1024
  printf "resident memory after 64 connections of puts: %.0f MB\n", load / 1024
  printf "ready after kill -9 restart: %.2f s\n", ready }'
