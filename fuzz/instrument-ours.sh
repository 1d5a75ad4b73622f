#!/bin/sh
# RUSTC_WRAPPER for CI's fuzz build (.ci/run): libFuzzer's coverage
# instrumentation (the flags of `cargo fuzz build -s none`) on Concord's
# crates and the fuzz targets only. The dependencies compile plain, which
# saves about a minute of CI; `cargo fuzz run` (README, "Developing")
# instruments everything for long runs.
rustc="$1"
shift
case " $* " in
*" --crate-name concord_core "* | *" --crate-name concord_node "* | \
  *" --crate-name request_json "* | *" --crate-name peer_rpc "* | *" --crate-name kv_path "*)
  exec "$rustc" "$@" -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
    --cfg fuzzing -Cdebug-assertions
  ;;
esac
exec "$rustc" "$@"
