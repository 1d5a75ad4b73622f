//! The nemeses: the fault kinds a run schedules ([`nemesis_kinds`]) and
//! [`nemesis`], which injects one fault, holds it, and heals it: `kill -9`,
//! SIGSTOP/SIGCONT, cut, one-way, bridged, slow and lossy links, member
//! replacement, and power cuts on lazyfs. A nemesis only breaks and
//! repairs; it records no call.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::Rng;

use super::harness::ChaosCluster;
use super::runs::Plan;

/// The nemesis kinds of a run: every one is scheduled at least once.
pub(super) fn nemesis_kinds(plan: &Plan) -> Vec<&'static str> {
    if plan.power {
        return vec!["power-cut-follower", "power-cut-leader", "power-cut-all"];
    }
    let mut kinds = vec![
        "kill",
        "kill-leader",
        "pause",
        "isolate",
        "one-way",
        "bridge",
        "delay",
        "random-drop",
        // A minority of two down at once needs five nodes; on three, the
        // leader is isolated instead.
        if plan.nodes >= 5 { "kill-two" } else { "isolate-leader" },
    ];
    if plan.membership {
        kinds.push("membership");
    }
    kinds
}

/// Injects one fault of `kind` (one of [`nemesis_kinds`]), waits, heals it.
pub(super) fn nemesis(chaos: &mut ChaosCluster, rng: &mut StdRng, kind: &str) {
    let n = chaos.cluster.nodes.len();
    let victim = rng.gen_range(0..n);
    let hold = |rng: &mut StdRng| Duration::from_millis(rng.gen_range(300..2000));
    match kind {
        "kill" => {
            chaos.cluster.nodes[victim].kill9();
            std::thread::sleep(hold(rng));
            chaos.cluster.nodes[victim].spawn();
        }
        "kill-leader" => {
            let leader = chaos.cluster.leader();
            chaos.cluster.nodes[leader].kill9();
            std::thread::sleep(hold(rng));
            chaos.cluster.nodes[leader].spawn();
        }
        "pause" => {
            chaos.cluster.nodes[victim].pause(true);
            std::thread::sleep(hold(rng));
            chaos.cluster.nodes[victim].pause(false);
        }
        "isolate" => {
            chaos.net.isolate(chaos.id(victim), &chaos.ids());
            std::thread::sleep(hold(rng));
            chaos.net.heal();
        }
        "one-way" => {
            // One way: the victim hears nobody, but still reaches everyone.
            let to = chaos.id(victim);
            for from in chaos.ids() {
                if from != to {
                    chaos.net.cut(from, to);
                }
            }
            std::thread::sleep(hold(rng));
            chaos.net.heal();
        }
        "bridge" => {
            let other = (victim + rng.gen_range(1..n)) % n;
            chaos.net.partition_pair(chaos.id(victim), chaos.id(other));
            std::thread::sleep(hold(rng));
            chaos.net.heal();
        }
        "delay" => {
            chaos.net.set_delay(chaos.id(victim), rng.gen_range(10..150));
            std::thread::sleep(hold(rng));
            chaos.net.heal();
        }
        "random-drop" => {
            chaos.net.set_drop(chaos.id(victim), rng.gen_range(2.0..20.0));
            std::thread::sleep(hold(rng));
            chaos.net.heal();
        }
        "kill-two" => {
            // A minority of two down at once.
            assert!(n >= 5, "kill-two needs five nodes");
            let other = (victim + rng.gen_range(1..n)) % n;
            chaos.cluster.nodes[victim].kill9();
            chaos.cluster.nodes[other].kill9();
            std::thread::sleep(hold(rng));
            chaos.cluster.nodes[victim].spawn();
            chaos.cluster.nodes[other].spawn();
        }
        "isolate-leader" => {
            let leader = chaos.cluster.leader();
            chaos.net.isolate(chaos.id(leader), &chaos.ids());
            std::thread::sleep(hold(rng));
            chaos.net.heal();
        }
        "membership" => chaos.replace(victim),
        "power-cut-follower" => {
            let leader = chaos.cluster.leader();
            let follower = (leader + rng.gen_range(1..n)) % n;
            let hold = hold(rng);
            chaos.power_cut(&[follower], hold);
        }
        "power-cut-leader" => {
            let leader = chaos.cluster.leader();
            let hold = hold(rng);
            chaos.power_cut(&[leader], hold);
        }
        "power-cut-all" => {
            // A rack losing power: every node at once.
            let all: Vec<usize> = (0..n).collect();
            let hold = hold(rng);
            chaos.power_cut(&all, hold);
        }
        other => panic!("no nemesis of kind {other:?}"),
    }
}
