//! [`ChaosCluster`]: a cluster of real `concord` processes whose peer
//! traffic goes through one [`Proxy`] per node, so the nemeses can cut,
//! delay and drop single links, plus the replacement of a member by a fresh
//! node, and power cuts when the data directories are on lazyfs. It starts,
//! stops and rewires processes; it records nothing and checks nothing
//! beyond its own steps having worked.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::lazyfs::LazyDisk;
use crate::netproxy::{Net, Proxy};
use crate::support::{client, eventually, TestCluster, TestNode};

/// A cluster whose peer traffic goes through one proxy per node.
pub struct ChaosCluster {
    pub cluster: TestCluster,
    /// `proxies[i]` fronts `cluster.nodes[i]`.
    pub proxies: Vec<Proxy>,
    pub net: Arc<Net>,
    /// `disks[i]` holds `cluster.nodes[i]`'s data directory, on lazyfs;
    /// empty when the data lives on the real disk. Dropped after the nodes.
    pub disks: Vec<LazyDisk>,
}

impl ChaosCluster {
    /// `n` nodes formed with `--initial-cluster`, running `bin` (the build
    /// under test when `None`).
    pub fn start(n: usize, bin: Option<&Path>, extra: &[&str]) -> ChaosCluster {
        Self::start_on(n, bin, extra, false)
    }

    /// [`ChaosCluster::start`], with each node's data directory on its own
    /// lazyfs mount when `lazy`.
    pub fn start_on(n: usize, bin: Option<&Path>, extra: &[&str], lazy: bool) -> ChaosCluster {
        let net = Arc::new(Net::default());
        let mut nodes: Vec<TestNode> = (1..=n as u64).map(|id| TestNode::new(Some(id), extra)).collect();
        let disks: Vec<LazyDisk> = if lazy {
            nodes.iter().map(|_| LazyDisk::mount()).collect()
        } else {
            Vec::new()
        };
        for (node, disk) in nodes.iter_mut().zip(&disks) {
            node.data_dir = disk.mount.join("data");
        }
        if let Some(bin) = bin {
            for node in &mut nodes {
                node.bin = bin.to_path_buf();
            }
        }
        let proxies: Vec<Proxy> = nodes
            .iter()
            .map(|n| Proxy::start(net.clone(), n.id.unwrap(), n.peer_port))
            .collect();
        let spec = nodes
            .iter()
            .zip(&proxies)
            .map(|(n, p)| format!("{}={}", n.id.unwrap(), p.url()))
            .collect::<Vec<_>>()
            .join(",");
        for (node, proxy) in nodes.iter_mut().zip(&proxies) {
            node.extra_args.extend([
                "--initial-cluster".to_string(),
                spec.clone(),
                "--advertise-peer".to_string(),
                proxy.url(),
            ]);
            node.spawn();
        }
        for node in &mut nodes {
            node.wait_ready();
        }
        let cluster = TestCluster { nodes };
        cluster.wait_voters(n);
        ChaosCluster {
            cluster,
            proxies,
            net,
            disks,
        }
    }

    /// `kill -9` of nodes `which`, a power cut of their disks (everything
    /// they had not fsynced is gone), and a restart after `hold`.
    pub fn power_cut(&mut self, which: &[usize], hold: Duration) {
        assert!(!self.disks.is_empty(), "power cuts need the data on lazyfs");
        for &i in which {
            self.cluster.nodes[i].kill9();
        }
        for &i in which {
            let report = self.disks[i].power_cut();
            eprintln!("node {}: {report}", self.id(i));
        }
        std::thread::sleep(hold);
        for &i in which {
            self.cluster.nodes[i].spawn();
        }
    }

    pub fn ids(&self) -> Vec<u64> {
        self.cluster.nodes.iter().map(|n| n.id.unwrap()).collect()
    }

    pub fn id(&self, i: usize) -> u64 {
        self.cluster.nodes[i].id.unwrap()
    }

    pub fn urls(&self) -> Vec<String> {
        self.cluster.nodes.iter().map(|n| n.url()).collect()
    }

    /// Removes node `i` from the membership (through another node, which
    /// forwards to the leader), kills it and wipes it, then starts a fresh
    /// node that joins in its place and waits until it is a voter.
    pub(super) fn replace(&mut self, i: usize) {
        let id = self.id(i);
        let via = self.cluster.nodes[(i + 1) % self.cluster.nodes.len()].url();
        let c = client(Duration::from_secs(10));
        eventually(&format!("the removal of node {id}"), 60, || {
            let r = c.delete(format!("{via}/v1/cluster/members/{id}")).send().ok()?;
            (r.status().is_success() || r.status() == 404).then_some(())
        });
        let n = self.cluster.nodes.len();
        let mut old = std::mem::replace(&mut self.cluster.nodes[i], TestNode::new(None, &[]));
        old.kill9();
        drop(old);
        let node = &mut self.cluster.nodes[i];
        let proxy = Proxy::start(self.net.clone(), 0, node.peer_port);
        node.extra_args
            .extend(["--join".to_string(), via, "--advertise-peer".into(), proxy.url()]);
        node.spawn();
        node.wait_ready();
        let new_id = node.learn_id();
        proxy.set_node_id(new_id);
        self.proxies[i] = proxy;
        assert_ne!(new_id, id, "the fresh node reused the id of the node it replaces");
        // `members` is the view of the first node that answers, which may
        // have just restarted and not yet caught up with the removal and
        // the join (seed 60 saw the old membership, five voters, there).
        // So wait for the replacement itself, in whichever view answers.
        self.cluster.wait_voters(n);
        eventually(
            &format!("node {id} replaced by node {new_id} with {n} voters"),
            60,
            || {
                let members = self.cluster.members();
                let ids: Vec<u64> = members.iter().filter_map(|m| m["id"].as_u64()).collect();
                let voters = members.iter().filter(|m| m["role"] != "learner").count();
                (ids.contains(&new_id) && !ids.contains(&id) && voters == n).then_some(())
            },
        );
    }
}
