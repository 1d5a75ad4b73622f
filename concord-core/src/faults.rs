//! The test-only faults: behaviour the fault suite must catch, compiled in
//! only by the cargo feature of the same name (`ack-before-fsync` here,
//! `broken-linearizable-reads` and `broken-leader-reads` in concord-node).
//! A release build has none of them and never reads the variable below.
//!
//! One test build carries every such feature at once (it is built once, not
//! once per fault); in it, a fault is armed only when its name is in
//! `CONCORD_TEST_FAULTS` (comma-separated), so the same binary runs the
//! failpoint tests with no fault armed.

use std::sync::OnceLock;

/// The variable that arms the compiled-in faults of a test build.
pub const VAR: &str = "CONCORD_TEST_FAULTS";

/// Is `fault` armed in this process? Call it only behind
/// `cfg!(feature = "<fault>")`, so a build without the feature never reads
/// the environment.
pub fn armed(fault: &str) -> bool {
    static ARMED: OnceLock<Vec<String>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            std::env::var(VAR)
                .unwrap_or_default()
                .split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .iter()
        .any(|f| f == fault)
}

/// The test-only fault `ack-before-fsync`: every Raft log append reported
/// durable before its fsync.
pub fn ack_before_fsync() -> bool {
    cfg!(feature = "ack-before-fsync") && armed("ack-before-fsync")
}
