//! `concord bench`: a load generator over the public API, like etcd's
//! benchmark tool and redis-benchmark. N connections each send one request
//! at a time for a duration or until a request count is reached; every
//! latency goes into an HDR histogram.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use concord_core::api::{BatchRequest, Member, OpRequest, PutRequest, Role};
use hdrhistogram::Histogram;
use reqwest::Method;

use crate::client::{encode_key, ApiClient, ClientConfig, Payload};
use crate::error::{CliError, Kind};
use crate::output::{self, Format};

const AFTER_HELP: &str = "\
Examples:
  concord bench                                        # puts, 16 connections, 10 s
  concord bench --workload get --connections 64 --duration 30s
  concord bench --workload mixed --requests 100000 --value-size 1024 -o json

The load goes to the leader (found through --endpoints); --target all spreads
the connections over every --endpoints URL instead (followers relay writes and
linearizable reads to the leader). Keys are <prefix><number> over --key-space;
for get and mixed the key space is first written in batches of 1,000 (not
timed). A 404 is an answer, not an error; any other failure counts in
`errors`. Run it against a test cluster: it writes under --prefix.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// Single-key puts.
    Put,
    /// Single-key gets.
    Get,
    /// Half puts, half gets.
    Mixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Every connection to the leader.
    Leader,
    /// Connections spread over every --endpoints URL.
    All,
}

/// Measure throughput and latency of puts and gets.
#[derive(Debug, Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct BenchArgs {
    /// What to send.
    #[arg(long, value_enum, default_value_t = Workload::Put)]
    pub workload: Workload,
    /// Requests in flight at once (one per connection), 1 to 4096.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub connections: usize,
    /// How long to run, like `10s` or `1m` [default: 10s unless --requests].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION", conflicts_with = "requests")]
    pub duration: Option<Duration>,
    /// Stop after this many requests instead of after a duration.
    #[arg(long, value_name = "N")]
    pub requests: Option<u64>,
    /// Distinct keys, chosen at random.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub key_space: u64,
    /// Bytes per value.
    #[arg(long, default_value_t = 256, value_name = "BYTES")]
    pub value_size: usize,
    /// Consistency of the gets: `linearizable` confirms leadership with a
    /// quorum first; `stale` reads the node's local state.
    #[arg(long, value_parser = ["linearizable", "stale"], default_value = "linearizable")]
    pub consistency: String,
    /// Where the connections go.
    #[arg(long, value_enum, default_value_t = Target::Leader)]
    pub target: Target,
    /// The keys' prefix.
    #[arg(long, default_value = "bench/", value_name = "PREFIX")]
    pub prefix: String,
}

/// What a run measured; `-o json` prints it.
#[derive(Debug, serde::Serialize)]
struct Report {
    workload: Workload,
    connections: usize,
    requests: u64,
    errors: u64,
    not_found: u64,
    duration_s: f64,
    ops_per_sec: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    max_ms: f64,
    /// The first error seen, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_error: Option<String>,
}

/// What one connection saw.
struct Seen {
    latencies: Histogram<u64>,
    errors: u64,
    not_found: u64,
    first_error: Option<String>,
}

pub fn run(client: &ApiClient, config: &ClientConfig, args: BenchArgs) -> Result<(), CliError> {
    if !(1..=4096).contains(&args.connections) {
        return Err(CliError::usage("--connections must be between 1 and 4096"));
    }
    if args.key_space == 0 {
        return Err(CliError::usage("--key-space must be at least 1"));
    }
    if args.requests == Some(0) || args.duration.is_some_and(|d| d.is_zero()) {
        return Err(CliError::usage("--requests and --duration must be greater than zero"));
    }
    let targets = match args.target {
        Target::All => config.endpoints.clone(),
        Target::Leader => vec![leader_url(client)?],
    };
    if args.workload != Workload::Put {
        fill(client, &args)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()).min(8))
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("starting the benchmark runtime: {e}")))?;
    let http = {
        let _inside = runtime.enter();
        config
            .http_builder()?
            .pool_max_idle_per_host(args.connections)
            .build()
            .map_err(|e| CliError::other(format!("building the HTTP client: {e}")))?
    };
    let report = runtime.block_on(load(http, config, &targets, &args));
    runtime.shutdown_background();
    let report = report?;
    if report.requests == report.errors {
        let why = report.first_error.clone().unwrap_or_default();
        return Err(CliError::new(Kind::Unavailable, format!("no request succeeded: {why}")));
    }
    print(client.output(), &report)
}

/// The leader's client URL, from the members a configured endpoint lists.
fn leader_url(client: &ApiClient) -> Result<String, CliError> {
    let members: Vec<Member> = client.get("/v1/cluster/members")?.json()?;
    members
        .into_iter()
        .find(|m| m.role == Role::Leader && !m.client_url.is_empty())
        .map(|m| m.client_url.trim_end_matches('/').to_string())
        .ok_or_else(|| CliError::new(Kind::Unavailable, "no leader is known; retry, or use --target all"))
}

/// Writes every key of the key space (batches of 1,000), so gets find them.
fn fill(client: &ApiClient, args: &BenchArgs) -> Result<(), CliError> {
    let value = value_of(args.value_size);
    let mut next = 0u64;
    while next < args.key_space {
        let end = (next + 1000).min(args.key_space);
        let ops = (next..end)
            .map(|i| {
                OpRequest::Put(PutRequest {
                    key: key_of(&args.prefix, i),
                    value: Some(value.clone()),
                    value_base64: None,
                    ttl: None,
                })
            })
            .collect();
        client.send(Method::POST, "/v1/kv/batch", &Payload::json(&BatchRequest { ops })?)?;
        next = end;
    }
    Ok(())
}

fn key_of(prefix: &str, i: u64) -> String {
    format!("{prefix}{i:010}")
}

fn value_of(size: usize) -> String {
    "x".repeat(size)
}

async fn load(
    http: reqwest::Client,
    config: &ClientConfig,
    targets: &[String],
    args: &BenchArgs,
) -> Result<Report, CliError> {
    let deadline = match (args.requests, args.duration) {
        (Some(_), _) => None,
        (None, d) => Some(d.unwrap_or(Duration::from_secs(10))),
    };
    let budget = args.requests.map(|n| Arc::new(AtomicU64::new(n)));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let value = bytes::Bytes::from(value_of(args.value_size));
    let token = config.token().map(|t| t.expose().to_string());
    let consistency = if args.consistency == "stale" {
        "?consistency=stale"
    } else {
        ""
    };
    let bar = progress(args.requests);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.connections);
    for c in 0..args.connections {
        let (http, stop, done, budget, value, token) = (
            http.clone(),
            stop.clone(),
            done.clone(),
            budget.clone(),
            value.clone(),
            token.clone(),
        );
        let base = targets[c % targets.len()].clone();
        let (workload, key_space, prefix) = (args.workload, args.key_space, args.prefix.clone());
        let timeout = config.timeout;
        tasks.push(tokio::spawn(async move {
            let mut seen = Seen {
                latencies: Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds"),
                errors: 0,
                not_found: 0,
                first_error: None,
            };
            // A cheap per-connection generator (xorshift), seeded apart.
            let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (c as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                if let Some(left) = &budget {
                    if left
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                        .is_err()
                    {
                        break;
                    }
                }
                let r = next();
                let key = key_of(&prefix, r % key_space);
                let put = match workload {
                    Workload::Put => true,
                    Workload::Get => false,
                    Workload::Mixed => r >> 63 == 1,
                };
                let url = format!("{base}/v1/kv/{}", encode_key(&key));
                let mut req = if put {
                    http.put(url).body(value.clone())
                } else {
                    http.get(format!("{url}{consistency}"))
                };
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                let sent = Instant::now();
                let outcome = match req.timeout(timeout).send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        // The body is read, so the connection is reused.
                        match resp.bytes().await {
                            Ok(_) if status.is_success() => Ok(()),
                            Ok(_) if status == reqwest::StatusCode::NOT_FOUND && !put => {
                                seen.not_found += 1;
                                Ok(())
                            }
                            Ok(body) => Err(format!(
                                "HTTP {status}: {}",
                                String::from_utf8_lossy(&body[..body.len().min(200)])
                            )),
                            Err(e) => Err(e.to_string()),
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                let micros = sent.elapsed().as_micros().max(1) as u64;
                let _ = seen.latencies.record(micros.min(3_600_000_000));
                if let Err(e) = outcome {
                    seen.errors += 1;
                    seen.first_error.get_or_insert(e);
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            seen
        }));
    }
    // The clock, and the progress bar.
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let n = done.load(Ordering::Relaxed);
        if let Some(bar) = &bar {
            bar.set_position(n);
        }
        if deadline.is_some_and(|d| started.elapsed() >= d) {
            stop.store(true, Ordering::Relaxed);
        }
        if tasks.iter().all(|t| t.is_finished()) {
            break;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds");
    let (mut errors, mut not_found, mut first_error) = (0, 0, None);
    for task in tasks {
        let seen = task
            .await
            .map_err(|e| CliError::other(format!("a benchmark connection failed: {e}")))?;
        all.add(&seen.latencies)
            .map_err(|e| CliError::other(format!("merging latencies: {e}")))?;
        errors += seen.errors;
        not_found += seen.not_found;
        if first_error.is_none() {
            first_error = seen.first_error;
        }
    }
    let ms = |q: f64| all.value_at_quantile(q) as f64 / 1000.0;
    let requests = all.len();
    Ok(Report {
        workload: args.workload,
        connections: args.connections,
        requests,
        errors,
        not_found,
        duration_s: elapsed,
        ops_per_sec: (requests - errors) as f64 / elapsed.max(1e-9),
        p50_ms: ms(0.5),
        p90_ms: ms(0.9),
        p99_ms: ms(0.99),
        p999_ms: ms(0.999),
        max_ms: all.max() as f64 / 1000.0,
        first_error,
    })
}

/// A progress bar on a terminal (stderr) only.
fn progress(requests: Option<u64>) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let (bar, template) = match requests {
        Some(n) => (
            indicatif::ProgressBar::new(n),
            "{bar:30} {pos}/{len} requests ({per_sec}, {elapsed})",
        ),
        None => (
            indicatif::ProgressBar::new_spinner(),
            "{spinner} {pos} requests ({per_sec}, {elapsed})",
        ),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    Some(bar)
}

fn print(format: Format, r: &Report) -> Result<(), CliError> {
    match format {
        f if f.is_data() => output::data(f, r),
        _ => {
            let f = |v: f64| format!("{v:.2}");
            output::table(
                format,
                &[
                    "workload", "conns", "requests", "errors", "ops/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms",
                    "max ms",
                ],
                vec![vec![
                    format!("{:?}", r.workload).to_lowercase(),
                    r.connections.to_string(),
                    r.requests.to_string(),
                    r.errors.to_string(),
                    format!("{:.0}", r.ops_per_sec),
                    f(r.p50_ms),
                    f(r.p90_ms),
                    f(r.p99_ms),
                    f(r.p999_ms),
                    f(r.max_ms),
                ]],
            )?;
            if let Some(e) = &r.first_error {
                eprintln!("first error: {}", crate::output::escape_control(e));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_in_number_order_and_values_have_the_size() {
        assert_eq!(key_of("b/", 7), "b/0000000007");
        assert!(key_of("b/", 9) < key_of("b/", 10));
        assert_eq!(value_of(256).len(), 256);
    }
}
