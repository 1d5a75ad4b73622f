//! Named contexts: endpoints, a token file, a CA and a timeout per cluster,
//! in one TOML file (`$CONCORD_CONFIG`, else `concord/config.toml` in the
//! platform's config directory). A context fills in what neither a flag nor
//! an environment variable gave ([`crate::client::ClientConfig::resolve`]).
//! The file never holds a token, only a token file's path; it is written
//! atomically with mode 0600.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CliError;

/// The config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_context: Option<String>,
    #[serde(default)]
    pub contexts: BTreeMap<String, Context>,
}

/// One context. Paths may start with `~/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Context {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cacert: Option<String>,
    /// A duration like `5s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// Where the config file is: `$CONCORD_CONFIG`, else
/// `<config dir>/concord/config.toml` (`~/.config` on Linux).
pub fn path() -> Result<PathBuf, CliError> {
    if let Some(p) = std::env::var_os("CONCORD_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .map(|base| base.config_dir().join("concord").join("config.toml"))
        .map_err(|e| CliError::usage(format!("no config directory ({e}): set CONCORD_CONFIG")))
}

/// The file at `path`; empty when there is none.
pub fn load(path: &Path) -> Result<ConfigFile, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(e) => return Err(CliError::usage(format!("reading {}: {e}", path.display()))),
    };
    toml::from_str(&text).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))
}

/// Writes `config` to `path` atomically (a new temporary file beside it,
/// mode 0600, fsynced, renamed); the directory is made (0700) if missing.
pub fn save(path: &Path, config: &ConfigFile) -> Result<(), CliError> {
    let fail = |what: &str, e: std::io::Error| CliError::other(format!("{what} {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(|e| fail("creating the directory of", e))?;
    }
    let text = toml::to_string_pretty(config).map_err(|e| CliError::other(format!("encoding the config: {e}")))?;
    let name = path
        .file_name()
        .map_or_else(|| "config".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail("writing", e));
    }
    std::fs::File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| fail("syncing the directory of", e))
}

/// `~/x` as a path under the home directory; anything else as it is.
pub fn expand(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), etcetera::home_dir()) {
        (Some(rest), Ok(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// An unknown context: exit 2, naming the known ones.
pub fn unknown(name: &str, config: &ConfigFile, path: &Path) -> CliError {
    let known: Vec<&str> = config.contexts.keys().map(String::as_str).collect();
    CliError::usage(format!(
        "no context {name:?} in {}; known contexts: {}",
        path.display(),
        if known.is_empty() {
            "none (add one with `concord context set NAME --endpoints URLS`)".to_string()
        } else {
            known.join(", ")
        }
    ))
}

/// The context in use: `--context` or `CONCORD_CONTEXT` if given (an empty
/// name is none), else the file's current context; `None` when neither
/// names one. When no context was named, a file that cannot be read is
/// warned about and ignored: commands that give everything by flag keep
/// working.
pub fn selected(flag: Option<&str>) -> Result<Option<(String, Context)>, CliError> {
    let flag = flag.filter(|f| !f.is_empty());
    let loaded = path().and_then(|path| load(&path).map(|config| (path, config)));
    let (path, config) = match (loaded, flag) {
        (Ok(found), _) => found,
        (Err(e), Some(_)) => return Err(e),
        (Err(e), None) => {
            eprintln!("warning: contexts file ignored: {}", e.message);
            return Ok(None);
        }
    };
    let Some(name) = flag.map(str::to_string).or_else(|| config.current_context.clone()) else {
        return Ok(None);
    };
    match config.contexts.get(&name) {
        Some(context) => Ok(Some((name, context.clone()))),
        None => Err(unknown(&name, &config, &path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_shape_reads_and_writes_back() {
        let text = r#"
current-context = "prod"
[contexts.prod]
endpoints = ["https://10.0.0.1:7379", "https://10.0.0.2:7379"]
token-file = "~/.config/concord/prod.token"
cacert = "~/.config/concord/prod-ca.pem"
timeout = "5s"
"#;
        let config: ConfigFile = toml::from_str(text).unwrap();
        assert_eq!(config.current_context.as_deref(), Some("prod"));
        let prod = &config.contexts["prod"];
        assert_eq!(prod.endpoints.len(), 2);
        assert_eq!(prod.timeout.as_deref(), Some("5s"));
        let again: ConfigFile = toml::from_str(&toml::to_string_pretty(&config).unwrap()).unwrap();
        assert_eq!(again, config);
        assert!(toml::from_str::<ConfigFile>("[contexts.x]\ntoken = \"secret\"\n").is_err());
    }

    #[test]
    fn the_readme_sample_reads() {
        let readme = include_str!("../../README.md");
        let sample = readme
            .split("```toml\n")
            .skip(1)
            .map(|block| block.split_once("```").unwrap().0)
            .find(|block| block.contains("current-context"))
            .expect("README.md shows a contexts file");
        let config: ConfigFile = toml::from_str(sample).unwrap();
        assert!(config.contexts.contains_key(config.current_context.as_deref().unwrap()));
    }

    #[test]
    fn the_file_is_written_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        let mut config = ConfigFile::default();
        config.contexts.insert("a".into(), Context::default());
        save(&path, &config).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(load(&path).unwrap(), config);
        assert_eq!(load(&dir.path().join("absent.toml")).unwrap(), ConfigFile::default());
    }
}
