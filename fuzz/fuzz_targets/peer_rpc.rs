//! Fuzz target `peer_rpc`: arbitrary bytes through the peer RPC decoders
//! (`/raft/append`, `/raft/vote`, `/raft/snapshot`) and the snapshot payload
//! check (the code under test is `concord_node::fuzzing::peer_rpc`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    concord_node::fuzzing::peer_rpc(data);
});
