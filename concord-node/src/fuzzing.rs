//! Entry points for the fuzz targets in `fuzz/` (not part of the API): each
//! feeds arbitrary bytes to one decoder that takes input from the network.
//! They must return, never panic.

use concord_core::codec::decode;
use concord_core::TypeConfig;
use openraft::raft::{AppendEntriesRequest, VoteRequest};

use crate::http::txn::{batch_from_request, check_op_count, parse_json, txn_from_request, Limits};
use concord_core::api::{BatchRequest, TxnRequest};

fn limits() -> Limits {
    Limits {
        max_value_size: 1024,
        max_ops: 64,
        default_ttl: None,
    }
}

/// The `POST /v1/txn` and `POST /v1/kv/batch` body decoders.
pub fn request_json(data: &[u8]) {
    let _ = check_op_count(data, 64, "the request");
    if let Ok(t) = parse_json::<TxnRequest>(data) {
        let _ = txn_from_request(t, &limits());
    }
    if let Ok(b) = parse_json::<BatchRequest>(data) {
        let _ = batch_from_request(b, &limits());
    }
}

/// The peer RPC decoders (`/raft/append`, `/raft/vote`, `/raft/snapshot`)
/// and the snapshot payload check that runs before openraft sees one.
pub fn peer_rpc(data: &[u8]) {
    let _ = decode::<AppendEntriesRequest<TypeConfig>>(data);
    let _ = decode::<VoteRequest<TypeConfig>>(data);
    if let Ok(s) = decode::<crate::peer::snapshot::SnapshotChunk>(data) {
        let _ = concord_core::store::validate_snapshot_stream(&s.data[..]);
    }
    let _ = concord_core::store::validate_snapshot_stream(data);
}

/// The path check every client request passes, and the key decoder of
/// `/v1/kv/{key}` paths.
pub fn kv_path(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(uri) = format!("/v1/kv/{text}").parse::<axum::http::Uri>() {
            let _ = crate::http::front::check_path(uri.path());
            let _ = crate::http::kv::key_from_uri(&uri);
        }
    }
}
