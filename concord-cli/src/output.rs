//! Writing results to stdout. A closed pipe (`concord kv get k | head -c1`)
//! ends the command quietly with success, as ripgrep does. Text output made
//! from what the cluster sent (listed keys and values, table cells, error
//! messages) has its control characters escaped ([`escape_control`]); `kv
//! get` withholds a value that has them from a terminal ([`value_output`]).
//! JSON output and `kv export` are written as the JSON they are.

use std::io::{self, IsTerminal, Write};

use crate::error::CliError;

/// How results are printed (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table on a terminal, `plain` otherwise (the default). `text` is
    /// the name it had before 0.2, still accepted.
    #[value(alias = "text")]
    Auto,
    /// Records in a table, for people.
    Table,
    /// Records one per line, fields separated by tabs, no header: for
    /// `cut`, `awk` and `while read`.
    Plain,
    /// One JSON document on stdout (JSON lines for streams), stable for
    /// scripts.
    Json,
    /// The JSON document as YAML (one YAML document per record for streams).
    Yaml,
    /// `kv get`: the value's bytes exactly, even on a terminal. Other
    /// commands print `plain`.
    Raw,
}

impl Format {
    /// `Auto` made concrete: a table when stdout is a terminal, else plain.
    /// Commands only ever see the result.
    pub fn resolved(self, terminal: bool) -> Format {
        match self {
            Format::Auto if terminal => Format::Table,
            Format::Auto => Format::Plain,
            other => other,
        }
    }

    /// JSON or YAML: a document for scripts rather than text for people.
    pub fn is_data(self) -> bool {
        matches!(self, Format::Json | Format::Yaml)
    }
}

/// How `kv get` writes a value in `text` or `raw` format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueOutput {
    /// The bytes exactly.
    Exact,
    /// The bytes, then a newline (text on a terminal, so the prompt starts
    /// on a line of its own).
    WithNewline,
    /// Not written: binary or control characters on a terminal, which could
    /// drive the terminal (escape sequences) or garble it.
    Withheld,
}

/// Decides how `kv get` writes `value`. On a terminal, `text` writes only
/// UTF-8 without control characters other than newline, tab and carriage
/// return; `raw` and anything not a terminal get the bytes exactly.
pub fn value_output(format: Format, terminal: bool, value: &[u8]) -> ValueOutput {
    match format {
        Format::Raw => ValueOutput::Exact,
        _ if !terminal => ValueOutput::Exact,
        _ => {
            let printable = std::str::from_utf8(value)
                .is_ok_and(|s| s.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r')));
            if !printable {
                ValueOutput::Withheld
            } else if value.ends_with(b"\n") {
                ValueOutput::Exact
            } else {
                ValueOutput::WithNewline
            }
        }
    }
}

/// `text` with every control character (C0, DEL, C1) escaped the way Rust
/// writes them (`\n`, `\t`, `\r`, `\u{1b}`) and a backslash doubled, so it
/// stays on one line and cannot drive a terminal. Other characters are
/// kept.
pub fn escape_control(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
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

/// Prints `value` as one line of JSON.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string(value).map_err(|e| CliError::other(format!("writing JSON: {e}")))?;
    line(&text)
}

/// Prints `value` as one YAML document. YAML is made from the JSON form
/// (`serde_json::Value`), so the two formats always hold the same fields.
pub fn yaml<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let value = serde_json::to_value(value).map_err(|e| CliError::other(format!("writing YAML: {e}")))?;
    let text = serde_norway::to_string(&value).map_err(|e| CliError::other(format!("writing YAML: {e}")))?;
    write_stdout(text.as_bytes())
}

/// Prints `value` as `format` asks when that is JSON or YAML (see
/// [`Format::is_data`]); any other format prints it as JSON (callers print
/// text themselves and call this only for data formats).
pub fn data<T: serde::Serialize + ?Sized>(format: Format, value: &T) -> Result<(), CliError> {
    match format {
        Format::Yaml => yaml(value),
        _ => json(value),
    }
}

/// One JSON line of a stream (`kv export`) as a `---` YAML document.
pub fn yaml_record(json_line: &[u8]) -> Result<(), CliError> {
    let value: serde_json::Value = serde_json::from_slice(json_line)
        .map_err(|e| CliError::other(format!("the stream sent a line that is not JSON: {e}")))?;
    write_stdout(b"---\n")?;
    yaml(&value)
}

/// A spinner on stderr drawn from `template` (indicatif's syntax), or
/// `None` when stderr is not a terminal: progress is for people only.
pub fn spinner(template: &str) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    Some(bar)
}

/// A spinner that turns by itself (for work that reports no progress),
/// saying `what`; `None` off a terminal. Clear it with `finish_and_clear`.
pub fn busy(what: &str) -> Option<indicatif::ProgressBar> {
    let bar = spinner("{spinner} {msg} ({elapsed})")?;
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}

pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Prints rows: under a header in a table for `table`, else as
/// tab-separated lines without a header (easy for `cut` and `awk`).
pub fn table(format: Format, header: &[&str], rows: Vec<Vec<String>>) -> Result<(), CliError> {
    if format == Format::Table {
        let mut builder = tabled::builder::Builder::default();
        builder.push_record(header.iter().copied());
        for row in rows {
            builder.push_record(row);
        }
        let mut table = builder.build();
        table.with(tabled::settings::Style::rounded());
        line(&table.to_string())
    } else {
        let mut text = String::new();
        for row in rows {
            text.push_str(&row.join("\t"));
            text.push('\n');
        }
        write_stdout(text.as_bytes())
    }
}

/// `text` in an ANSI colour for stderr: only when stderr is a terminal and
/// `NO_COLOR` is not set.
pub fn coloured_for_stderr(text: &str, colour: Colour) -> String {
    if !io::stderr().is_terminal() || std::env::var_os("NO_COLOR").is_some() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_nothing_else() {
        assert_eq!(escape_control("plain/key ключ"), "plain/key ключ");
        assert_eq!(escape_control("a\nb"), "a\\nb");
        assert_eq!(escape_control("a\tb\r"), "a\\tb\\r");
        assert_eq!(escape_control("\x1b[31mred"), "\\u{1b}[31mred");
        assert_eq!(escape_control("nul\0del\x7f"), "nul\\u{0}del\\u{7f}");
        assert_eq!(escape_control("c1\u{9b}31m"), "c1\\u{9b}31m");
        assert_eq!(escape_control("back\\slash"), "back\\\\slash");
        // Escaping is reversible: `\n` typed by the user stays apart from a newline.
        assert_ne!(escape_control("a\\nb"), escape_control("a\nb"));
        for s in ["x\ny", "\u{85}", "\u{1b}", "\x00"] {
            assert!(!escape_control(s).chars().any(char::is_control), "{s:?}");
        }
    }

    #[test]
    fn values_with_control_characters_are_withheld_from_a_terminal_only() {
        use ValueOutput::*;
        let text = Format::Table;
        assert_eq!(value_output(text, true, b"hello"), WithNewline);
        assert_eq!(value_output(text, true, b"two\nlines\n"), Exact);
        assert_eq!(value_output(text, true, b"tab\tand\r\n"), Exact);
        assert_eq!(value_output(text, true, "ключ".as_bytes()), WithNewline);
        assert_eq!(value_output(text, true, b""), WithNewline);
        for bad in [
            &b"\x1b]0;pwned\x07"[..],
            b"\x1b[2J",
            b"nul\0",
            b"del\x7f",
            "c1\u{9b}".as_bytes(),
            &[0xff, 0xfe, 0x00],
            b"\xc3",
        ] {
            assert_eq!(value_output(text, true, bad), Withheld, "{bad:?}");
            // Not a terminal: scripts get the bytes exactly.
            assert_eq!(value_output(text, false, bad), Exact, "{bad:?}");
            // `-o raw`: exactly, even on a terminal.
            assert_eq!(value_output(Format::Raw, true, bad), Exact, "{bad:?}");
        }
        assert_eq!(value_output(Format::Raw, true, b"no newline added"), Exact);
        assert_eq!(value_output(text, false, b"no newline added"), Exact);
    }
}
