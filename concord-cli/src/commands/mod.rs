//! One module per command group, one file per leaf command.

pub mod bench;
pub mod cluster;
pub mod completions;
pub mod context;
pub mod gen_docs;
pub mod kv;
pub mod node;
pub mod snapshot;
pub mod token;
pub mod version;

use clap::Subcommand;

use crate::cli::Cli;
use crate::client::{ApiClient, ClientConfig};
use crate::error::CliError;

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Commands {
    /// Inspect the cluster and change its membership.
    #[command(
        subcommand,
        after_long_help = "\
Examples:
  concord cluster status
  concord cluster members
  concord cluster add-node --client-url http://10.0.0.4:7379 --peer-url http://10.0.0.4:7380
  concord cluster wait --members 3 --timeout 60s
  concord cluster local --nodes 3"
    )]
    Cluster(cluster::ClusterCommand),
    /// Read and write keys.
    #[command(
        subcommand,
        after_long_help = "\
Examples:
  concord kv put greeting hello
  concord kv get greeting
  concord kv list --prefix app/
  concord kv delete --prefix tmp/ --yes"
    )]
    Kv(kv::KvCommand),
    /// Named contexts: which cluster, token file and CA commands use.
    #[command(subcommand)]
    Context(context::ContextCommand),
    /// Measure throughput and latency: puts, gets or both, N connections.
    Bench(bench::BenchArgs),
    /// Run a node.
    #[command(
        subcommand,
        after_long_help = "\
Examples:
  concord node start
  concord node start --data-dir /var/lib/concord --join http://10.0.0.1:7379"
    )]
    Node(node::NodeCommand),
    /// Back up the cluster to a file, check a backup, restore one offline.
    #[command(
        subcommand,
        after_long_help = "\
Examples:
  concord snapshot save backup.snap
  concord snapshot inspect backup.snap
  concord snapshot restore backup.snap --data-dir /var/lib/concord"
    )]
    Snapshot(snapshot::SnapshotCommand),
    /// Create, list and revoke tokens; bootstrap the root token.
    #[command(
        subcommand,
        after_long_help = "\
Examples:
  concord token create --permissions read --prefix app/ --description reader
  concord token list
  concord token revoke 3f9c0a1b2c3d4e5f --yes"
    )]
    Token(token::TokenCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the CLI's version, commit and target, and the node's version.
    Version(version::VersionArgs),
    /// Write the man pages and shell completions (for maintainers).
    #[command(hide = true)]
    GenDocs(gen_docs::GenDocsArgs),
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Commands::Context(cmd) => context::run(&cli.global, cmd),
        Commands::Kv(cmd) => {
            let client = ApiClient::new(ClientConfig::resolve(&cli.global)?)?;
            kv::run(&client, cmd)
        }
        Commands::Cluster(cmd) => cluster::run(&cli.global, cmd),
        Commands::Token(cmd) => {
            let client = ApiClient::new(ClientConfig::resolve(&cli.global)?)?;
            token::run(&client, cmd)
        }
        Commands::Bench(args) => {
            let config = ClientConfig::resolve(&cli.global)?;
            let client = ApiClient::new(config.clone())?;
            bench::run(&client, &config, args)
        }
        Commands::Snapshot(snapshot::SnapshotCommand::Save(args)) => {
            let client = ApiClient::new(ClientConfig::resolve(&cli.global)?)?;
            snapshot::run_save(&client, args)
        }
        Commands::Snapshot(snapshot::SnapshotCommand::Inspect(args)) => snapshot::run_inspect(cli.global.output, args),
        Commands::Snapshot(snapshot::SnapshotCommand::Restore(args)) => snapshot::run_restore(cli.global.output, args),
        Commands::Node(cmd) => node::run(cmd),
        Commands::Completions(args) => completions::run(args),
        Commands::Version(args) => version::run(&cli.global, args),
        Commands::GenDocs(args) => gen_docs::run(args),
    }
}

/// Set once by `main` from `--no-input` and `CI`: no prompt at all.
static NO_INPUT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Called by `main`: `--no-input` was given, or `CI` is set.
pub fn forbid_prompts() {
    NO_INPUT.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Does the environment variable `CI` ask for no prompts? Set to anything
/// but empty, `false` or `0`, as CI services set it.
pub fn ci_env(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Guards a destructive action: a prompt when stdin and stderr are
/// terminals and neither `--no-input` nor `CI` is set, `--yes` otherwise.
/// A refusal is a usage error (exit 2).
pub fn confirm(yes: bool, question: &str) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if yes {
        return Ok(());
    }
    if NO_INPUT.load(std::sync::atomic::Ordering::Relaxed)
        || !std::io::stdin().is_terminal()
        || !std::io::stderr().is_terminal()
    {
        return Err(CliError::usage(format!(
            "{} needs confirmation: pass --yes",
            question.trim_end_matches('?')
        )));
    }
    let confirmed = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|e| CliError::usage(format!("no confirmation: {e}")))?;
    if confirmed {
        Ok(())
    } else {
        Err(CliError::usage("not confirmed; nothing changed"))
    }
}
