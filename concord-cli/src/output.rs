//! Writing results to stdout. A closed pipe (`concord kv get k | head -c1`)
//! ends the command quietly with success, as ripgrep does.

use std::io::{self, IsTerminal, Write};

use crate::error::CliError;

/// How results are printed (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document on stdout, stable for scripts.
    Json,
}

/// Writes `bytes` to stdout exactly.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(CliError::other(format!("writing to stdout: {e}"))),
    }
}

/// Writes a line of text to stdout.
pub fn line(text: &str) -> Result<(), CliError> {
    write_stdout(format!("{text}\n").as_bytes())
}

/// Writes a JSON value and a newline to stdout.
pub fn json(value: &serde_json::Value) -> Result<(), CliError> {
    line(&value.to_string())
}

pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}
