//! Network faults between peers without `tc netem`: a userspace TCP proxy in
//! front of each node's peer port, as etcd's own robustness tests do.
//!
//! Every peer request carries `concord-from-node: <id>`, so the proxy in
//! front of node `to` knows which link a connection belongs to and can cut
//! single directed links: a full isolation, a one-way drop, or a partition
//! between two nodes that both still reach a third. It can also delay a
//! node's traffic, or drop its connections at random (TCP cannot lose single
//! packets in userspace: a dropped chunk ends the connection, which the
//! sender sees as a broken RPC). Connections without the header (join and
//! info probes) are never cut.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The links of one cluster: which directed links are cut, which nodes'
/// traffic is delayed, and the open connections so cuts take effect at once.
#[derive(Default)]
pub struct Net {
    cut: Mutex<HashSet<(u64, u64)>>,
    delay_ms: Mutex<HashMap<u64, u64>>,
    drop_pct: Mutex<HashMap<u64, f64>>,
    conns: Mutex<HashMap<u64, Conn>>,
    next_conn: AtomicU64,
}

struct Conn {
    from: Option<u64>,
    to: u64,
    streams: [TcpStream; 2],
}

impl Net {
    fn is_cut(&self, from: Option<u64>, to: u64) -> bool {
        from.is_some_and(|f| self.cut.lock().unwrap().contains(&(f, to)))
    }

    fn delay(&self, to: u64) -> Duration {
        Duration::from_millis(self.delay_ms.lock().unwrap().get(&to).copied().unwrap_or(0))
    }

    /// Cuts the directed link `from -> to`: requests from `from` to `to`
    /// (and their answers) are dropped, open connections are closed.
    pub fn cut(&self, from: u64, to: u64) {
        self.cut.lock().unwrap().insert((from, to));
        for c in self.conns.lock().unwrap().values() {
            if c.from == Some(from) && c.to == to {
                for s in &c.streams {
                    let _ = s.shutdown(Shutdown::Both);
                }
            }
        }
    }

    /// `victim` neither hears nor reaches any of `others`.
    pub fn isolate(&self, victim: u64, others: &[u64]) {
        for &o in others.iter().filter(|o| **o != victim) {
            self.cut(victim, o);
            self.cut(o, victim);
        }
    }

    /// `a` and `b` cannot talk to each other (each may still reach others).
    pub fn partition_pair(&self, a: u64, b: u64) {
        self.cut(a, b);
        self.cut(b, a);
    }

    /// Slows every byte to and from `node` by `ms` per chunk.
    pub fn set_delay(&self, node: u64, ms: u64) {
        self.delay_ms.lock().unwrap().insert(node, ms);
    }

    /// Each chunk to or from `node` ends its connection with probability
    /// `pct` percent.
    pub fn set_drop(&self, node: u64, pct: f64) {
        self.drop_pct.lock().unwrap().insert(node, pct);
    }

    fn dropped(&self, to: u64) -> bool {
        let pct = self.drop_pct.lock().unwrap().get(&to).copied().unwrap_or(0.0);
        pct > 0.0 && rand::random::<f64>() * 100.0 < pct
    }

    /// Removes every cut, delay and drop.
    pub fn heal(&self) {
        self.cut.lock().unwrap().clear();
        self.delay_ms.lock().unwrap().clear();
        self.drop_pct.lock().unwrap().clear();
    }

    fn register(&self, from: Option<u64>, to: u64, a: &TcpStream, b: &TcpStream) -> Option<u64> {
        let streams = [a.try_clone().ok()?, b.try_clone().ok()?];
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        self.conns.lock().unwrap().insert(id, Conn { from, to, streams });
        Some(id)
    }
}

/// A proxy in front of one node's peer port.
pub struct Proxy {
    pub port: u16,
    /// The node id behind the proxy (0 until known, for joining nodes).
    to: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(net: Arc<Net>, to: u64, upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let to = Arc::new(AtomicU64::new(to));
        let stop = Arc::new(AtomicBool::new(false));
        let (target, st) = (to.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((inbound, _)) => {
                        let (net, target) = (net.clone(), target.clone());
                        std::thread::spawn(move || relay(&net, target.load(Ordering::Relaxed), inbound, upstream));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Proxy { port, to, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set_node_id(&self, id: u64) {
        self.to.store(id, Ordering::Relaxed);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads the start of the first request to learn the sender, then pipes
/// both ways unless the link is cut.
fn relay(net: &Net, to: u64, mut inbound: TcpStream, upstream: u16) {
    let _ = inbound.set_nonblocking(false);
    let _ = inbound.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match inbound.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let _ = inbound.set_read_timeout(None);
    let from = sender(&head);
    if net.is_cut(from, to) {
        return;
    }
    let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    let _ = outbound.set_nodelay(true);
    let _ = inbound.set_nodelay(true);
    std::thread::sleep(net.delay(to));
    if outbound.write_all(&head).is_err() {
        return;
    }
    let Some(id) = net.register(from, to, &inbound, &outbound) else {
        return;
    };
    let (i2, o2) = (inbound.try_clone().unwrap(), outbound.try_clone().unwrap());
    std::thread::scope(|s| {
        s.spawn(|| pipe(net, from, to, i2, o2));
        pipe(net, from, to, outbound, inbound);
    });
    net.conns.lock().unwrap().remove(&id);
}

fn pipe(net: &Net, from: Option<u64>, to: u64, mut src: TcpStream, mut dst: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match src.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if net.is_cut(from, to) || net.dropped(to) {
                    break;
                }
                let delay = net.delay(to);
                if !delay.is_zero() {
                    std::thread::sleep(delay);
                }
                if dst.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = src.shutdown(Shutdown::Both);
    let _ = dst.shutdown(Shutdown::Both);
}

/// The `concord-from-node` header of a request head, if any.
fn sender(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("concord-from-node")
            .then(|| value.trim().parse().ok())?
    })
}
