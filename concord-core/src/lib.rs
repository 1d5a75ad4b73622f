//! Concord's core: the Raft type configuration, the fjall-backed Raft log
//! store and state machine, and the types shared by the node and the CLI.
//!
//! This crate owns everything that touches the data directory. It must not
//! open sockets, speak HTTP, parse command lines or print anything: it reports
//! through `tracing` and through its return values only.

pub mod limits;
pub mod store;
pub mod txn;
pub mod types;

pub use store::{open, KvReader, LogStore, StateMachine, Storage};
pub use txn::{Compare, CompareOp, OpResult, Target, Txn, TxnOp, TxnResponse};
pub use types::{Command, CommandResponse, KvRecord, NodeId, NodeInfo, Op, TypeConfig};

/// The Raft handle used across Concord.
pub type Raft = openraft::Raft<TypeConfig, StateMachine>;
