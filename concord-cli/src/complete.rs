//! Shell completion. `concord completions SHELL` prints a static script
//! (subcommands and flags); `source <(COMPLETE=bash concord)` registers
//! live completion through clap_complete's dynamic engine, which also asks
//! the cluster of the current context for key names, node ids and token ids.
//!
//! A live lookup is a client like any command: endpoints, token and CA from
//! the environment and the contexts file (never from the line being
//! completed). It waits at most [`LOOKUP_TIMEOUT`] and offers nothing on any
//! error: a shell's completion must stay quick and quiet.

use std::ffi::OsStr;
use std::time::Duration;

use clap::FromArgMatches;
use clap_complete::engine::CompletionCandidate;

use crate::cli::{Cli, Sources};
use crate::client::{encode_query, ApiClient, ClientConfig};

/// How long one lookup may wait for the cluster.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_millis(300);

/// How many keys one lookup offers.
const MAX_KEYS: usize = 200;

/// Runs the completion protocol when the shell asked for it (`COMPLETE` is
/// set) and exits; returns at once otherwise. Stderr goes to /dev/null
/// first: a warning must not land in the middle of the user's line.
pub fn run_if_asked() {
    let Some(shell) = std::env::var_os("COMPLETE").filter(|v| !v.is_empty()) else {
        return;
    };
    // An unknown shell name is clap_complete's to report, on stderr.
    let known = ["bash", "zsh", "fish", "elvish", "powershell"];
    if known.iter().any(|k| shell == *k) {
        if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
            let _ = rustix::stdio::dup2_stderr(&null);
        }
    }
    clap_complete::CompleteEnv::with_factory(crate::command).complete();
}

/// A client for one lookup: the settings a bare `concord` would use (flags
/// absent, so environment, then context, then defaults), with a short timeout.
fn lookup_client() -> Option<ApiClient> {
    let matches = crate::command()
        .try_get_matches_from(["concord", "cluster", "members"])
        .ok()?;
    let mut cli = Cli::from_arg_matches(&matches).ok()?;
    cli.global.sources = Sources::of(&matches);
    let mut config = ClientConfig::resolve(&cli.global).ok()?;
    config.timeout = config.timeout.min(LOOKUP_TIMEOUT);
    ApiClient::new(config).ok()
}

/// `GET path` through a lookup client, its answer as `T`; `None` on any error.
fn fetch<T: serde::de::DeserializeOwned>(path: &str) -> Option<T> {
    lookup_client()?.get(path).and_then(|a| a.json::<T>()).ok()
}

/// Key names starting with what is typed (`concord kv get app/<TAB>`), from
/// a stale read of the node (no quorum round for a keystroke).
pub fn keys(current: &OsStr) -> Vec<CompletionCandidate> {
    within_limit(current, keys_now)
}

fn keys_now(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else {
        return Vec::new();
    };
    let path = format!(
        "/v1/kv?prefix={}&keys_only=true&limit={MAX_KEYS}&consistency=stale",
        encode_query(prefix)
    );
    let Some(page) = fetch::<concord_core::api::ListResponse>(&path) else {
        return Vec::new();
    };
    page.items
        .into_iter()
        .filter(|item| item.key.starts_with(prefix) && !item.key.chars().any(char::is_control))
        .map(|item| CompletionCandidate::new(item.key))
        .collect()
}

/// Member ids (`cluster remove-node`, `cluster transfer-leader`), with the
/// role and client URL as help.
pub fn node_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    within_limit(current, node_ids_now)
}

fn node_ids_now(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let Some(members) = fetch::<Vec<concord_core::api::Member>>("/v1/cluster/members") else {
        return Vec::new();
    };
    members
        .into_iter()
        .filter(|m| m.id.to_string().starts_with(typed.as_ref()))
        .map(|m| {
            let help = crate::output::escape_control(&format!("{:?} {}", m.role, m.client_url));
            CompletionCandidate::new(m.id.to_string()).help(Some(help.into()))
        })
        .collect()
}

/// Token ids (`token revoke`), with the description as help.
pub fn token_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    within_limit(current, token_ids_now)
}

fn token_ids_now(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let Some(list) = fetch::<concord_core::api::TokenList>("/v1/tokens") else {
        return Vec::new();
    };
    list.tokens
        .into_iter()
        .filter(|t| t.id.starts_with(typed.as_ref()))
        .filter(|t| !t.id.chars().any(char::is_control))
        .map(|t| CompletionCandidate::new(t.id).help(Some(crate::output::escape_control(&t.description).into())))
        .collect()
}

/// Runs a lookup on a thread and gives up on it after [`LOOKUP_TIMEOUT`]
/// in all (the client's timeout bounds only the start of an answer): a
/// slow node costs the shell no more than that. The process ends right
/// after completing, taking an abandoned lookup with it.
fn within_limit(current: &OsStr, lookup: fn(&OsStr) -> Vec<CompletionCandidate>) -> Vec<CompletionCandidate> {
    let current = current.to_owned();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(lookup(&current));
    });
    receive.recv_timeout(LOOKUP_TIMEOUT).unwrap_or_default()
}

/// Context names from the contexts file (no cluster needed).
pub fn contexts(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let Some(file) = crate::contexts::path()
        .ok()
        .and_then(|p| crate::contexts::load(&p).ok())
    else {
        return Vec::new();
    };
    file.contexts
        .into_keys()
        .filter(|name| name.starts_with(typed.as_ref()) && !name.chars().any(char::is_control))
        .map(CompletionCandidate::new)
        .collect()
}
