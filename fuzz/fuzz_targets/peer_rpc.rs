#![no_main]
//! Fuzz target: see concord_node::fuzzing::peer_rpc.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    concord_node::fuzzing::peer_rpc(data);
});
