//! `concord completions SHELL`: the static completion script.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::CliError;

/// Print the completion script for SHELL: subcommands, flags and their
/// fixed values. The files under completions/ are this output. For live
/// completion of key names, node ids, token ids and context names from the
/// cluster, register `COMPLETE=SHELL concord` instead (see EXAMPLES).
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord completions bash > ~/.local/share/bash-completion/completions/concord
  concord completions zsh > ~/.zfunc/_concord
  concord completions fish > ~/.config/fish/completions/concord.fish
  source <(COMPLETE=bash concord)        # live: keys, node ids, token ids (bash)
  source <(COMPLETE=zsh concord)         # live (zsh)
  COMPLETE=fish concord | source         # live (fish)")]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "concord", &mut out);
    crate::output::write_stdout(&out)
}
