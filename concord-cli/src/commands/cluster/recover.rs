//! `concord cluster recover`: offline recovery from losing a quorum
//! (`concord_core::store::recover`).

use std::path::PathBuf;

use clap::Args;
use concord_core::store::{examine, most_up_to_date, recover, Candidate, RecoverError, Recovered};

use crate::error::CliError;
use crate::output::{self, Format};

/// Recover from losing a quorum, offline: make the data directory of the
/// most up-to-date surviving member a new single-node cluster that keeps
/// every key and revision it holds, then grow it again with `--join`.
///
/// Stop the node first: a directory in use is refused. Every log entry the
/// survivor holds is kept (entries past its commit point included). The
/// directory as it was is kept as DIR.before-recover-<time>; the recovered
/// node gets a new cluster id, so lost members that come back with their
/// old directories are refused instead of voting with the old membership.
/// With --compare, each directory's last log index and term are printed
/// and DIR is refused if another one holds a newer log. A data directory
/// that is a mount point is refused (it is swapped by a rename).
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster recover --compare /srv/n1 /srv/n2      # which survivor is newest?
  concord cluster recover --data-dir /srv/n1 --compare /srv/n2
  concord cluster recover --data-dir /srv/n1 --yes")]
pub struct RecoverArgs {
    /// The survivor's data directory, to recover.
    #[arg(long, value_name = "DIR", required_unless_present = "compare")]
    pub data_dir: Option<PathBuf>,
    /// Other survivors' data directories: print each one's last log index
    /// and term (each is opened, so it must not be in use, but not changed).
    #[arg(long, value_name = "DIR", num_args = 1..)]
    pub compare: Vec<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
}

fn cli_error(e: RecoverError) -> CliError {
    match e {
        RecoverError::Refused(m) => CliError::usage(m),
        RecoverError::Failed(m) => CliError::other(m),
    }
}

#[derive(serde::Serialize)]
struct CandidateJson {
    data_dir: String,
    node_id: Option<u64>,
    cluster_id: Option<String>,
    last_log_index: u64,
    last_log_term: u64,
    applied_index: u64,
    /// The later of the last log entry and the applied one: what the
    /// ranking compares, by term then index.
    newest_term: u64,
    newest_index: u64,
    voters: Vec<u64>,
    most_up_to_date: bool,
}

#[derive(serde::Serialize)]
struct RecoveredJson {
    data_dir: String,
    previous_data_dir: String,
    cluster_id: String,
    id: u64,
    revision: u64,
    keys: u64,
    tokens: u64,
    client_url: String,
    peer_url: String,
    next_steps: Vec<String>,
}

#[derive(serde::Serialize)]
struct Report {
    candidates: Vec<CandidateJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recovered: Option<RecoveredJson>,
}

pub fn run(format: Format, args: RecoverArgs) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("starting the runtime: {e}")))?;
    let dirs: Vec<PathBuf> = args.data_dir.iter().chain(&args.compare).cloned().collect();
    let mut candidates = Vec::new();
    for dir in &dirs {
        candidates.push(runtime.block_on(examine(dir)).map_err(cli_error)?);
    }
    let clusters: std::collections::BTreeSet<_> = candidates.iter().filter_map(|c| c.cluster_id.clone()).collect();
    if clusters.len() > 1 {
        return Err(CliError::usage(format!(
            "these directories belong to different clusters ({}): compare the survivors of one cluster",
            clusters.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let best = most_up_to_date(&candidates).map(Candidate::newest);
    // Every directory whose log ends where the best one's does.
    let is_best = |c: &Candidate| best == Some(c.newest());
    let mut report = Report {
        candidates: candidates
            .iter()
            .map(|c| CandidateJson {
                data_dir: c.dir.display().to_string(),
                node_id: c.node_id,
                cluster_id: c.cluster_id.clone(),
                last_log_index: c.last_index(),
                last_log_term: c.last_term(),
                applied_index: c.applied_index(),
                newest_term: term_of(c.newest()),
                newest_index: index_of(c.newest()),
                voters: c.voters.clone(),
                most_up_to_date: is_best(c),
            })
            .collect(),
        recovered: None,
    };
    if !args.compare.is_empty() && !format.is_data() {
        print_candidates(format, &candidates, &is_best)?;
    }
    let Some(dir) = args.data_dir else {
        if format.is_data() {
            return output::data(format, &report);
        }
        if let Some(best) = candidates.iter().find(|c| is_best(c)) {
            eprintln!(
                "recover the most up-to-date one: concord cluster recover --data-dir {}",
                best.dir.display()
            );
        }
        return Ok(());
    };
    let chosen = &candidates[0];
    if let Some(newer) = candidates.iter().find(|c| c.newest() > chosen.newest()) {
        return Err(CliError::usage(format!(
            "{} holds a newer log (term {}, index {}) than {} (term {}, index {}): recover that one",
            newer.dir.display(),
            term_of(newer.newest()),
            index_of(newer.newest()),
            dir.display(),
            term_of(chosen.newest()),
            index_of(chosen.newest())
        )));
    }
    super::super::confirm(
        args.yes,
        &format!(
            "Make {} (node {}, log up to index {} in term {}) a new single-node cluster? \
             Every other member is dropped from its membership",
            dir.display(),
            chosen.node_id.map_or_else(|| "?".into(), |id| id.to_string()),
            chosen.last_index(),
            chosen.last_term()
        ),
    )?;
    let bar = output::busy("recovering");
    let recovered = runtime.block_on(recover(&dir));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let recovered = recovered.map_err(cli_error)?;
    let steps = next_steps(&dir, &recovered);
    if format.is_data() {
        report.recovered = Some(RecoveredJson {
            data_dir: dir.display().to_string(),
            previous_data_dir: recovered.previous.display().to_string(),
            cluster_id: recovered.cluster_id.clone(),
            id: recovered.id,
            revision: recovered.revision,
            keys: recovered.keys,
            tokens: recovered.tokens,
            client_url: recovered.me.client_url.clone(),
            peer_url: recovered.me.peer_url.clone(),
            next_steps: steps,
        });
        return output::data(format, &report);
    }
    output::line(&format!(
        "recovered {} as node {} of the new single-node cluster {}: revision {}, {} keys, {} tokens\n\
         the directory as it was is kept at {} (remove it once the cluster is whole again)\n\
         next:\n{}",
        dir.display(),
        recovered.id,
        recovered.cluster_id,
        recovered.revision,
        recovered.keys,
        recovered.tokens,
        recovered.previous.display(),
        steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("  {}. {s}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    ))
}

fn term_of(id: Option<concord_core::types::alias::LogId>) -> u64 {
    id.map_or(0, |l| l.committed_leader_id().term)
}

fn index_of(id: Option<concord_core::types::alias::LogId>) -> u64 {
    id.map_or(0, |l| l.index())
}

fn print_candidates(
    format: Format,
    candidates: &[Candidate],
    is_best: &dyn Fn(&Candidate) -> bool,
) -> Result<(), CliError> {
    let rows = candidates
        .iter()
        .map(|c| {
            vec![
                c.dir.display().to_string(),
                super::number(c.node_id),
                c.last_index().to_string(),
                c.last_term().to_string(),
                c.applied_index().to_string(),
                if is_best(c) { "yes".into() } else { "-".into() },
            ]
        })
        .collect();
    output::table(
        format,
        &[
            "DATA DIR",
            "NODE",
            "LAST INDEX",
            "LAST TERM",
            "APPLIED",
            "MOST UP TO DATE",
        ],
        rows,
    )
}

/// The commands that grow the recovered node back into a cluster.
fn next_steps(dir: &std::path::Path, r: &Recovered) -> Vec<String> {
    let listen = |url: &str| {
        let addr = url.split_once("://").map_or(url, |(_, rest)| rest);
        addr.parse::<std::net::SocketAddr>().ok().map(|a| a.to_string())
    };
    let mut start = format!("concord node start --data-dir {}", dir.display());
    if let (Some(c), Some(p)) = (listen(&r.me.client_url), listen(&r.me.peer_url)) {
        start.push_str(&format!(" --listen-client {c} --listen-peer {p}"));
    }
    start.push_str(&format!(
        " --advertise-client {} --advertise-peer {}",
        r.me.client_url, r.me.peer_url
    ));
    start.push_str("  # and the other flags it ran with (--auth, TLS, --config)");
    vec![
        start,
        format!(
            "on each fresh machine, with an empty data directory: concord node start --data-dir DIR \
             --join {} --advertise-client URL --advertise-peer URL",
            r.me.client_url
        ),
        format!("concord cluster members --endpoints {}", r.me.client_url),
    ]
}
