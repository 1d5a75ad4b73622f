//! A linearizability checker in the style of Porcupine (Wing & Gong's
//! search with Lowe's memoisation of (linearized set, state) pairs), over any
//! sequential [`Model`]: single-key registers ([`Register`], the default) and
//! groups of keys changed by multi-key transactions and read by listings
//! ([`Group`]).
//!
//! Each operation has an invoke time, a return time and an outcome:
//! - `Ok`: it happened, with the recorded result;
//! - `Failed`: it certainly did not take effect (dropped before checking);
//! - `Unknown`: a timeout or broken connection; it may have taken effect at
//!   any point after its invoke, or never. It is given an infinite return
//!   time; being linearized last is the same as never for what others saw.
//!
//! Check each independent object (a register key, a group of keys) on its
//! own: linearizability is compositional (local).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Debug;
use std::hash::Hash;

/// A sequential specification: what each operation may observe and leave.
pub trait Model {
    type State: Clone + Eq + Hash + Debug;
    type Op: Clone + Debug;
    /// Applies `op` to `state`: `Some(new state)` when the recorded result
    /// is possible from `state`, `None` when it is not.
    fn step(state: &Self::State, op: &Self::Op) -> Option<Self::State>;
    /// The op with its result forgotten, for a call whose outcome is
    /// unknown; `None` when it changes nothing (a read), so it can be dropped.
    fn forget_result(op: &Self::Op) -> Option<Self::Op>;
}

/// The state of one register: its value, or absent.
pub type Value = Option<String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A read that returned this value.
    Read(Value),
    /// A write of this value (a delete writes `None`).
    Write(Value),
    /// Compare-and-set: if the register holds `expected`, set it to `new`.
    /// `succeeded` is what the client saw (`None` when unknown).
    Cas {
        expected: Value,
        new: Value,
        succeeded: Option<bool>,
    },
}

/// One key holding a value or nothing.
pub struct Register;

impl Model for Register {
    type State = Value;
    type Op = Op;

    fn step(state: &Value, op: &Op) -> Option<Value> {
        match op {
            Op::Read(v) => (v == state).then(|| state.clone()),
            Op::Write(v) => Some(v.clone()),
            Op::Cas {
                expected,
                new,
                succeeded,
            } => {
                let matches = expected == state;
                match (matches, succeeded) {
                    (true, Some(false)) | (false, Some(true)) => None,
                    (true, _) => Some(new.clone()),
                    (false, _) => Some(state.clone()),
                }
            }
        }
    }

    fn forget_result(op: &Op) -> Option<Op> {
        match op {
            Op::Read(_) => None,
            Op::Write(_) => Some(op.clone()),
            Op::Cas { expected, new, .. } => Some(Op::Cas {
                expected: expected.clone(),
                new: new.clone(),
                succeeded: None,
            }),
        }
    }
}

/// The values of a group of keys (absent keys are not in the map).
pub type GroupState = BTreeMap<String, String>;

/// An operation on a group of keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupOp {
    /// A transaction: if every `compare` holds (`None` means absent), read
    /// `reads` (the values seen, before any write of this transaction) and
    /// apply `writes` (`None` deletes). `succeeded` is what the client saw
    /// (`None` when unknown). A write or read alone is a transaction with
    /// no compare.
    Txn {
        compare: Vec<(String, Value)>,
        reads: Vec<(String, Value)>,
        writes: Vec<(String, Value)>,
        succeeded: Option<bool>,
    },
    /// A listing of the whole group: every key present and its value.
    List(GroupState),
}

/// A few keys read and written together.
pub struct Group;

impl Model for Group {
    type State = GroupState;
    type Op = GroupOp;

    fn step(state: &GroupState, op: &GroupOp) -> Option<GroupState> {
        match op {
            GroupOp::List(seen) => (seen == state).then(|| state.clone()),
            GroupOp::Txn {
                compare,
                reads,
                writes,
                succeeded,
            } => {
                let holds = compare.iter().all(|(k, v)| state.get(k) == v.as_ref());
                match (holds, succeeded) {
                    (true, Some(false)) | (false, Some(true)) => return None,
                    (false, _) => return Some(state.clone()),
                    (true, _) => {}
                }
                if reads.iter().any(|(k, v)| state.get(k) != v.as_ref()) {
                    return None;
                }
                let mut next = state.clone();
                for (k, v) in writes {
                    match v {
                        Some(v) => next.insert(k.clone(), v.clone()),
                        None => next.remove(k),
                    };
                }
                Some(next)
            }
        }
    }

    fn forget_result(op: &GroupOp) -> Option<GroupOp> {
        match op {
            GroupOp::Txn {
                compare,
                writes,
                reads: _,
                succeeded: _,
            } if !writes.is_empty() => Some(GroupOp::Txn {
                compare: compare.clone(),
                reads: Vec::new(),
                writes: writes.clone(),
                succeeded: None,
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
    Unknown,
}

/// One client call as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call<O = Op> {
    pub op: O,
    pub invoke: u64,
    pub ret: u64,
    pub outcome: Outcome,
}

#[derive(Clone, Copy)]
struct Event {
    call: usize,
    is_return: bool,
    prev: usize,
    next: usize,
    /// For a call event: the index of its return event.
    partner: usize,
}

/// Is `history` (one register key, starting from `initial`) linearizable?
pub fn check(initial: Value, history: &[Call]) -> bool {
    check_model::<Register>(initial, history)
}

/// How many (linearized set, state) pairs a search may remember before it
/// gives up: about 2 GB for a history of a few thousand calls. A history
/// with many unknown outcomes (each stays pending to the end) can need far
/// more; the search then stops with a panic that says so, instead of
/// taking the machine's memory (seen: 7.8 GB after 10 minutes on a 300 s
/// power-cut run).
pub const MAX_REMEMBERED_STATES: usize = 5_000_000;

/// Is `history` (one object of model `M`, starting from `initial`)
/// linearizable?
///
/// # Panics
/// When the search passes [`MAX_REMEMBERED_STATES`]: the check is
/// inconclusive, neither a pass nor a violation.
pub fn check_model<M: Model>(initial: M::State, history: &[Call<M::Op>]) -> bool {
    check_model_within::<M>(initial, history, MAX_REMEMBERED_STATES)
}

/// [`check_model`] with its own bound on remembered states.
pub fn check_model_within<M: Model>(initial: M::State, history: &[Call<M::Op>], max_states: usize) -> bool {
    // Failed calls never took effect; unknown reads observed nothing.
    let calls: Vec<Call<M::Op>> = history
        .iter()
        .filter(|c| c.outcome != Outcome::Failed)
        .filter_map(|c| match c.outcome {
            Outcome::Unknown => M::forget_result(&c.op).map(|op| Call {
                op,
                invoke: c.invoke,
                ret: u64::MAX,
                outcome: Outcome::Unknown,
            }),
            _ => Some(c.clone()),
        })
        .collect();
    let n = calls.len();
    if n == 0 {
        return true;
    }
    // Events sorted by time; at equal times calls come first (more overlap,
    // never a false alarm).
    let mut order: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * n);
    for (i, c) in calls.iter().enumerate() {
        order.push((c.invoke, false, i));
        order.push((c.ret.max(c.invoke), true, i));
    }
    order.sort();
    // A doubly linked list with a sentinel head at index 0.
    let mut ev = vec![
        Event {
            call: usize::MAX,
            is_return: false,
            prev: 0,
            next: 1,
            partner: 0,
        };
        2 * n + 2
    ];
    let mut ret_pos = vec![0; n];
    for (pos, &(_, is_return, call)) in order.iter().enumerate() {
        let idx = pos + 1;
        ev[idx] = Event {
            call,
            is_return,
            prev: idx - 1,
            next: idx + 1,
            partner: 0,
        };
        if is_return {
            ret_pos[call] = idx;
        }
    }
    let end = 2 * n + 1;
    ev[end].prev = end - 1;
    for idx in 1..end {
        if !ev[idx].is_return {
            ev[idx].partner = ret_pos[ev[idx].call];
        }
    }

    let words = n.div_ceil(64);
    let mut linearized = vec![0u64; words];
    let mut cache: HashSet<(Vec<u64>, M::State)> = HashSet::new();
    let mut stack: Vec<(usize, M::State)> = Vec::new();
    let mut state = initial;
    let mut entry = ev[0].next;

    let unlink = |ev: &mut Vec<Event>, i: usize| {
        let (p, nx) = (ev[i].prev, ev[i].next);
        ev[p].next = nx;
        ev[nx].prev = p;
    };
    let relink = |ev: &mut Vec<Event>, i: usize| {
        let (p, nx) = (ev[i].prev, ev[i].next);
        ev[p].next = i;
        ev[nx].prev = i;
    };

    while ev[0].next != end {
        if entry == end {
            // Cannot happen: a return is always reached before the end.
            return false;
        }
        let e = ev[entry];
        if !e.is_return {
            if let Some(next_state) = M::step(&state, &calls[e.call].op) {
                let mut lin = linearized.clone();
                lin[e.call / 64] |= 1 << (e.call % 64);
                if cache.insert((lin.clone(), next_state.clone())) {
                    assert!(
                        cache.len() <= max_states,
                        "linearizability check inconclusive: the search passed {max_states} states \
                         ({n} calls, {} with unknown outcome); neither a pass nor a violation",
                        calls.iter().filter(|c| c.outcome == Outcome::Unknown).count()
                    );
                    stack.push((entry, state));
                    state = next_state;
                    linearized = lin;
                    unlink(&mut ev, e.partner);
                    unlink(&mut ev, entry);
                    entry = ev[0].next;
                    continue;
                }
            }
            entry = e.next;
        } else {
            // A call returned before we could linearize it here: backtrack.
            let Some((call_entry, prev_state)) = stack.pop() else {
                return false;
            };
            let c = ev[call_entry];
            state = prev_state;
            linearized[c.call / 64] &= !(1 << (c.call % 64));
            relink(&mut ev, call_entry);
            relink(&mut ev, c.partner);
            entry = ev[call_entry].next;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Some(v.to_string())
    }

    fn call(op: Op, invoke: u64, ret: u64) -> Call {
        Call {
            op,
            invoke,
            ret,
            outcome: Outcome::Ok,
        }
    }

    #[test]
    fn a_search_past_its_bound_is_inconclusive_not_a_verdict() {
        // Unknown writes of distinct values, all pending to the end, then a
        // read no order of them explains: the search tries every subset.
        let mut h: Vec<Call> = (0..40)
            .map(|i| Call {
                op: Op::Write(Some(format!("w{i}"))),
                invoke: i,
                ret: i + 1,
                outcome: Outcome::Unknown,
            })
            .collect();
        h.push(call(Op::Read(s("never written")), 100, 101));
        let result = std::panic::catch_unwind(|| check_model_within::<Register>(None, &h, 10_000));
        let message = result.expect_err("the search must stop at its bound");
        let text = message.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(text.contains("inconclusive"), "{text}");
    }

    #[test]
    fn sequential_histories() {
        let h = [
            call(Op::Write(s("a")), 0, 1),
            call(Op::Read(s("a")), 2, 3),
            call(
                Op::Cas {
                    expected: s("a"),
                    new: s("b"),
                    succeeded: Some(true),
                },
                4,
                5,
            ),
            call(Op::Read(s("b")), 6, 7),
            call(Op::Write(None), 8, 9),
            call(Op::Read(None), 10, 11),
        ];
        assert!(check(None, &h));
        // Reading the old value after the write completed is not.
        let bad = [call(Op::Write(s("a")), 0, 1), call(Op::Read(None), 2, 3)];
        assert!(!check(None, &bad));
        // A CAS that claims success against the wrong value is not.
        let bad = [
            call(Op::Write(s("a")), 0, 1),
            call(
                Op::Cas {
                    expected: s("x"),
                    new: s("y"),
                    succeeded: Some(true),
                },
                2,
                3,
            ),
        ];
        assert!(!check(None, &bad));
    }

    #[test]
    fn concurrency_allows_either_order() {
        // The read overlaps the write: both old and new values are fine.
        for seen in [None, s("a")] {
            let h = [call(Op::Write(s("a")), 0, 10), call(Op::Read(seen), 5, 6)];
            assert!(check(None, &h));
        }
        // Two overlapping reads may not see new-then-old once the first
        // completed before the second began.
        let h = [
            call(Op::Write(s("a")), 0, 100),
            call(Op::Read(s("a")), 10, 20),
            call(Op::Read(None), 30, 40),
        ];
        assert!(!check(None, &h), "new then old is a stale read");
    }

    #[test]
    fn unknown_outcomes_may_or_may_not_apply() {
        let unknown = |op, invoke| Call {
            op,
            invoke,
            ret: invoke + 1,
            outcome: Outcome::Unknown,
        };
        // A timed-out write that shows up much later.
        let h = [
            unknown(Op::Write(s("a")), 0),
            call(Op::Read(None), 5, 6),
            call(Op::Read(s("a")), 50, 51),
        ];
        assert!(check(None, &h));
        // ... or never.
        let h = [unknown(Op::Write(s("a")), 0), call(Op::Read(None), 50, 51)];
        assert!(check(None, &h));
        // But it cannot take effect before it was invoked.
        let h = [call(Op::Read(s("a")), 0, 1), unknown(Op::Write(s("a")), 5)];
        assert!(!check(None, &h));
        // Failed calls never happened.
        let h = [
            Call {
                op: Op::Write(s("a")),
                invoke: 0,
                ret: 1,
                outcome: Outcome::Failed,
            },
            call(Op::Read(s("a")), 2, 3),
        ];
        assert!(!check(None, &h));
    }

    /// Random histories: sequential runs of the model are linearizable;
    /// changing one read to a value never written makes them not.
    #[test]
    fn random_sequential_histories_and_their_corruptions() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..300 {
            let mut state: Value = None;
            let mut h = Vec::new();
            let mut t = 0;
            for _ in 0..rng.gen_range(1..30) {
                let v = Some(format!("v{}", rng.gen_range(0..4)));
                let op = match rng.gen_range(0..3) {
                    0 => Op::Read(state.clone()),
                    1 => Op::Write(v),
                    _ => {
                        let expected = if rng.gen_bool(0.5) {
                            state.clone()
                        } else {
                            Some("v0".into())
                        };
                        Op::Cas {
                            succeeded: Some(expected == state),
                            expected,
                            new: v,
                        }
                    }
                };
                state = Register::step(&state, &op).expect("the model accepts its own run");
                // Overlap neighbours a little without reordering effects.
                h.push(call(op, t, t + 2));
                t += 3;
            }
            assert!(check(None, &h), "{h:?}");
            if let Some(i) = h.iter().position(|c| matches!(c.op, Op::Read(_))) {
                h[i].op = Op::Read(Some("never-written".into()));
                assert!(!check(None, &h), "{h:?}");
            }
        }
    }

    #[test]
    fn larger_concurrent_history_is_fast() {
        // 8 clients, 400 calls, heavy overlap: must finish quickly thanks to
        // the cache.
        let mut h = Vec::new();
        for i in 0..400u64 {
            let t = i * 10;
            let op = if i % 4 == 0 {
                Op::Write(Some(format!("v{i}")))
            } else {
                Op::Read(None)
            };
            h.push(call(op, t, t + 5));
        }
        // Reads after the first write see the latest write.
        let mut last = None;
        for c in &mut h {
            match &c.op {
                Op::Write(v) => last = v.clone(),
                Op::Read(_) => c.op = Op::Read(last.clone()),
                _ => {}
            }
        }
        let started = std::time::Instant::now();
        assert!(check(None, &h));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    fn group(pairs: &[(&str, &str)]) -> GroupState {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn txn(compare: &[(&str, Value)], writes: &[(&str, Value)], succeeded: Option<bool>) -> GroupOp {
        let own = |l: &[(&str, Value)]| l.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        GroupOp::Txn {
            compare: own(compare),
            reads: Vec::new(),
            writes: own(writes),
            succeeded,
        }
    }

    fn gcall(op: GroupOp, invoke: u64, ret: u64) -> Call<GroupOp> {
        Call {
            op,
            invoke,
            ret,
            outcome: Outcome::Ok,
        }
    }

    #[test]
    fn group_transactions_are_all_or_nothing() {
        let both = txn(&[], &[("a", s("1")), ("b", s("1"))], Some(true));
        // A listing during the transaction sees none or all of it.
        for seen in [group(&[]), group(&[("a", "1"), ("b", "1")])] {
            let h = [gcall(both.clone(), 0, 10), gcall(GroupOp::List(seen), 2, 3)];
            assert!(check_model::<Group>(GroupState::new(), &h));
        }
        let torn = [
            gcall(both.clone(), 0, 10),
            gcall(GroupOp::List(group(&[("a", "1")])), 2, 3),
        ];
        assert!(!check_model::<Group>(GroupState::new(), &torn), "a torn write");
        // Reads inside a transaction see one state too.
        let read_both = |a: Value, b: Value| GroupOp::Txn {
            compare: Vec::new(),
            reads: vec![("a".into(), a), ("b".into(), b)],
            writes: Vec::new(),
            succeeded: Some(true),
        };
        let h = [gcall(both.clone(), 0, 10), gcall(read_both(s("1"), s("1")), 2, 3)];
        assert!(check_model::<Group>(GroupState::new(), &h));
        let h = [gcall(both, 0, 10), gcall(read_both(s("1"), None), 2, 3)];
        assert!(!check_model::<Group>(GroupState::new(), &h));
    }

    #[test]
    fn group_compares_follow_the_state() {
        let init = group(&[("a", "1")]);
        // a == 1 holds: the success branch must have run.
        let h = [gcall(txn(&[("a", s("1"))], &[("b", s("2"))], Some(false)), 0, 1)];
        assert!(!check_model::<Group>(init.clone(), &h));
        let h = [
            gcall(txn(&[("a", s("1"))], &[("b", s("2"))], Some(true)), 0, 1),
            gcall(GroupOp::List(group(&[("a", "1"), ("b", "2")])), 2, 3),
        ];
        assert!(check_model::<Group>(init.clone(), &h));
        // A failed compare writes nothing.
        let h = [
            gcall(txn(&[("a", None)], &[("b", s("2"))], Some(false)), 0, 1),
            gcall(GroupOp::List(group(&[("a", "1"), ("b", "2")])), 2, 3),
        ];
        assert!(!check_model::<Group>(init.clone(), &h));
        // An unknown transaction may show up later, or never.
        let unknown = Call {
            op: txn(&[], &[("a", None)], None),
            invoke: 0,
            ret: 1,
            outcome: Outcome::Unknown,
        };
        for later in [group(&[]), group(&[("a", "1")])] {
            let h = [
                unknown.clone(),
                gcall(GroupOp::List(group(&[("a", "1")])), 5, 6),
                gcall(GroupOp::List(later), 7, 8),
            ];
            assert!(check_model::<Group>(init.clone(), &h));
        }
    }

    /// Cross-check with stateright's `LinearizabilityTester` on small random
    /// histories of one register: both checkers must give the same verdict.
    mod against_stateright {
        use super::super::*;
        use proptest::prelude::*;
        use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};

        #[derive(Clone, Debug, Default)]
        struct Spec(Value);

        #[derive(Clone, Debug, PartialEq)]
        enum SOp {
            Read,
            Write(Value),
            Cas(Value, Value),
        }

        #[derive(Clone, Debug, PartialEq)]
        enum SRet {
            Read(Value),
            Write,
            Cas(bool),
        }

        impl SequentialSpec for Spec {
            type Op = SOp;
            type Ret = SRet;

            fn invoke(&mut self, op: &SOp) -> SRet {
                match op {
                    SOp::Read => SRet::Read(self.0.clone()),
                    SOp::Write(v) => {
                        self.0 = v.clone();
                        SRet::Write
                    }
                    SOp::Cas(expected, new) => {
                        let hit = self.0 == *expected;
                        if hit {
                            self.0 = new.clone();
                        }
                        SRet::Cas(hit)
                    }
                }
            }
        }

        fn val(i: u8) -> Value {
            (i > 0).then(|| format!("v{i}"))
        }

        /// Ours as a call once its result is known.
        fn ours(op: &SOp, ret: Option<&SRet>) -> Op {
            match (op, ret) {
                (SOp::Read, Some(SRet::Read(v))) => Op::Read(v.clone()),
                (SOp::Read, _) => Op::Read(None),
                (SOp::Write(v), _) => Op::Write(v.clone()),
                (SOp::Cas(e, n), r) => Op::Cas {
                    expected: e.clone(),
                    new: n.clone(),
                    succeeded: match r {
                        Some(SRet::Cas(b)) => Some(*b),
                        _ => None,
                    },
                },
            }
        }

        /// Runs up to three clients against a real register; each call takes
        /// effect at its invoke or its return (`at_invoke`), and one in four
        /// results is replaced by a random one, so both linearizable and
        /// non-linearizable histories come out. Calls still in flight at the
        /// end are unknown. Returns both checkers' verdicts.
        fn verdicts(steps: &[(u8, u8, u8, u8)]) -> (bool, bool) {
            let mut real = Spec::default();
            let mut tester = LinearizabilityTester::new(Spec::default());
            let mut calls: Vec<Call> = Vec::new();
            // Per thread: the call in flight (op, invoke time, result if it
            // already took effect).
            let mut flight: [Option<(SOp, u64, Option<SRet>)>; 3] = Default::default();
            for (t, &(thread, kind, v, r)) in steps.iter().enumerate() {
                let (t, th) = (t as u64, (thread % 3) as usize);
                match flight[th].take() {
                    None => {
                        let op = match kind % 3 {
                            0 => SOp::Read,
                            1 => SOp::Write(val(v % 3)),
                            _ => SOp::Cas(val(v % 3), val((v / 3) % 3)),
                        };
                        tester.on_invoke(th, op.clone()).unwrap();
                        let early = (r % 2 == 1).then(|| real.invoke(&op));
                        flight[th] = Some((op, t, early));
                    }
                    Some((op, invoke, early)) => {
                        let mut ret = early.unwrap_or_else(|| real.invoke(&op));
                        if r >= 12 {
                            ret = match ret {
                                SRet::Read(_) => SRet::Read(val(v % 3)),
                                SRet::Cas(b) => SRet::Cas(!b),
                                SRet::Write => SRet::Write,
                            };
                        }
                        tester.on_return(th, ret.clone()).unwrap();
                        calls.push(Call {
                            op: ours(&op, Some(&ret)),
                            invoke,
                            ret: t,
                            outcome: Outcome::Ok,
                        });
                    }
                }
            }
            for (op, invoke, _) in flight.into_iter().flatten() {
                calls.push(Call {
                    op: ours(&op, None),
                    invoke,
                    ret: invoke + 1,
                    outcome: Outcome::Unknown,
                });
            }
            (check(None, &calls), tester.is_consistent())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn same_verdict_as_stateright(steps in prop::collection::vec((0u8..3, 0u8..3, 0u8..9, 0u8..16), 0..16)) {
                let (ours, theirs) = verdicts(&steps);
                prop_assert_eq!(ours, theirs);
            }
        }

        /// The cross-check is not vacuous: over many random runs both
        /// verdicts come out, and the checkers always agree.
        #[test]
        fn both_verdicts_occur() {
            use rand::{Rng, SeedableRng};
            let mut rng = rand::rngs::StdRng::seed_from_u64(11);
            let (mut yes, mut no) = (0, 0);
            for _ in 0..3000 {
                let steps: Vec<_> = (0..rng.gen_range(0..16))
                    .map(|_| {
                        (
                            rng.gen_range(0..3),
                            rng.gen_range(0..3),
                            rng.gen_range(0..9),
                            rng.gen_range(0..16),
                        )
                    })
                    .collect();
                let (ours, theirs) = verdicts(&steps);
                assert_eq!(ours, theirs, "{steps:?}");
                if ours {
                    yes += 1;
                } else {
                    no += 1;
                }
            }
            assert!(yes > 300 && no > 300, "{yes} linearizable, {no} not");
        }
    }
}
