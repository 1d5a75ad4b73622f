//! A linearizability checker for single-key register histories, in the style
//! of Porcupine (Wing & Gong's search with Lowe's memoisation of
//! (linearized set, state) pairs).
//!
//! Each operation has an invoke time, a return time and an outcome:
//! - `Ok`: it happened, with the recorded result;
//! - `Failed`: it certainly did not take effect (dropped before checking);
//! - `Unknown`: a timeout or broken connection; it may have taken effect at
//!   any point after its invoke, or never. It is given an infinite return
//!   time; being linearized last is the same as never for what others saw.
//!
//! Check each key on its own: linearizability is compositional (local).

use std::collections::HashSet;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
    Unknown,
}

/// One client call as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub op: Op,
    pub invoke: u64,
    pub ret: u64,
    pub outcome: Outcome,
}

/// Applies `op` to `state`: `Some(new state)` when the recorded result is
/// possible from `state`, `None` when it is not.
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

#[derive(Clone, Copy)]
struct Event {
    call: usize,
    is_return: bool,
    prev: usize,
    next: usize,
    /// For a call event: the index of its return event.
    partner: usize,
}

/// Is `history` (one key, starting from `initial`) linearizable?
pub fn check(initial: Value, history: &[Call]) -> bool {
    // Failed calls never took effect; unknown reads observed nothing.
    let calls: Vec<Call> = history
        .iter()
        .filter(|c| c.outcome != Outcome::Failed)
        .filter(|c| !(c.outcome == Outcome::Unknown && matches!(c.op, Op::Read(_))))
        .cloned()
        .map(|mut c| {
            if c.outcome == Outcome::Unknown {
                c.ret = u64::MAX;
                if let Op::Cas { succeeded, .. } = &mut c.op {
                    *succeeded = None;
                }
            }
            c
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
    let mut cache: HashSet<(Vec<u64>, Value)> = HashSet::new();
    let mut stack: Vec<(usize, Value)> = Vec::new();
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
            if let Some(next_state) = step(&state, &calls[e.call].op) {
                let mut lin = linearized.clone();
                lin[e.call / 64] |= 1 << (e.call % 64);
                if cache.insert((lin.clone(), next_state.clone())) {
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
                state = step(&state, &op).expect("the model accepts its own run");
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
}
