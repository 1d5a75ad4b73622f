//! Fuzz target `kv_path`: arbitrary bytes through the path check every
//! client request passes and the `/v1/kv/{key}` key decoder (the code under
//! test is `concord_node::fuzzing::kv_path`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    concord_node::fuzzing::kv_path(data);
});
