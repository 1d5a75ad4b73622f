//! The router's groups: a route put in the leader-only group is relayed to
//! the leader from any member, with no word of it in the forwarding code.
//! The test-only route `POST /v1/debug/served-by` (compiled in with the
//! `failpoints` feature, in the leader group) answers with the id of the
//! node that served it.

use crate::support::{eventually, feature_binary, http, TestCluster};

#[test]
fn a_route_in_the_leader_group_is_served_by_the_leader_from_any_member() {
    let bin = feature_binary("failpoints");
    let mut nodes = TestCluster::initial_nodes(3, &[]);
    for node in &mut nodes {
        node.bin = bin.clone();
        node.spawn();
    }
    for node in &mut nodes {
        node.wait_ready();
    }
    let cluster = TestCluster { nodes };
    cluster.wait_voters(3);
    let c = http();
    let mut from_followers = 0;
    for (i, node) in cluster.nodes.iter().enumerate() {
        // The leader before and after the request agree: it served it.
        let (served_by, leader) = eventually("an answer while the leader stays put", 30, || {
            let before = cluster.nodes[cluster.leader()].id?;
            let r = c
                .post(format!("{}/v1/debug/served-by", node.url()))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .ok()?;
            if r.status() != 200 {
                return None;
            }
            let id: u64 = r.text().ok()?.trim().parse().ok()?;
            let after = cluster.nodes[cluster.leader()].id?;
            (before == after).then_some((id, after))
        });
        assert_eq!(served_by, leader, "node {i} answered for itself instead of relaying");
        if node.id != Some(leader) {
            from_followers += 1;
        }
    }
    assert_eq!(from_followers, 2, "two of the three members are followers");
}
