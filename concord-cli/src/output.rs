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
    /// Human-readable text.
    Text,
    /// One JSON document on stdout, stable for scripts.
    Json,
    /// `kv get`: the value's bytes exactly, even on a terminal. Other
    /// commands print text, as with `text`.
    Raw,
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
        Format::Text | Format::Json if !terminal => ValueOutput::Exact,
        Format::Text | Format::Json => {
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

/// Writes a JSON value and a newline to stdout.
/// Prints `value` as one line of JSON.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string(value).map_err(|e| CliError::other(format!("writing JSON: {e}")))?;
    line(&text)
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
        let text = Format::Text;
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
