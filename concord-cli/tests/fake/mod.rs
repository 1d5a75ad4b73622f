//! A scripted HTTP/1.1 server on 127.0.0.1 standing in for a node, so that
//! the client's behaviour (failover, leader following, deadlines, what it
//! sends and prints) is tested without a cluster. It records every request
//! and answers as the test says: JSON, an error, a body that trickles or
//! stalls, or nothing at all. One request per connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target exactly as it came on the wire.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

pub enum Reply {
    Full {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// 200, then the body in pieces (chunked), each after its pause; then,
    /// with `stall`, nothing more for that long before the end.
    Trickle {
        pieces: Vec<(Duration, Vec<u8>)>,
        stall: Option<Duration>,
    },
    /// No answer at all for this long, then the connection closes.
    Silence(Duration),
    /// 307 to `location`.
    Redirect(String),
}

impl Reply {
    pub fn json(status: u16, value: serde_json::Value) -> Reply {
        Reply::Full {
            status,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
        }
    }

    pub fn bytes(status: u16, content_type: &'static str, body: &[u8]) -> Reply {
        Reply::Full {
            status,
            content_type,
            body: body.to_vec(),
        }
    }

    /// The API's error shape.
    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(status, serde_json::json!({"error": {"code": code, "message": message}}))
    }

    pub fn not_leader(leader_url: &str) -> Reply {
        Reply::json(
            503,
            serde_json::json!({"error": {"code": "not_leader", "message": "not the leader", "leader_url": leader_url}}),
        )
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct FakeNode {
    pub url: String,
    listener: Option<TcpListener>,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeNode {
    /// Bound to a free port, not answering yet (so two fakes can name each
    /// other before they serve).
    pub fn bind() -> FakeNode {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        FakeNode {
            url,
            listener: Some(listener),
            requests: Arc::default(),
        }
    }

    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> FakeNode {
        let mut node = FakeNode::bind();
        node.serve(handler);
        node
    }

    pub fn serve(&mut self, handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) {
        let listener = self.listener.take().expect("serve once");
        let handler: Arc<Handler> = Arc::new(handler);
        let requests = self.requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                let requests = requests.clone();
                std::thread::spawn(move || {
                    let _ = answer(stream, &*handler, &requests);
                });
            }
        });
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Requests whose path starts with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.requests().iter().filter(|r| r.path().starts_with(prefix)).count()
    }
}

fn answer(stream: TcpStream, handler: &Handler, requests: &Mutex<Vec<Request>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = h.trim_end().split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let mut request = Request {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    let mut out = stream;
    if request.header("transfer-encoding").is_some() {
        // Reads Content-Length bodies only: fail the command visibly.
        requests.lock().unwrap().push(request);
        let body = "the fake node reads Content-Length bodies only";
        write!(
            out,
            "HTTP/1.1 501 X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return out.flush();
    }
    let len: usize = request.header("content-length").map_or(0, |v| v.parse().unwrap());
    request.body = vec![0; len];
    reader.read_exact(&mut request.body)?;
    requests.lock().unwrap().push(request.clone());

    match handler(&request) {
        Reply::Full {
            status,
            content_type,
            body,
        } => {
            write!(
                out,
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            )?;
            out.write_all(&body)?;
        }
        Reply::Trickle { pieces, stall } => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            )?;
            out.flush()?;
            for (pause, piece) in pieces {
                std::thread::sleep(pause);
                write!(out, "{:x}\r\n", piece.len())?;
                out.write_all(&piece)?;
                out.write_all(b"\r\n")?;
                out.flush()?;
            }
            if let Some(stall) = stall {
                std::thread::sleep(stall);
            }
            out.write_all(b"0\r\n\r\n")?;
        }
        Reply::Silence(d) => std::thread::sleep(d),
        Reply::Redirect(location) => {
            write!(
                out,
                "HTTP/1.1 307 X\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )?;
        }
    }
    out.flush()
}

/// `concord --endpoints ENDPOINTS --timeout TIMEOUT` with none of the
/// caller's `CONCORD_*` settings. `CONCORD_BIN` runs another build instead
/// (to see a test fail on the build before a fix, say).
pub fn concord(endpoints: &str, timeout: &str) -> Command {
    let bin = std::env::var_os("CONCORD_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_concord").into());
    let mut cmd = Command::new(bin);
    cmd.env_remove("CONCORD_ENDPOINTS")
        .env_remove("CONCORD_TOKEN")
        .env_remove("CONCORD_TOKEN_FILE")
        .args(["--endpoints", endpoints, "--timeout", timeout]);
    cmd
}

/// Runs with no stdin.
pub fn run(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run concord")
}

/// Runs with `stdin` bytes (the writer may be cut off when the CLI stops
/// reading).
pub fn run_with_stdin(mut cmd: Command, stdin: Vec<u8>) -> Output {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn concord");
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("wait concord");
    writer.join().unwrap();
    out
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
