//! `concord kv watch`: follows `GET /v1/watch`, resuming from the last
//! revision it saw through any endpoint when a stream breaks.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use std::time::Duration;

use clap::Args;

use concord_core::api::{WatchEnd, WatchEvent, WatchProgress};

use crate::client::{encode_query, ApiClient, Piece};
use crate::error::{CliError, Kind};
use crate::output::{self, escape_control, Format};

/// Print every change to a key (or, with `--prefix`, to the keys under a
/// prefix) as it is committed, in revision order, until Ctrl-C. A broken
/// stream is resumed from the last revision seen, through any endpoint,
/// with nothing missed or repeated.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Each event is printed as it arrives: `PUT<TAB>KEY<TAB>VALUE`, or
`DELETE<TAB>KEY` (`EXPIRED<TAB>KEY` when the key's TTL ran out); with
`-o json` one JSON object per line: type (put or delete), key, value (null
for a delete) or value_base64, revision, create_revision, mod_revision,
version, expired, and with --prev-kv prev_kv (or prev_kv_omitted).

With --exec, the command after `--` runs once per event (the next event
waits for it), with the event in CONCORD_WATCH_TYPE, CONCORD_WATCH_KEY,
CONCORD_WATCH_VALUE, CONCORD_WATCH_REVISION and CONCORD_WATCH_EXPIRED
(and CONCORD_WATCH_PREV_VALUE with --prev-kv); events are then not printed.

A watch asking for revisions the history no longer keeps exits 3
(`compacted`: the message names the oldest revision it can start from); a
token revoked or expired while it runs exits 4. While no endpoint answers,
the watch keeps trying (backing off up to 5 s). Ctrl-C ends the watch with
exit 0 (while it connects, once the attempt ends: within --timeout).

Examples:
  concord kv watch config/db-url
  concord kv watch --prefix jobs/ -o json
  concord kv watch --prefix jobs/ --rev 1200     # every change after revision 1200
  concord kv watch --prefix config/ --exec -- ./reload.sh")]
pub struct KvWatchArgs {
    /// The key to watch.
    #[arg(required_unless_present = "prefix", conflicts_with = "prefix", add = clap_complete::ArgValueCompleter::new(crate::complete::keys))]
    pub key: Option<String>,
    /// Watch every key starting with this prefix instead (`""`: all keys).
    #[arg(long, value_name = "PREFIX", add = clap_complete::ArgValueCompleter::new(crate::complete::keys))]
    pub prefix: Option<String>,
    /// Start after revision N: print every change committed after it
    /// (default: changes from now on).
    #[arg(long, value_name = "N")]
    pub rev: Option<u64>,
    /// Also give each change's previous value.
    #[arg(long)]
    pub prev_kv: bool,
    /// Run the command given after `--` for each event.
    #[arg(long, requires = "command")]
    pub exec: bool,
    /// The command --exec runs, and its arguments.
    #[arg(last = true, value_name = "CMD", requires = "exec")]
    pub command: Vec<String>,
}

/// How long a stream may stay silent before it is taken for lost: the node
/// sends progress at least every 5 s.
const SILENCE: Duration = Duration::from_secs(15);

pub fn run(client: &ApiClient, args: KvWatchArgs) -> Result<(), CliError> {
    let what = match (&args.key, &args.prefix) {
        (_, Some(prefix)) => format!("prefix={}", encode_query(prefix)),
        (Some(key), None) => format!("key={}", encode_query(key)),
        (None, None) => return Err(CliError::usage("give a KEY or --prefix")),
    };
    let mut watch = Watch {
        format: client.output(),
        exec: args.command,
        prev_kv: args.prev_kv,
        pending: Vec::new(),
        after: args.rev,
        shown: 0,
    };
    let mut interrupt = client.interrupts()?;
    // Between attempts when no endpoint answers, or a stream ends before
    // it said anything.
    let mut pause = Duration::ZERO;
    loop {
        if client.interrupted_within(pause, &mut interrupt) {
            return Ok(());
        }
        pause = (pause * 2).clamp(Duration::from_millis(200), Duration::from_secs(5));
        let mut path = format!("/v1/watch?{what}");
        if let Some(after) = watch.after {
            path.push_str(&format!("&start_revision={after}"));
        }
        if args.prev_kv {
            path.push_str("&prev_kv=true");
        }
        let mut answer = match client.get(&path) {
            Ok(answer) => answer,
            // No endpoint answers: keep trying until one does, or Ctrl-C.
            Err(e) if matches!(e.kind, Kind::Unavailable) => {
                eprintln!("watch: {}; trying again", e.message);
                continue;
            }
            Err(e) => return Err(e),
        };
        let from = answer.endpoint().to_string();
        let (opened, shown_before) = (std::time::Instant::now(), watch.shown);
        let mut parser = SseParser::default();
        let why = loop {
            match answer.piece(SILENCE.max(client.timeout()), &mut interrupt) {
                Ok(Piece::Data(bytes)) => {
                    for (event, data, id) in parser.feed(&bytes) {
                        // Ctrl-C also reaches an --exec command: stop
                        // before the next event, not after them all.
                        if client.interrupted_within(Duration::ZERO, &mut interrupt) {
                            return Ok(());
                        }
                        if let Some(stop) = watch.on_event(&event, &data, id)? {
                            return stop;
                        }
                    }
                }
                Ok(Piece::End) => break "the stream ended".to_string(),
                Ok(Piece::Interrupted) => return Ok(()),
                Err(e) => break e.message,
            }
        };
        // Events of a revision not seen whole come again after resuming.
        watch.pending.clear();
        // At once after a stream that showed something or lasted; after a
        // growing pause after one that ended at once.
        if watch.shown > shown_before || opened.elapsed() >= Duration::from_secs(5) {
            pause = Duration::ZERO;
        }
        match watch.after {
            Some(after) => eprintln!("watch: {from}: {why}; resuming after revision {after}"),
            None => eprintln!("watch: {from}: {why}; starting again"),
        }
    }
}

/// The state of one `kv watch` across reconnections.
struct Watch {
    format: Format,
    exec: Vec<String>,
    prev_kv: bool,
    /// Events of the revision being received (not yet seen whole).
    pending: Vec<WatchEvent>,
    /// Every change up to this revision was shown.
    after: Option<u64>,
    /// Changes shown so far.
    shown: u64,
}

impl Watch {
    /// Handles one SSE event; `Some` ends the watch with that result.
    fn on_event(&mut self, event: &str, data: &str, id: Option<u64>) -> Result<Option<Result<(), CliError>>, CliError> {
        let parse_error =
            |e: serde_json::Error| CliError::other(format!("the node sent a {event} event that does not parse: {e}"));
        match event {
            "put" | "delete" => {
                self.pending.push(serde_json::from_str(data).map_err(parse_error)?);
                if let Some(revision) = id {
                    for ev in std::mem::take(&mut self.pending) {
                        self.show(&ev)?;
                        self.shown += 1;
                    }
                    self.after = Some(revision);
                }
            }
            "progress" => {
                let p: WatchProgress = serde_json::from_str(data).map_err(parse_error)?;
                self.after = Some(self.after.map_or(p.revision, |a| a.max(p.revision)));
            }
            "lagged" | "error" => {
                let end: WatchEnd = serde_json::from_str(data).map_err(parse_error)?;
                eprintln!("watch: {}", escape_control(&end.message));
                self.pending.clear();
            }
            "unauthorized" => {
                let end: WatchEnd = serde_json::from_str(data).map_err(parse_error)?;
                return Ok(Some(Err(CliError::new(Kind::Auth, escape_control(&end.message)))));
            }
            "compacted" => {
                let end: WatchEnd = serde_json::from_str(data).map_err(parse_error)?;
                return Ok(Some(Err(CliError::new(Kind::NotFound, escape_control(&end.message)))));
            }
            _ => {}
        }
        Ok(None)
    }

    fn show(&self, ev: &WatchEvent) -> Result<(), CliError> {
        if !self.exec.is_empty() {
            return self.run_command(ev);
        }
        match self.format {
            Format::Json => output::json(ev),
            Format::Yaml => {
                output::write_stdout(b"---\n")?;
                output::yaml(ev)
            }
            _ => {
                let value = String::from_utf8_lossy(&ev.value_bytes()).into_owned();
                let line = match (ev.kind.as_str(), ev.expired) {
                    ("put", _) => format!("PUT\t{}\t{}", escape_control(&ev.key), escape_control(&value)),
                    (_, true) => format!("EXPIRED\t{}", escape_control(&ev.key)),
                    _ => format!("DELETE\t{}", escape_control(&ev.key)),
                };
                output::line(&line)
            }
        }
    }

    fn run_command(&self, ev: &WatchEvent) -> Result<(), CliError> {
        let mut cmd = Command::new(&self.exec[0]);
        cmd.args(&self.exec[1..])
            .env("CONCORD_WATCH_TYPE", &ev.kind)
            .env("CONCORD_WATCH_KEY", &ev.key)
            .env("CONCORD_WATCH_VALUE", OsStr::from_bytes(&ev.value_bytes()))
            .env("CONCORD_WATCH_REVISION", ev.revision.to_string())
            .env("CONCORD_WATCH_EXPIRED", ev.expired.to_string());
        if self.prev_kv {
            let prev = ev.prev_kv.as_ref().and_then(|p| p.value_bytes()).unwrap_or_default();
            cmd.env("CONCORD_WATCH_PREV_VALUE", OsStr::from_bytes(&prev));
        }
        let status = cmd
            .status()
            .map_err(|e| CliError::other(format!("running {}: {e}", escape_control(&self.exec[0]))))?;
        if !status.success() {
            eprintln!(
                "watch: {} exited with {status} for revision {}",
                escape_control(&self.exec[0]),
                ev.revision
            );
        }
        Ok(())
    }
}

/// The Server-Sent Events wire format, as much as `/v1/watch` uses: `event`,
/// `data` and `id` fields, events ended by a blank line.
#[derive(Default)]
struct SseParser {
    buf: Vec<u8>,
    event: String,
    data: String,
    id: Option<u64>,
}

impl SseParser {
    /// Feeds bytes; returns the events completed by them as (event name,
    /// data, id).
    fn feed(&mut self, bytes: &[u8]) -> Vec<(String, String, Option<u64>)> {
        self.buf.extend_from_slice(bytes);
        let mut done = Vec::new();
        while let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.event.is_empty() || !self.data.is_empty() {
                    let event = std::mem::take(&mut self.event);
                    let event = if event.is_empty() { "message".to_string() } else { event };
                    done.push((event, std::mem::take(&mut self.data), self.id.take()));
                }
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line, ""),
            };
            match field {
                "event" => self.event = value.to_string(),
                "data" => {
                    if !self.data.is_empty() {
                        self.data.push('\n');
                    }
                    self.data.push_str(value);
                }
                "id" => self.id = value.parse().ok(),
                _ => {}
            }
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_events_are_cut_at_blank_lines_whatever_the_chunks() {
        let wire =
            b"event: put\ndata: {\"a\":1}\nid: 7\n\n: comment\n\nevent: progress\r\ndata: {\"revision\":9}\r\n\r\n";
        for cut in 0..wire.len() {
            let mut p = SseParser::default();
            let mut got = p.feed(&wire[..cut]);
            got.extend(p.feed(&wire[cut..]));
            assert_eq!(
                got,
                vec![
                    ("put".to_string(), "{\"a\":1}".to_string(), Some(7)),
                    ("progress".to_string(), "{\"revision\":9}".to_string(), None),
                ],
                "cut at {cut}"
            );
        }
    }
}
