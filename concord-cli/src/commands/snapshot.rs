//! `concord snapshot`: back up the cluster into one file (`save`), check a
//! file (`inspect`), and restore one into a new data directory, offline
//! (`restore`). The format and the restore are `concord_core::store`'s
//! (`backup.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use concord_core::store::{inspect_backup, restore_backup, BackupInfo, RestoreError};
use concord_core::NodeInfo;

use crate::client::ApiClient;
use crate::error::{CliError, Kind};
use crate::output::{self, Format};

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    Save(SaveArgs),
    Inspect(InspectArgs),
    Restore(RestoreArgs),
}

/// Save a consistent backup of the whole cluster (every key and revision,
/// tokens as digests, cluster metadata) to FILE. Needs an admin token. The
/// file is written under a temporary name, checked, fsynced, then renamed:
/// FILE is complete or absent.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord snapshot save backup.snap
  concord snapshot inspect backup.snap
  concord snapshot restore backup.snap --data-dir /var/lib/concord")]
pub struct SaveArgs {
    /// Where to write the backup (replaced if it exists).
    pub file: PathBuf,
}

/// Check a backup file: its checksum, then every record; print its format,
/// revision, key count and size. Exit 1 if the checksum does not match.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord snapshot inspect backup.snap
  concord snapshot inspect backup.snap -o json | jq .checksum_ok")]
pub struct InspectArgs {
    pub file: PathBuf,
}

/// Make a data directory for a new single-node cluster from a backup,
/// offline: a new cluster id, every key, revision and token of the backup.
/// The file is checked whole first; a damaged one is refused and nothing is
/// written. Then `concord node start --data-dir DIR` serves it (pass the
/// same --advertise-client and --advertise-peer, and --listen-* to match),
/// and other nodes can --join it.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord snapshot restore backup.snap --data-dir /var/lib/concord
  concord node start --data-dir /var/lib/concord")]
pub struct RestoreArgs {
    pub file: PathBuf,
    /// The new data directory (absent or empty).
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// The node id of the new cluster's one member.
    #[arg(long, default_value_t = 1)]
    pub id: u64,
    /// The client URL the node will advertise.
    #[arg(long, default_value = "http://127.0.0.1:7379", value_name = "URL")]
    pub advertise_client: String,
    /// The peer URL the node will advertise.
    #[arg(long, default_value = "http://127.0.0.1:7380", value_name = "URL")]
    pub advertise_peer: String,
    /// Accepted and ignored: restore never writes over data (a DIR that is
    /// not empty is refused), so it does not ask.
    #[arg(long, hide = true)]
    pub yes: bool,
}

pub fn run_save(client: &ApiClient, args: SaveArgs) -> Result<(), CliError> {
    let file = &args.file;
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = file
        .file_name()
        .ok_or_else(|| CliError::usage(format!("{} is not a file name", file.display())))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        concord_core::random_hex(1)
    ));
    let result = download(client, &tmp).and_then(|info| {
        std::fs::rename(&tmp, file).map_err(|e| CliError::other(format!("renaming into {}: {e}", file.display())))?;
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| CliError::other(format!("syncing {}: {e}", dir.display())))?;
        Ok(info)
    });
    let info = match result {
        Ok(info) => info,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    match client.output() {
        f if f.is_data() => output::data(f, &Summary::of(&info, Some(file))),
        _ => output::line(&format!(
            "saved {}: revision {}, {} keys, {} tokens, {} bytes",
            file.display(),
            info.revision,
            info.keys,
            info.tokens,
            info.size
        )),
    }
}

/// Streams `GET /v1/snapshot` into `tmp`, fsyncs it and checks it whole.
fn download(client: &ApiClient, tmp: &Path) -> Result<BackupInfo, CliError> {
    // Only the owner may read it: it holds every value. A new file, never
    // one that is there already (nor a link someone put in its place).
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = std::io::BufWriter::new(
        options
            .open(tmp)
            .map_err(|e| CliError::other(format!("creating {}: {e}", tmp.display())))?,
    );
    let mut answer = client.get("/v1/snapshot")?;
    let bar = output::spinner("{spinner} {bytes} received ({bytes_per_sec})");
    while let Some(chunk) = answer.chunk()? {
        out.write_all(&chunk)
            .map_err(|e| CliError::other(format!("writing {}: {e}", tmp.display())))?;
        if let Some(bar) = &bar {
            bar.inc(chunk.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let file = out
        .into_inner()
        .map_err(|e| CliError::other(format!("writing {}: {}", tmp.display(), e.error())))?;
    file.sync_all()
        .map_err(|e| CliError::other(format!("syncing {}: {e}", tmp.display())))?;
    let info = inspect_backup(tmp).map_err(|e| CliError::other(format!("the backup received is not valid: {e}")))?;
    if !info.checksum_ok {
        return Err(CliError::other("the backup received does not match its checksum"));
    }
    Ok(info)
}

/// What `save`, `inspect` and `restore` print with `-o json`.
#[derive(serde::Serialize)]
struct Summary {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    format: u32,
    cluster_id: String,
    taken_by: u64,
    taken_at_ms: u64,
    revision: u64,
    term: u64,
    keys: u64,
    tokens: u64,
    request_ids: u64,
    size: u64,
    checksum_ok: bool,
}

impl Summary {
    fn of(info: &BackupInfo, file: Option<&Path>) -> Summary {
        Summary {
            file: file.map(|f| f.display().to_string()),
            format: info.format,
            cluster_id: info.cluster_id.clone(),
            taken_by: info.taken_by,
            taken_at_ms: info.taken_at_ms,
            revision: info.revision,
            term: info.term,
            keys: info.keys,
            tokens: info.tokens,
            request_ids: info.request_ids,
            size: info.size,
            checksum_ok: info.checksum_ok,
        }
    }
}

pub fn run_inspect(format: Format, args: InspectArgs) -> Result<(), CliError> {
    let bar = output::busy("checking the backup");
    let info = inspect_backup(&args.file);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let info = info.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CliError::new(Kind::NotFound, format!("{}: {e}", args.file.display())),
        _ => CliError::other(format!("{}: {e}", args.file.display())),
    })?;
    match format {
        f if f.is_data() => output::data(f, &Summary::of(&info, Some(&args.file)))?,
        _ if info.checksum_ok => {
            let taken = std::time::UNIX_EPOCH + std::time::Duration::from_millis(info.taken_at_ms);
            output::line(&format!(
                "format {}\ncluster {}\ntaken by node {} at {}\nrevision {} (term {})\nkeys {}\ntokens {}\nrequest ids {}\nsize {} bytes\nchecksum ok",
                info.format,
                info.cluster_id,
                info.taken_by,
                humantime::format_rfc3339_seconds(taken),
                info.revision,
                info.term,
                info.keys,
                info.tokens,
                info.request_ids,
                info.size
            ))?
        }
        _ => output::line(&format!("size {} bytes\nchecksum MISMATCH", info.size))?,
    }
    if !info.checksum_ok {
        return Err(CliError::other(format!(
            "{}: the checksum does not match: the file is damaged",
            args.file.display()
        )));
    }
    Ok(())
}

pub fn run_restore(format: Format, args: RestoreArgs) -> Result<(), CliError> {
    // No prompt: nothing existing is changed (a DIR with anything in it
    // is refused below, before a byte is written).
    let _ = args.yes;
    let me = NodeInfo {
        client_url: args.advertise_client.trim_end_matches('/').to_string(),
        peer_url: args.advertise_peer.trim_end_matches('/').to_string(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("starting the runtime: {e}")))?;
    let bar = output::busy("restoring");
    let restored = runtime.block_on(restore_backup(&args.file, &args.data_dir, args.id, me));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let restored = restored.map_err(|e| match e {
        RestoreError::Invalid(m) => CliError::other(m),
        RestoreError::DataDir(m) => CliError::usage(m),
        e @ RestoreError::Io { .. } => CliError::other(format!("{e}; nothing was left in place")),
    })?;
    match format {
        format if format.is_data() => {
            #[derive(serde::Serialize)]
            struct Restored {
                data_dir: String,
                cluster_id: String,
                id: u64,
                revision: u64,
                keys: u64,
                tokens: u64,
            }
            output::data(
                format,
                &Restored {
                    data_dir: args.data_dir.display().to_string(),
                    cluster_id: restored.cluster_id,
                    id: restored.id,
                    revision: restored.info.revision,
                    keys: restored.info.keys,
                    tokens: restored.info.tokens,
                },
            )
        }
        _ => {
            output::line(&format!(
                "restored revision {} ({} keys, {} tokens) into {} as node {} of the new cluster {}",
                restored.info.revision,
                restored.info.keys,
                restored.info.tokens,
                args.data_dir.display(),
                restored.id,
                restored.cluster_id
            ))?;
            eprintln!(
                "start it with: concord node start --data-dir {} --advertise-client {} --advertise-peer {}",
                args.data_dir.display(),
                args.advertise_client,
                args.advertise_peer
            );
            Ok(())
        }
    }
}
