//! Concord's core: the Raft type configuration, the fjall-backed Raft log
//! store and state machine, and the types shared by the node and the CLI.
//!
//! This crate owns everything that touches the data directory. It must not
//! open sockets, speak HTTP, parse command lines or print anything: it reports
//! through `tracing` and through its return values only.

/// A failpoint at a moment that matters for durability. Compiled in only
/// with the test-only `failpoints` feature, armed through `FAILPOINTS`
/// (`FAILPOINTS='log-append-before-fsync=5%return'`): `return` aborts the
/// process on the spot, as a power cut or `kill -9` there would; `sleep(ms)`,
/// `delay(ms)` and `pause` slow or stop it. Without the feature it is nothing.
macro_rules! crash_point {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        {
            let _: Option<()> = fail::eval($name, |_| {
                eprintln!("failpoint {}: aborting the process", $name);
                std::process::abort()
            });
        }
    };
}

pub mod api;
pub mod auth;
pub mod codec;
pub mod faults;
pub mod limits;
pub mod store;
pub mod txn;
pub mod types;

pub use store::{open, KvReader, LogStore, StateMachine, Storage};
pub use txn::{Compare, CompareOp, OpResult, Target, Txn, TxnOp, TxnResponse};
pub use types::{
    now_ms, random_hex, Command, CommandResponse, DedupLimits, KvRecord, NodeId, NodeInfo, Op, TypeConfig,
};

/// The Raft handle used across Concord.
pub type Raft = openraft::Raft<TypeConfig, StateMachine>;
