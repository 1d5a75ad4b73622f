//! The raw command line: clap structs only. Validation happens when a command
//! resolves them (see `client::ClientConfig::resolve`).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser};

use crate::commands::Commands;
use crate::error::EXIT_CODES_HELP;
use crate::output::Format;

const AFTER_HELP: &str = "\
Examples:
  concord node start                       # a one-node cluster in ./concord-data
  concord kv put greeting hello
  concord kv get greeting
  echo -n secret | concord kv put app/password    # stdin: at most 64 MiB
  concord --endpoints http://10.0.0.1:7379,http://10.0.0.2:7379 kv get greeting

Environment:
  CONCORD_ENDPOINTS   default for --endpoints
  CONCORD_TOKEN       bearer token sent to the cluster (never pass a token in argv)
  CONCORD_TOKEN_FILE  default for --token-file
  CONCORD_CACERT      default for --cacert
  CONCORD_CERT, CONCORD_KEY  defaults for --cert and --key
  CONCORD_CONTEXT     default for --context
  CONCORD_CONFIG      the contexts file (default ~/.config/concord/config.toml)
  NO_COLOR            disables colours
  CI                  when set (and not `false` or `0`), never prompt, as --no-input

A setting comes from its flag, else its environment variable, else the
context in use (--context, else the file's current context), else the
built-in default.
";

/// Concord: a strongly consistent, replicated key-value store.
#[derive(Debug, Parser)]
#[command(
    name = "concord",
    version,
    propagate_version = true,
    after_help = EXIT_CODES_HELP,
    after_long_help = format!("{AFTER_HELP}\n{EXIT_CODES_HELP}"),
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Commands,
}

/// Flags every client command takes, before or after the subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Client URLs of cluster members, comma-separated. The CLI tries them in
    /// turn (while one is unreachable or answers `overloaded`, `unavailable`,
    /// `not_ready` or `timeout`) and follows a `not_leader` answer to the
    /// leader it names, but only to one of these URLs or a member's client
    /// URL as listed by one of them (`GET /v1/cluster/members`); any other
    /// leader URL is ignored with a warning, and never gets the token.
    #[arg(
        long,
        global = true,
        env = "CONCORD_ENDPOINTS",
        hide_env_values = true,
        value_delimiter = ',',
        default_value = "http://127.0.0.1:7379",
        value_name = "URLS"
    )]
    pub endpoints: Vec<String>,

    /// How long a request may wait for its answer to start, across every
    /// endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer
    /// that has started is read as long as data keeps coming: only a pause
    /// of this long fails it, so `kv export` may stream for longer.
    #[arg(long, global = true, default_value = "5s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// Output format: `table` for people (the default on a terminal),
    /// `plain` records one per line with tab-separated fields (the default
    /// when piped), `json` or `yaml` for scripts, `raw` for `kv get` values
    /// written exactly, even to a terminal (other commands print `raw` as
    /// `plain`).
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = Format::Auto)]
    pub output: Format,

    /// File holding the bearer token (read instead of `CONCORD_TOKEN`).
    #[arg(
        long,
        global = true,
        env = "CONCORD_TOKEN_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub token_file: Option<PathBuf>,

    /// PEM CA certificates to trust for `https://` endpoints (instead of
    /// the system's).
    #[arg(
        long,
        global = true,
        env = "CONCORD_CACERT",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub cacert: Option<PathBuf>,

    /// PEM client certificate, for nodes started with `--client-ca`.
    #[arg(
        long = "cert",
        id = "client_cert",
        global = true,
        env = "CONCORD_CERT",
        hide_env_values = true,
        value_name = "FILE",
        requires = "client_key"
    )]
    pub cert: Option<PathBuf>,

    /// PEM private key of `--cert`.
    #[arg(
        long = "key",
        id = "client_key",
        global = true,
        env = "CONCORD_KEY",
        hide_env_values = true,
        value_name = "FILE",
        requires = "client_cert"
    )]
    pub key: Option<PathBuf>,

    /// The context (from the contexts file, `concord context`) whose
    /// endpoints, token file, CA and timeout fill in what no flag or
    /// environment variable gives; the file's current context by default.
    #[arg(long, global = true, env = "CONCORD_CONTEXT", hide_env_values = true, value_name = "NAME", add = clap_complete::ArgValueCompleter::new(crate::complete::contexts))]
    pub context: Option<String>,

    /// Never prompt: a destructive command without `--yes` exits 2 and
    /// changes nothing, even on a terminal (as when `CI` is set, or stdin or
    /// stderr is not a terminal).
    #[arg(long, global = true)]
    pub no_input: bool,

    /// Where each setting above came from (filled in from clap's matches).
    #[arg(skip)]
    pub sources: Sources,
}

/// Where a global setting came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Source {
    /// The command line (also assumed when unknown).
    #[default]
    CommandLine,
    /// Its environment variable.
    Env,
    /// Not given: a context may fill it in, else the default holds.
    Unset,
}

/// The [`Source`] of each setting a context can fill in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources {
    pub endpoints: Source,
    pub timeout: Source,
    pub token_file: Source,
    pub cacert: Source,
}

impl Sources {
    /// Read off the matches of the whole command line.
    pub fn of(matches: &clap::ArgMatches) -> Sources {
        // Global arguments given after a subcommand are set in the
        // subcommand's matches; the deepest one that has a value says.
        let source = |id: &str| {
            let mut found = None;
            let mut at = Some(matches);
            while let Some(m) = at {
                match m.value_source(id) {
                    Some(clap::parser::ValueSource::CommandLine) => found = Some(Source::CommandLine),
                    Some(clap::parser::ValueSource::EnvVariable) if found.is_none() => found = Some(Source::Env),
                    _ => {}
                }
                at = m.subcommand().map(|(_, sub)| sub);
            }
            found.unwrap_or(Source::Unset)
        };
        Sources {
            endpoints: source("endpoints"),
            timeout: source("timeout"),
            token_file: source("token_file"),
            cacert: source("cacert"),
        }
    }
}
