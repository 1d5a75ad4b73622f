//! Linearizable reads share ReadIndex rounds: one round (on a node, one
//! openraft `ensure_linearizable` call: a message to the Raft core, a
//! heartbeat round, a wait for apply) answers every read that was waiting
//! when it began, instead of one call per read. A read that arrives while a
//! round runs waits for the next round, which begins after it arrived, as
//! ReadIndex requires.

use std::future::Future;
use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::http::error::ApiError;

type Answer = Result<(), ApiError>;

#[derive(Default)]
pub(crate) struct ReadGate {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    waiting: Vec<oneshot::Sender<Answer>>,
    /// A task is running rounds.
    running: bool,
}

impl ReadGate {
    /// Joins the next round. When the flag is true, the caller must start
    /// [`ReadGate::run_rounds`] (no task runs them).
    pub(crate) fn join(&self) -> (oneshot::Receiver<Answer>, bool) {
        let (tx, rx) = oneshot::channel();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.waiting.push(tx);
        (rx, !std::mem::replace(&mut state.running, true))
    }

    /// Runs rounds of `confirm` while reads wait: each round answers the
    /// reads that had joined before it began.
    pub(crate) async fn run_rounds<F, Fut>(&self, mut confirm: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Answer>,
    {
        // Should this stop early (a panic, a dropped task), the next read
        // starts another runner instead of waiting for one that is gone;
        // the reads of the round in hand get a dropped-channel error.
        struct Running<'a>(&'a ReadGate, bool);
        impl Drop for Running<'_> {
            fn drop(&mut self) {
                if self.1 {
                    let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
                    state.running = false;
                    state.waiting.clear();
                }
            }
        }
        let mut running = Running(self, true);
        loop {
            let waiting = {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                if state.waiting.is_empty() {
                    state.running = false;
                    running.1 = false;
                    return;
                }
                std::mem::take(&mut state.waiting)
            };
            let answer = confirm().await;
            for tx in waiting {
                let _ = tx.send(answer.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use concord_core::api::Code;

    use super::*;

    /// The answer of round `n` (rounds are told apart by their message).
    fn round(n: u64) -> Answer {
        Err(ApiError::new(Code::Unavailable, format!("round {n}")))
    }

    fn which(answer: Answer) -> String {
        answer.unwrap_err().message
    }

    /// A read that arrives while a round runs is not answered by it, but by
    /// the next round; reads waiting together share one round; the runner
    /// stops when nobody waits, and the next read starts a new one.
    #[tokio::test]
    async fn a_read_is_answered_only_by_a_round_that_began_after_it_arrived() {
        let gate = Arc::new(ReadGate::default());
        let rounds = Arc::new(AtomicU64::new(0));
        let (release_tx, release_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let release_rx = Arc::new(tokio::sync::Mutex::new(release_rx));
        let runner = {
            let (gate, rounds, release_rx) = (gate.clone(), rounds.clone(), release_rx.clone());
            move || {
                let (gate, rounds, release_rx) = (gate.clone(), rounds.clone(), release_rx.clone());
                tokio::spawn(async move {
                    gate.run_rounds(|| {
                        let (rounds, release_rx) = (rounds.clone(), release_rx.clone());
                        async move {
                            let n = rounds.fetch_add(1, Ordering::SeqCst) + 1;
                            release_rx.lock().await.recv().await;
                            round(n)
                        }
                    })
                    .await
                })
            }
        };
        let began = |n: u64| {
            let rounds = rounds.clone();
            async move {
                while rounds.load(Ordering::SeqCst) < n {
                    tokio::task::yield_now().await;
                }
            }
        };

        let (a, start) = gate.join();
        assert!(start, "the first read starts the runner");
        let task = runner();
        began(1).await;
        // Round 1 has begun: these two join round 2.
        let (b, start_b) = gate.join();
        let (c, start_c) = gate.join();
        assert!(!start_b && !start_c, "a runner is running");
        release_tx.send(()).unwrap();
        assert_eq!(which(a.await.unwrap()), "round 1");
        began(2).await;
        release_tx.send(()).unwrap();
        assert_eq!(which(b.await.unwrap()), "round 2");
        assert_eq!(
            which(c.await.unwrap()),
            "round 2",
            "reads waiting together share a round"
        );
        task.await.unwrap();
        assert_eq!(rounds.load(Ordering::SeqCst), 2, "no round without a read");

        // The runner has stopped: the next read starts another.
        let (d, start_d) = gate.join();
        assert!(start_d);
        let task = runner();
        release_tx.send(()).unwrap();
        assert_eq!(which(d.await.unwrap()), "round 3");
        task.await.unwrap();
    }

    /// A runner that stops mid-round (its task aborted) leaves no stuck
    /// flag: the next read starts a new runner.
    #[tokio::test]
    async fn a_runner_that_stops_mid_round_lets_the_next_read_start_another() {
        let gate = Arc::new(ReadGate::default());
        let (a, start) = gate.join();
        assert!(start);
        let task = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run_rounds(std::future::pending).await })
        };
        tokio::task::yield_now().await;
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(a.await.is_err(), "the round's read learns it was dropped");
        let (_b, start_b) = gate.join();
        assert!(start_b, "the flag was cleared");
    }
}
