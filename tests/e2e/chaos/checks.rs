//! Checks on a recorded run that are functions of their own: the TTL
//! windows ([`check_ttl`]) and the tally of call outcomes ([`count`]). The
//! linearizability checker is `concord_tests::linearizability`, the
//! convergence check `TestCluster::assert_converged`; the run calls them,
//! with the loss and revision checks, in `runs.rs`. Nothing here talks to a
//! node.

use std::collections::BTreeMap;

use concord_tests::linearizability::Outcome;

use super::history::{TtlRead, TtlWrite};

pub(super) fn count(counts: &mut [usize; 3], outcomes: impl Iterator<Item = Outcome>) {
    for o in outcomes {
        counts[match o {
            Outcome::Ok => 0,
            Outcome::Failed => 1,
            Outcome::Unknown => 2,
        }] += 1;
    }
}

/// A read that began after the write was acknowledged and ended before its
/// earliest possible expiry must see it; a read that began after its latest
/// possible expiry must not. Expiry is stamped by the leader between the
/// write's invoke and return, on this machine's clock; 2 ms of slack covers
/// whole-millisecond rounding. Returns how many reads fell in each window.
pub(super) fn check_ttl(writes: &[TtlWrite], reads: &[TtlRead]) -> (usize, usize) {
    let by_key: BTreeMap<&str, &TtlWrite> = writes.iter().map(|w| (w.key.as_str(), w)).collect();
    let (mut young, mut old) = (0, 0);
    for r in reads {
        let Some(w) = by_key.get(r.key.as_str()) else {
            continue;
        };
        if r.invoke >= w.ret && r.ret + 2 < w.invoke + w.ttl {
            young += 1;
            assert_eq!(
                r.seen.as_deref(),
                Some(w.value.as_str()),
                "{} vanished before its TTL: written {}..{} with ttl {}ms, read {}..{}",
                r.key,
                w.invoke,
                w.ret,
                w.ttl,
                r.invoke,
                r.ret
            );
        } else if r.invoke > w.ret + w.ttl + 2 {
            old += 1;
            assert_eq!(
                r.seen, None,
                "{} outlived its TTL: written {}..{} with ttl {}ms, read {}..{}",
                r.key, w.invoke, w.ret, w.ttl, r.invoke, r.ret
            );
        }
    }
    (young, old)
}
