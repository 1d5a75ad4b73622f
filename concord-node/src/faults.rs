//! This crate's test-only faults (see `concord_core::faults`): compiled in
//! by their cargo feature, armed by `CONCORD_TEST_FAULTS` in that build.

use concord_core::faults::armed;

/// `broken-linearizable-reads`: every node serves "linearizable" reads from
/// its local state, never forwarded, never through ReadIndex.
pub(crate) fn broken_linearizable_reads() -> bool {
    cfg!(feature = "broken-linearizable-reads") && armed("broken-linearizable-reads")
}

/// `broken-leader-reads`: a leader serves reads without ReadIndex
/// (followers still forward).
pub(crate) fn broken_leader_reads() -> bool {
    cfg!(feature = "broken-leader-reads") && armed("broken-leader-reads")
}
