//! `concord gen-docs DIR` (hidden): writes the man pages to `DIR/man` and
//! the shell completions to `DIR/completions`, from the same clap tree that
//! parses the command line, and the OpenAPI document a node serves to
//! `DIR/docs/openapi.json`. The committed copies are checked by a test.

use std::path::{Path, PathBuf};

use clap::Args;
use clap_complete::Shell;

use crate::error::CliError;

#[derive(Debug, Args)]
pub struct GenDocsArgs {
    /// The repository root: `man/`, `completions/` and `docs/openapi.json`
    /// are written below it.
    pub out_dir: PathBuf,
}

pub fn run(args: GenDocsArgs) -> Result<(), CliError> {
    generate(&args.out_dir).map_err(|e| CliError::other(format!("generating docs: {e}")))
}

/// Writes every man page and completion script below `root`.
pub fn generate(root: &Path) -> std::io::Result<()> {
    let man_dir = root.join("man");
    let comp_dir = root.join("completions");
    std::fs::create_dir_all(&man_dir)?;
    std::fs::create_dir_all(&comp_dir)?;
    let mut cmd = crate::command();
    cmd.build();
    write_man_pages(&cmd, &man_dir)?;
    // The same bytes `concord completions SHELL` prints.
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
        let mut cmd = crate::command();
        clap_complete::generate_to(shell, &mut cmd, "concord", &comp_dir)?;
    }
    std::fs::create_dir_all(root.join("docs"))?;
    std::fs::write(root.join("docs").join("openapi.json"), concord_node::openapi_document())?;
    Ok(())
}

/// The date on every man page: fixed, so the pages do not change with the
/// day they are generated (change it with a release).
const MAN_DATE: &str = "2026-11-27";

/// A roff request without arguments.
const NONE: [&str; 0] = [];

fn write_man_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    if cmd.is_hide_set() || cmd.get_name() == "help" {
        return Ok(());
    }
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_string();
    std::fs::write(dir.join(format!("{name}.1")), man_page(cmd, &name)?)?;
    for sub in cmd.get_subcommands() {
        write_man_pages(sub, dir)?;
    }
    Ok(())
}

/// One page: clap_mangen's NAME, SYNOPSIS, DESCRIPTION, OPTIONS and
/// SUBCOMMANDS, then ENVIRONMENT, FILES, EXIT STATUS and EXAMPLES (and
/// NOTES for any other text after the help) written here.
fn man_page(cmd: &clap::Command, name: &str) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone()).date(MAN_DATE);
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut buf)?;
    }
    let node = name == "concord-node" || name.starts_with("concord-node-");
    let blocks = after_help_blocks(cmd);
    let mut roff = roff::Roff::new();
    environment(&mut roff, cmd, node);
    files(&mut roff, node);
    roff.control("SH", ["EXIT STATUS"]);
    if node {
        roff.text([roff::roman(
            "0 when the node stopped cleanly (SIGTERM or Ctrl-C); 1 on any failure, \
             with the reason on stderr; 2 on a usage error.",
        )]);
    } else {
        literal(&mut roff, crate::error::EXIT_CODES_HELP.lines().skip(1));
    }
    if let Some(fields) = json_output(name) {
        roff.control("SH", ["JSON OUTPUT"]);
        roff.text([roff::roman(fields)]);
        roff.control("PP", NONE);
        roff.text([roff::roman(
            "-o yaml prints the same document as YAML. Values are text (value) when UTF-8, \
             else base64 (value_base64); numbers are numbers; times are RFC 3339 text or \
             milliseconds (_ms).",
        )]);
    }
    roff.control("SH", ["EXAMPLES"]);
    literal(&mut roff, blocks.examples.iter().map(String::as_str));
    if !blocks.notes.is_empty() {
        roff.control("SH", ["NOTES"]);
        for note in &blocks.notes {
            roff.control("PP", NONE);
            roff.text([roff::roman(note.as_str())]);
        }
    }
    roff.to_writer(&mut buf)?;
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// The text after the long help, split into its examples and any other
/// paragraph. The `Environment:` and `Exit codes:` paragraphs are left out:
/// their sections are generated.
struct AfterHelp {
    examples: Vec<String>,
    notes: Vec<String>,
}

fn after_help_blocks(cmd: &clap::Command) -> AfterHelp {
    let text = cmd.get_after_long_help().map(|t| t.to_string()).unwrap_or_default();
    let mut out = AfterHelp {
        examples: Vec::new(),
        notes: Vec::new(),
    };
    for block in text.split("\n\n").map(str::trim_end).filter(|b| !b.trim().is_empty()) {
        if let Some(examples) = block.strip_prefix("Examples:\n") {
            out.examples.extend(examples.lines().map(|l| l.trim_start().to_owned()));
        } else if !block.starts_with("Environment:") && !block.starts_with("Exit codes:") {
            out.notes.push(block.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}

/// The variables a page's command reads: its flags' variables, and for a
/// client command the token, the contexts file, `NO_COLOR`, `CI` and the
/// completion hook.
fn environment(roff: &mut roff::Roff, cmd: &clap::Command, node: bool) {
    roff.control("SH", ["ENVIRONMENT"]);
    let mut vars: Vec<(String, String)> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| {
            let var = a.get_env()?.to_string_lossy().into_owned();
            Some((var, format!("default for --{}", a.get_long()?)))
        })
        .collect();
    if !node {
        vars.extend(
            [
                (
                    "CONCORD_TOKEN",
                    "the bearer token sent to the cluster (never pass a token in argv)",
                ),
                (
                    "CONCORD_CONFIG",
                    "the contexts file (default ~/.config/concord/config.toml)",
                ),
                ("NO_COLOR", "when set, no colours"),
                ("CI", "when set (and not false or 0), never prompt, as --no-input"),
                (
                    "COMPLETE",
                    "set by a shell asking for completions (concord completions)",
                ),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
    }
    vars.sort();
    vars.dedup_by(|a, b| a.0 == b.0);
    for (var, what) in vars {
        roff.control("TP", NONE);
        roff.text([roff::bold(var.as_str())]);
        roff.text([roff::roman(what.as_str())]);
    }
    if !node {
        roff.control("PP", NONE);
        roff.text([roff::roman(
            "A setting comes from its flag, else its environment variable, else the context in use \
             (--context, else the contexts file's current context), else the built-in default.",
        )]);
    }
}

fn files(roff: &mut roff::Roff, node: bool) {
    roff.control("SH", ["FILES"]);
    roff.control("TP", NONE);
    if node {
        roff.text([roff::bold("./concord-data")]);
        roff.text([roff::roman(
            "the default data directory (--data-dir): the Raft log, the state machine and the node's identity, \
             locked while the node runs",
        )]);
    } else {
        roff.text([roff::bold("~/.config/concord/config.toml")]);
        roff.text([roff::roman(
            "the contexts (concord context), mode 0600; $CONCORD_CONFIG names another file. \
             It holds token file paths, never tokens.",
        )]);
    }
}

/// What `-o json` prints, per page: the stable interface for scripts.
/// `tests/e2e/cli_formats.rs` checks every field a command prints is named
/// here.
fn json_output(page: &str) -> Option<&'static str> {
    macro_rules! item {
        () => {
            "key, value or value_base64, create_revision, mod_revision, version, ttl_remaining \
             (seconds, null without a TTL)"
        };
    }
    Some(match page {
        "concord-kv-put" => "{revision}: the revision of the write.",
        "concord-kv-get" => concat!("One object: {", item!(), "}."),
        "concord-kv-list" => concat!("An array of objects, in key order: {", item!(), "}."),
        "concord-kv-delete" => "{deleted, revision}: how many keys were deleted, and the revision.",
        "concord-kv-txn" => {
            "{succeeded, revision, results}: whether the compares held, the revision, and one \
             result per operation of the branch that ran: {put: {revision}}, {get: the key's object as kv get prints it, or null}, \
             {delete: {deleted}} or {delete_prefix: {deleted}}."
        }
        "concord-kv-import" => "{imported, batches}: keys written and batches sent.",
        "concord-kv-export" => "JSON lines, one object per key: key, value or value_base64, \
                                create_revision, mod_revision, version, ttl_remaining, ttl.",
        "concord-kv-watch" => {
            "JSON lines, one object per event, in revision order: type (put or delete), key, value \
             (null for a delete) or value_base64, revision, create_revision, mod_revision, version \
             (0 for a delete), expired (a delete caused by a TTL), prev_kv (with --prev-kv: the key's \
             object as kv get prints it) and prev_kv_omitted (present when true)."
        }
        "concord-cluster-status" => {
            "{verdict, cluster_id, answered_by, leader_id, term, commit_index, members}; each member: \
             {id, role, state, voter, reachable, client_url, peer_url, term, commit_index, \
             applied_index, lag}. verdict is healthy, degraded or unavailable."
        }
        "concord-cluster-members" => "An array of {id, role, client_url, peer_url}.",
        "concord-cluster-add-node" => "{id, role, client_url, peer_url, cluster_id, auth}.",
        "concord-cluster-remove-node" => "{removed}: the id of the removed member.",
        "concord-cluster-transfer-leader" => "{leader_id}: the new leader.",
        "concord-cluster-wait" => "{leader_id, voters, waited_ms}.",
        "concord-cluster-local" => "An array of {id, pid, client_url, peer_url, data_dir}, once the nodes are up.",
        "concord-cluster-recover" => {
            "{candidates, recovered}; each candidate: {data_dir, node_id, cluster_id, \
             last_log_index, last_log_term, applied_index, newest_term, newest_index, voters, \
             most_up_to_date}; recovered (after a recovery): {data_dir, previous_data_dir, \
             cluster_id, id, revision, keys, tokens, client_url, peer_url, next_steps}."
        }
        "concord-context-list" => "An array of {name, current, endpoints, token_file, cacert, timeout}.",
        "concord-context-show" => "{name, current, endpoints, token_file, cacert, timeout}.",
        "concord-context-use" | "concord-context-set" | "concord-context-delete" => {
            "{context, change, file}: change is current, saved or deleted."
        }
        "concord-token-create" | "concord-token-bootstrap" => {
            "{id, token, permissions, prefixes, description, created_at, expires_at}: token is the \
             secret, shown this once."
        }
        "concord-token-list" => {
            "{tokens}: an array of {id, permissions, prefixes, description, created_at, \
             expires_at}; never a secret."
        }
        "concord-token-revoke" => "{id, revoked}.",
        "concord-snapshot-save" | "concord-snapshot-inspect" => {
            "{file, format, cluster_id, taken_by, taken_at_ms, revision, term, keys, tokens, \
             request_ids, size, checksum_ok}."
        }
        "concord-snapshot-restore" => "{data_dir, cluster_id, id, revision, keys, tokens}.",
        "concord-bench" => {
            "{workload, connections, requests, errors, not_found, duration_s, ops_per_sec, \
             p50_ms, p90_ms, p99_ms, p999_ms, max_ms, first_error}: first_error, the first \
             error's message, only when there was one."
        }
        "concord-version" => {
            "{version, git_commit, target, node_version, node_endpoint}: the node's fields are \
             null when no endpoint answered."
        }
        _ => return None,
    })
}

/// Lines shown as they are (no filling), as examples and tables need.
fn literal<'a>(roff: &mut roff::Roff, lines: impl Iterator<Item = &'a str>) {
    roff.control("nf", NONE);
    for line in lines {
        roff.text([roff::roman(line)]);
    }
    roff.control("fi", NONE);
}
