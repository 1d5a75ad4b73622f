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

/// Prints rows under a header: a table on a terminal, tab-separated lines
/// (easy for `cut` and `awk`) otherwise.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> Result<(), CliError> {
    if stdout_is_terminal() {
        let mut builder = tabled::builder::Builder::default();
        builder.push_record(header.iter().copied());
        for row in rows {
            builder.push_record(row);
        }
        let mut table = builder.build();
        table.with(tabled::settings::Style::rounded());
        line(&table.to_string())
    } else {
        let mut text = header.join("\t");
        text.push('\n');
        for row in rows {
            text.push_str(&row.join("\t"));
            text.push('\n');
        }
        write_stdout(text.as_bytes())
    }
}

/// `text` in an ANSI colour on a terminal unless `NO_COLOR` is set.
pub fn coloured(text: &str, colour: Colour) -> String {
    if !stdout_is_terminal() || std::env::var_os("NO_COLOR").is_some() {
        return text.to_string();
    }
    let code = match colour {
        Colour::Green => 32,
        Colour::Yellow => 33,
        Colour::Red => 31,
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

#[derive(Debug, Clone, Copy)]
pub enum Colour {
    Green,
    Yellow,
    Red,
}
