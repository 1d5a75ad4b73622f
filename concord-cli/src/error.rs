//! Every failure of a command, mapped to one documented exit code.

use std::fmt;
use std::process::ExitCode;

pub const EXIT_OTHER: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_NOT_FOUND: u8 = 3;
pub const EXIT_AUTH: u8 = 4;
pub const EXIT_UNAVAILABLE: u8 = 5;
pub const EXIT_CONFLICT: u8 = 6;

/// The exit codes, as `--help` and the man page show them.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  other error (including input the server refused: HTTP 400 or 413)
  2  usage error, or a refused confirmation
  3  key or object not found
  4  not authenticated or not permitted
  5  cluster unavailable: no quorum, unreachable, or timed out
  6  conflict: a compare-and-set or transaction precondition failed";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Other,
    Usage,
    NotFound,
    Auth,
    Unavailable,
    Conflict,
}

impl Kind {
    pub fn code(self) -> u8 {
        match self {
            Kind::Other => EXIT_OTHER,
            Kind::Usage => EXIT_USAGE,
            Kind::NotFound => EXIT_NOT_FOUND,
            Kind::Auth => EXIT_AUTH,
            Kind::Unavailable => EXIT_UNAVAILABLE,
            Kind::Conflict => EXIT_CONFLICT,
        }
    }
}

/// A failed command: what happened, an optional hint, and its exit code.
#[derive(Debug)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        CliError {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(Kind::Other, message)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints `error: ...` (and the hint) to stderr; returns the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("error: {}", self.message);
        if let Some(hint) = &self.hint {
            eprintln!("hint: {hint}");
        }
        ExitCode::from(self.kind.code())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}
