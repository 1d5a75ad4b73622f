//! `concord gen-docs DIR` (hidden): writes the man pages to `DIR/man` and
//! the shell completions to `DIR/completions`, from the same clap tree that
//! parses the command line, and the OpenAPI document a node serves to
//! `DIR/docs/openapi.json`. The committed copies are checked by a test.

use std::path::{Path, PathBuf};

use clap::Args;
use clap_complete::Shell;

use crate::error::CliError;

#[derive(Debug, Args)]
pub struct GenDocsArgs {
    /// The repository root: `man/`, `completions/` and `docs/openapi.json`
    /// are written below it.
    pub out_dir: PathBuf,
}

pub fn run(args: GenDocsArgs) -> Result<(), CliError> {
    generate(&args.out_dir).map_err(|e| CliError::other(format!("generating docs: {e}")))
}

/// Writes every man page and completion script below `root`.
pub fn generate(root: &Path) -> std::io::Result<()> {
    let man_dir = root.join("man");
    let comp_dir = root.join("completions");
    std::fs::create_dir_all(&man_dir)?;
    std::fs::create_dir_all(&comp_dir)?;
    let mut cmd = crate::command();
    cmd.build();
    write_man_pages(&cmd, &man_dir)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let mut cmd = crate::command();
        clap_complete::generate_to(shell, &mut cmd, "concord", &comp_dir)?;
    }
    std::fs::create_dir_all(root.join("docs"))?;
    std::fs::write(root.join("docs").join("openapi.json"), concord_node::openapi_document())?;
    Ok(())
}

fn write_man_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    if cmd.is_hide_set() || cmd.get_name() == "help" {
        return Ok(());
    }
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_string();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    std::fs::write(dir.join(format!("{name}.1")), buf)?;
    for sub in cmd.get_subcommands() {
        write_man_pages(sub, dir)?;
    }
    Ok(())
}
