//! One module per command group, one file per leaf command.

pub mod bench;
pub mod cluster;
pub mod context;
pub mod gen_docs;
pub mod kv;
pub mod node;
pub mod snapshot;
pub mod token;

use clap::Subcommand;

use crate::cli::Cli;
use crate::client::{ApiClient, ClientConfig};
use crate::error::CliError;

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Commands {
    /// Inspect the cluster and change its membership.
    #[command(subcommand)]
    Cluster(cluster::ClusterCommand),
    /// Read and write keys.
    #[command(subcommand)]
    Kv(kv::KvCommand),
    /// Named contexts: which cluster, token file and CA commands use.
    #[command(subcommand)]
    Context(context::ContextCommand),
    /// Measure throughput and latency: puts, gets or both, N connections.
    Bench(bench::BenchArgs),
    /// Run a node.
    #[command(subcommand)]
    Node(node::NodeCommand),
    /// Back up the cluster to a file, check a backup, restore one offline.
    #[command(subcommand)]
    Snapshot(snapshot::SnapshotCommand),
    /// Create, list and revoke tokens; bootstrap the root token.
    #[command(subcommand)]
    Token(token::TokenCommand),
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
        Commands::Cluster(cluster::ClusterCommand::Recover(args)) => cluster::recover::run(cli.global.output, args),
        Commands::Cluster(cluster::ClusterCommand::Wait(args)) => cluster::wait::run(&cli.global, args),
        Commands::Cluster(cluster::ClusterCommand::Local(args)) => cluster::local::run(cli.global.output, args),
        Commands::Cluster(cmd) => {
            let client = ApiClient::new(ClientConfig::resolve(&cli.global)?)?;
            cluster::run(&client, cmd)
        }
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
        Commands::GenDocs(args) => gen_docs::run(args),
    }
}

/// Guards a destructive action: a prompt on a terminal, `--yes` otherwise.
/// A refusal is a usage error (exit 2).
pub fn confirm(yes: bool, question: &str) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
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
