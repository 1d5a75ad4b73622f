//! The peer (Raft) side of a node: the transport openraft calls to reach
//! other members (`client`), the listener that answers them (`server`),
//! snapshots streamed in chunks (`snapshot`), and the wire format both speak
//! (`wire`).

pub(crate) mod client;
pub(crate) mod server;
pub(crate) mod snapshot;
pub(crate) mod wire;
