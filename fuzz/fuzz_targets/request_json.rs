//! Fuzz target `request_json`: arbitrary bytes through the `POST /v1/txn`
//! and `POST /v1/kv/batch` body decoders (the code under test is
//! `concord_node::fuzzing::request_json`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    concord_node::fuzzing::request_json(data);
});
