//! `concord node start`: runs a node in this process. The settings are
//! declared once, in `concord_node::config::NodeSettings` (flags and TOML
//! keys alike, defaults and checks included); this leaf flattens them, reads
//! the `--config` file, merges it under the flags and maps errors to exit
//! codes.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use concord_node::config::LogFormat;
use concord_node::{Listeners, NodeError, NodeSettings};

use crate::error::CliError;

/// Run a node. With no flags: a one-member cluster with its data in
/// `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380.
///
/// Stops cleanly on SIGINT or SIGTERM. A second node on the same data
/// directory is refused.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord node start
  concord node start --data-dir /var/lib/concord --listen-client 0.0.0.0:7379 \\
      --advertise-client http://10.0.0.5:7379
  concord node start --config /etc/concord/node.toml

A local three-node cluster, joined one by one:
  concord node start --id 1 --data-dir n1 --listen-client 127.0.0.1:7379 --listen-peer 127.0.0.1:7380
  concord node start --data-dir n2 --listen-client 127.0.0.1:7381 --listen-peer 127.0.0.1:7382 \\
      --join http://127.0.0.1:7379
  concord node start --data-dir n3 --listen-client 127.0.0.1:7383 --listen-peer 127.0.0.1:7384 \\
      --join http://127.0.0.1:7379

The same, bootstrapped statically (run on each node with its own --id and ports):
  concord node start --id 2 --data-dir n2 --listen-client 127.0.0.1:7381 --listen-peer 127.0.0.1:7382 \\
      --initial-cluster 1=http://127.0.0.1:7380,2=http://127.0.0.1:7382,3=http://127.0.0.1:7384

Monitoring: every node serves GET /metrics (Prometheus text format, no token),
GET /health and GET /ready (?verbose=true explains each check); --log-format json
writes one JSON object per log line. Dashboard, alert rules and a systemd unit: deploy/.

Config file (TOML; flags win over the file):
  id = 1
  data-dir = \"/var/lib/concord\"
  listen-client = \"127.0.0.1:7379\"
  listen-peer = \"127.0.0.1:7380\"
  advertise-client = \"http://127.0.0.1:7379\"
  advertise-peer = \"http://127.0.0.1:7380\"
  log-level = \"info\"
  log-format = \"text\"
  max-value-size = 1048576
  heartbeat-interval = \"100ms\"
  election-timeout = \"300ms\"
  request-timeout = \"10s\"
  client-read-timeout = \"30s\"
  snapshot-logs = 10000
  default-ttl = \"24h\"
  max-txn-ops = 1024
  max-batch-ops = 10000
  max-request-size = 33554432
  max-concurrent-requests = 4096
  min-free-space = 67108864
  request-id-max-entries = 100000
  request-id-max-bytes = 67108864
  max-connections = 4096
  max-concurrent-exports = 16
  max-watchers = 1024
  watch-history = 100000
  watch-history-age = \"1h\"
  max-in-flight-bytes = 268435456
  allowed-hosts = [\"concord.internal\"]
  auth = true
  cluster-secret-file = \"/etc/concord/cluster-secret\"
  audit-log = \"/var/log/concord/audit.log\"
  max-auth-failures = 20
  tls-cert = \"/etc/concord/client.crt\"
  tls-key = \"/etc/concord/client.key\"
  client-ca = \"/etc/concord/clients-ca.crt\"
  peer-tls-cert = \"/etc/concord/peer.crt\"
  peer-tls-key = \"/etc/concord/peer.key\"
  peer-trusted-ca = \"/etc/concord/peer-ca.crt\"
  join = [\"http://10.0.0.1:7379\"]            # or:
  initial-cluster = \"1=http://10.0.0.1:7380,2=http://10.0.0.2:7380,3=http://10.0.0.3:7380\"")]
pub struct NodeStartArgs {
    /// TOML file with the same settings as these flags; flags win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub settings: NodeSettings,
}

/// The settings of a `--config` file (keys are the flag names without
/// `--`; an unknown key is an error).
fn read_config(path: &Path) -> Result<NodeSettings, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("reading config file {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| CliError::usage(format!("config file {}: {e}", path.display())))
}

fn init_logging(level: &str, format: LogFormat) -> Result<(), CliError> {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|e| CliError::usage(format!("invalid --log-level {level:?}: {e}")))?;
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => {
            let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            logs.with_ansi(ansi).init();
        }
        // One object per line, the event's fields beside `message`.
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
    Ok(())
}

/// A node's error as the CLI reports it: settings to change and refusals
/// the operator must act on exit 2 (usage), anything else 1.
fn node_error(e: NodeError) -> CliError {
    match e {
        NodeError::Config(_) | NodeError::Refused(_) | NodeError::Usage(_) => CliError::usage(e.to_string()),
        e => CliError::other(e.to_string()),
    }
}

pub fn run(args: NodeStartArgs) -> Result<(), CliError> {
    let file = match &args.config {
        Some(path) => read_config(path)?,
        None => NodeSettings::default(),
    };
    let mut start = args.settings.or(file).resolve().map_err(|e| node_error(e.into()))?;
    read_secrets(&mut start.node)?;
    init_logging(&start.log_level, start.log_format)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("starting the runtime: {e}")))?;
    let prepared = concord_node::prepare(start.node).map_err(node_error)?;
    runtime.block_on(async move {
        let bind = |addr: SocketAddr, what: &'static str| async move {
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| CliError::other(format!("cannot listen for {what} on {addr}: {e}")))
        };
        let listeners = Listeners {
            client: bind(start.listen_client, "clients").await?,
            peer: bind(start.listen_peer, "peers").await?,
        };
        concord_node::run(prepared, listeners, shutdown_signal())
            .await
            .map_err(node_error)
    })
}

/// The cluster secret (`--cluster-secret-file`, else
/// `CONCORD_CLUSTER_SECRET`) and the root token (`CONCORD_ROOT_TOKEN`):
/// from files and the environment, never from argv. A secret file's
/// trailing newline is not part of the secret.
fn read_secrets(node: &mut concord_node::NodeConfig) -> Result<(), CliError> {
    use concord_core::auth::Secret;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty()).map(Secret::new);
    node.cluster_secret = match &node.cluster_secret_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::usage(format!("reading --cluster-secret-file {}: {e}", path.display())))?;
            Some(Secret::new(text.trim_end_matches(['\r', '\n'])))
        }
        None => env("CONCORD_CLUSTER_SECRET"),
    };
    node.root_token = env("CONCORD_ROOT_TOKEN");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

#[cfg(test)]
mod tests {
    use clap::Args;
    use concord_node::NodeSettings;

    /// The TOML sample at the end of `concord node start --help`, unindented.
    fn help_sample() -> String {
        let cmd = crate::command();
        let start = cmd
            .find_subcommand("node")
            .and_then(|n| n.find_subcommand("start"))
            .unwrap();
        let help = start.get_after_long_help().unwrap().to_string();
        let (_, sample) = help
            .split_once("Config file (TOML; flags win over the file):\n")
            .unwrap();
        sample
            .lines()
            .map(|l| l.strip_prefix("  ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The ```toml blocks of README.md.
    fn readme_samples() -> Vec<String> {
        let readme = include_str!("../../../../README.md");
        let mut samples = Vec::new();
        let mut rest = readme;
        while let Some((_, after)) = rest.split_once("```toml\n") {
            let (sample, after) = after.split_once("```").unwrap();
            // The contexts file's sample is the CLI's (`contexts.rs` tests it).
            if !sample.contains("current-context") {
                samples.push(sample.to_string());
            }
            rest = after;
        }
        samples
    }

    /// Parses with the deserializer `--config` uses.
    fn parse(sample: &str) -> Result<NodeSettings, toml::de::Error> {
        toml::from_str(sample)
    }

    #[test]
    fn the_help_sample_parses_and_names_every_setting() {
        let sample = help_sample();
        let settings = parse(&sample).unwrap_or_else(|e| panic!("{e}\n{sample}"));
        // Every setting, so that a new one cannot be left out of the sample.
        let keys: toml::Table = toml::from_str(&sample).unwrap();
        let cmd = NodeSettings::augment_args(clap::Command::new("start"));
        for arg in cmd.get_arguments() {
            let key = arg.get_long().unwrap();
            assert!(keys.contains_key(key), "the sample in --help lacks {key}");
        }
        // Its values pass the node's checks (`join` and `initial-cluster`
        // are alternatives).
        let one_bootstrap = NodeSettings { join: None, ..settings };
        one_bootstrap.resolve().unwrap();
    }

    #[test]
    fn the_readme_sample_parses_and_is_valid() {
        let samples = readme_samples();
        assert_eq!(samples.len(), 1, "README.md has one ```toml block");
        for sample in samples {
            let settings = parse(&sample).unwrap_or_else(|e| panic!("{e}\n{sample}"));
            settings.resolve().unwrap();
        }
    }

    /// The tests above would catch a misspelt key.
    #[test]
    fn a_misspelt_key_is_refused() {
        let e = parse(&format!("{}\nmax-txn-op = 1\n", help_sample())).unwrap_err();
        assert!(e.to_string().contains("max-txn-op"), "{e}");
    }
}
