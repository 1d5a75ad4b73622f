//! `concord context`: the named contexts of the contexts file
//! ([`crate::contexts`]). Offline: no command here talks to a node.

use clap::{Args, Subcommand};

use crate::cli::{GlobalArgs, Source};
use crate::contexts::{self, ConfigFile, Context};
use crate::error::CliError;
use crate::output::{self, Format};

/// Named contexts: the endpoints, token file, CA and timeout of each
/// cluster, kept in `$CONCORD_CONFIG` (default
/// `~/.config/concord/config.toml`, mode 0600). `--context NAME` or
/// `CONCORD_CONTEXT` picks one for a command, else the current one; a flag
/// or an environment variable still wins over what the context says. The
/// file never holds a token, only a token file's path.
#[derive(Debug, Subcommand)]
#[command(after_long_help = "\
Examples:
  concord context set prod --endpoints https://10.0.0.1:7379,https://10.0.0.2:7379 \\
      --token-file ~/.config/concord/prod.token --cacert ~/.config/concord/prod-ca.pem --timeout 5s
  concord context use prod
  concord kv get app/config            # against prod
  concord --context dev kv get app/config
  concord context list")]
pub enum ContextCommand {
    List(ListArgs),
    Show(ShowArgs),
    Use(UseArgs),
    Set(SetArgs),
    Delete(DeleteArgs),
}

/// List the contexts; the current one is marked.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord context list
  concord context list -o json | jq -r '.[] | select(.current) | .name'")]
pub struct ListArgs {}

/// Print a context: the named one, else the one in use.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord context show
  concord context show prod -o yaml")]
pub struct ShowArgs {
    #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::contexts))]
    pub name: Option<String>,
}

/// Make NAME the current context.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord context use prod")]
pub struct UseArgs {
    #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::contexts))]
    pub name: String,
}

/// Create or update NAME with the --endpoints, --token-file, --cacert and
/// --timeout given on this command line (environment variables are not
/// copied); settings not given are kept.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord context set dev --endpoints http://127.0.0.1:7379
  concord context set prod --endpoints https://10.0.0.1:7379 --token-file ~/.config/concord/prod.token")]
pub struct SetArgs {
    pub name: String,
}

/// Delete NAME (and unset it if it is the current context).
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord context delete dev")]
pub struct DeleteArgs {
    #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::contexts))]
    pub name: String,
}

#[derive(serde::Serialize)]
struct ContextJson<'a> {
    name: &'a str,
    current: bool,
    endpoints: &'a [String],
    token_file: Option<&'a str>,
    cacert: Option<&'a str>,
    timeout: Option<&'a str>,
}

impl<'a> ContextJson<'a> {
    fn of(name: &'a str, c: &'a Context, config: &ConfigFile) -> Self {
        ContextJson {
            name,
            current: config.current_context.as_deref() == Some(name),
            endpoints: &c.endpoints,
            token_file: c.token_file.as_deref(),
            cacert: c.cacert.as_deref(),
            timeout: c.timeout.as_deref(),
        }
    }
}

pub fn run(global: &GlobalArgs, cmd: ContextCommand) -> Result<(), CliError> {
    let path = contexts::path()?;
    let mut config = contexts::load(&path)?;
    let format = global.output;
    match cmd {
        ContextCommand::List(_) => {
            let list: Vec<ContextJson> = config
                .contexts
                .iter()
                .map(|(n, c)| ContextJson::of(n, c, &config))
                .collect();
            match format {
                f if f.is_data() => output::data(f, &list),
                _ => output::table(
                    format,
                    &["CURRENT", "NAME", "ENDPOINTS", "TOKEN FILE"],
                    list.iter()
                        .map(|c| {
                            vec![
                                if c.current { "*".into() } else { String::new() },
                                c.name.to_string(),
                                c.endpoints.join(","),
                                c.token_file.unwrap_or("-").to_string(),
                            ]
                        })
                        .collect(),
                ),
            }
        }
        ContextCommand::Show(args) => {
            let name = args
                .name
                .or_else(|| global.context.clone())
                .or_else(|| config.current_context.clone())
                .ok_or_else(|| CliError::usage("no context in use: name one, or `concord context use NAME`"))?;
            let context = config
                .contexts
                .get(&name)
                .ok_or_else(|| contexts::unknown(&name, &config, &path))?;
            let shown = ContextJson::of(&name, context, &config);
            match format {
                f if f.is_data() => output::data(f, &shown),
                _ => output::line(&format!(
                    "name {}{}\nendpoints {}\ntoken-file {}\ncacert {}\ntimeout {}",
                    name,
                    if shown.current { " (current)" } else { "" },
                    if context.endpoints.is_empty() {
                        "-".into()
                    } else {
                        context.endpoints.join(",")
                    },
                    shown.token_file.unwrap_or("-"),
                    shown.cacert.unwrap_or("-"),
                    shown.timeout.unwrap_or("-"),
                )),
            }
        }
        ContextCommand::Use(args) => {
            if !config.contexts.contains_key(&args.name) {
                return Err(contexts::unknown(&args.name, &config, &path));
            }
            config.current_context = Some(args.name.clone());
            contexts::save(&path, &config)?;
            eprintln!("using context {:?} ({})", args.name, path.display());
            changed(format, "current", &args.name, &path)
        }
        ContextCommand::Set(args) => {
            let given = |s: Source| s == Source::CommandLine;
            let src = global.sources;
            let token_given = global.token_file.is_some() && given(src.token_file);
            let cacert_given = global.cacert.is_some() && given(src.cacert);
            if !(given(src.endpoints) || given(src.timeout) || token_given || cacert_given) {
                return Err(CliError::usage(
                    "give at least one of --endpoints, --token-file, --cacert, --timeout on the command line",
                ));
            }
            if args.name.trim().is_empty() {
                return Err(CliError::usage("a context needs a name"));
            }
            let context = config.contexts.entry(args.name.clone()).or_default();
            if given(src.endpoints) {
                let mut urls = Vec::new();
                for raw in &global.endpoints {
                    urls.extend(crate::client::parse_endpoint(raw)?);
                }
                context.endpoints = urls;
            }
            if given(src.timeout) {
                if global.timeout.is_zero() {
                    return Err(CliError::usage("--timeout must be greater than zero"));
                }
                context.timeout = Some(humantime::format_duration(global.timeout).to_string());
            }
            // Paths are kept absolute: the file is read from anywhere.
            let absolute = |p: &std::path::Path| {
                std::path::absolute(p)
                    .map(|p| p.display().to_string())
                    .map_err(|e| CliError::usage(format!("{}: {e}", p.display())))
            };
            if let (Some(p), true) = (&global.token_file, token_given) {
                context.token_file = Some(absolute(p)?);
            }
            if let (Some(p), true) = (&global.cacert, cacert_given) {
                context.cacert = Some(absolute(p)?);
            }
            contexts::save(&path, &config)?;
            eprintln!("context {:?} saved in {}", args.name, path.display());
            changed(format, "saved", &args.name, &path)
        }
        ContextCommand::Delete(args) => {
            if config.contexts.remove(&args.name).is_none() {
                return Err(contexts::unknown(&args.name, &config, &path));
            }
            if config.current_context.as_deref() == Some(args.name.as_str()) {
                config.current_context = None;
            }
            contexts::save(&path, &config)?;
            eprintln!("context {:?} deleted", args.name);
            changed(format, "deleted", &args.name, &path)
        }
    }
}

/// What `context use|set|delete` print with `-o json` or `-o yaml`:
/// `{"context", "change", "file"}` (`change`: `current`, `saved` or
/// `deleted`). Text formats say it on stderr only.
fn changed(format: Format, change: &str, name: &str, path: &std::path::Path) -> Result<(), CliError> {
    if !format.is_data() {
        return Ok(());
    }
    output::data(
        format,
        &serde_json::json!({"context": name, "change": change, "file": path.display().to_string()}),
    )
}
