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
    // The same bytes `concord completions SHELL` prints.
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
        let mut cmd = crate::command();
        clap_complete::generate_to(shell, &mut cmd, "concord", &comp_dir)?;
    }
    std::fs::create_dir_all(root.join("docs"))?;
    std::fs::write(root.join("docs").join("openapi.json"), concord_node::openapi_document())?;
    Ok(())
}

/// The date on every man page: fixed, so the pages do not change with the
/// day they are generated (change it with a release).
const MAN_DATE: &str = "2026-11-27";

/// A roff request without arguments.
const NONE: [&str; 0] = [];

fn write_man_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    if cmd.is_hide_set() || cmd.get_name() == "help" {
        return Ok(());
    }
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_string();
    std::fs::write(dir.join(format!("{name}.1")), man_page(cmd, &name)?)?;
    for sub in cmd.get_subcommands() {
        write_man_pages(sub, dir)?;
    }
    Ok(())
}

/// One page: clap_mangen's NAME, SYNOPSIS, DESCRIPTION, OPTIONS and
/// SUBCOMMANDS, then ENVIRONMENT, FILES, EXIT STATUS and EXAMPLES (and
/// NOTES for any other text after the help) written here.
fn man_page(cmd: &clap::Command, name: &str) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone()).date(MAN_DATE);
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut buf)?;
    }
    let node = name == "concord-node" || name.starts_with("concord-node-");
    let blocks = after_help_blocks(cmd);
    let mut roff = roff::Roff::new();
    environment(&mut roff, cmd, node);
    files(&mut roff, node);
    roff.control("SH", ["EXIT STATUS"]);
    if node {
        roff.text([roff::roman(
            "0 when the node stopped cleanly (SIGTERM or Ctrl-C); 1 on any failure, \
             with the reason on stderr; 2 on a usage error.",
        )]);
    } else {
        literal(&mut roff, crate::error::EXIT_CODES_HELP.lines().skip(1));
    }
    roff.control("SH", ["EXAMPLES"]);
    literal(&mut roff, blocks.examples.iter().map(String::as_str));
    if !blocks.notes.is_empty() {
        roff.control("SH", ["NOTES"]);
        for note in &blocks.notes {
            roff.control("PP", NONE);
            roff.text([roff::roman(note.as_str())]);
        }
    }
    roff.to_writer(&mut buf)?;
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// The text after the long help, split into its examples and any other
/// paragraph. The `Environment:` and `Exit codes:` paragraphs are left out:
/// their sections are generated.
struct AfterHelp {
    examples: Vec<String>,
    notes: Vec<String>,
}

fn after_help_blocks(cmd: &clap::Command) -> AfterHelp {
    let text = cmd.get_after_long_help().map(|t| t.to_string()).unwrap_or_default();
    let mut out = AfterHelp {
        examples: Vec::new(),
        notes: Vec::new(),
    };
    for block in text.split("\n\n").map(str::trim_end).filter(|b| !b.trim().is_empty()) {
        if let Some(examples) = block.strip_prefix("Examples:\n") {
            out.examples.extend(examples.lines().map(|l| l.trim_start().to_owned()));
        } else if !block.starts_with("Environment:") && !block.starts_with("Exit codes:") {
            out.notes.push(block.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}

/// The variables a page's command reads: its flags' variables, and for a
/// client command the token, the contexts file, `NO_COLOR`, `CI` and the
/// completion hook.
fn environment(roff: &mut roff::Roff, cmd: &clap::Command, node: bool) {
    roff.control("SH", ["ENVIRONMENT"]);
    let mut vars: Vec<(String, String)> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| {
            let var = a.get_env()?.to_string_lossy().into_owned();
            Some((var, format!("default for --{}", a.get_long()?)))
        })
        .collect();
    if !node {
        vars.extend(
            [
                (
                    "CONCORD_TOKEN",
                    "the bearer token sent to the cluster (never pass a token in argv)",
                ),
                (
                    "CONCORD_CONFIG",
                    "the contexts file (default ~/.config/concord/config.toml)",
                ),
                ("NO_COLOR", "when set, no colours"),
                ("CI", "when set (and not false or 0), never prompt, as --no-input"),
                (
                    "COMPLETE",
                    "set by a shell asking for completions (concord completions)",
                ),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
    }
    vars.sort();
    vars.dedup_by(|a, b| a.0 == b.0);
    for (var, what) in vars {
        roff.control("TP", NONE);
        roff.text([roff::bold(var.as_str())]);
        roff.text([roff::roman(what.as_str())]);
    }
    if !node {
        roff.control("PP", NONE);
        roff.text([roff::roman(
            "A setting comes from its flag, else its environment variable, else the context in use \
             (--context, else the contexts file's current context), else the built-in default.",
        )]);
    }
}

fn files(roff: &mut roff::Roff, node: bool) {
    roff.control("SH", ["FILES"]);
    roff.control("TP", NONE);
    if node {
        roff.text([roff::bold("./concord-data")]);
        roff.text([roff::roman(
            "the default data directory (--data-dir): the Raft log, the state machine and the node's identity, \
             locked while the node runs",
        )]);
    } else {
        roff.text([roff::bold("~/.config/concord/config.toml")]);
        roff.text([roff::roman(
            "the contexts (concord context), mode 0600; $CONCORD_CONFIG names another file. \
             It holds token file paths, never tokens.",
        )]);
    }
}

/// Lines shown as they are (no filling), as examples and tables need.
fn literal<'a>(roff: &mut roff::Roff, lines: impl Iterator<Item = &'a str>) {
    roff.control("nf", NONE);
    for line in lines {
        roff.text([roff::roman(line)]);
    }
    roff.control("fi", NONE);
}
