//! Tests of the command tree itself, without a cluster: clap's consistency
//! checks, the documented exit codes in `--help`, and the committed man pages
//! and completions matching what the binary generates; and of the client
//! against fake nodes (`client`).

mod client;
mod fake;

use std::path::Path;
use std::process::Command;

#[test]
fn command_tree_is_consistent() {
    concord_cli::command().debug_assert();
}

#[test]
fn help_documents_exit_codes_and_global_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Exit codes:",
        "3  key or object not found",
        "5  cluster unavailable",
        "6  conflict",
        "--endpoints",
        "--timeout",
        "--output",
        "--token-file",
        "CONCORD_TOKEN",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    // Global flags are accepted after the subcommand too.
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["kv", "get", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("--endpoints"), "{help}");
}

#[test]
fn committed_man_pages_and_completions_are_current() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let fresh = tempfile::tempdir().unwrap();
    concord_cli::commands::gen_docs::generate(fresh.path()).unwrap();
    let mut stale = Vec::new();
    let openapi = std::fs::read(fresh.path().join("docs/openapi.json")).unwrap();
    if std::fs::read(repo.join("docs/openapi.json")).unwrap_or_default() != openapi {
        stale.push("docs/openapi.json".to_string());
    }
    for sub in ["man", "completions"] {
        let mut names: Vec<_> = std::fs::read_dir(fresh.path().join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        for name in names {
            let want = std::fs::read(fresh.path().join(sub).join(&name)).unwrap();
            let have = std::fs::read(repo.join(sub).join(&name)).unwrap_or_default();
            if want != have {
                stale.push(format!("{sub}/{}", name.to_string_lossy()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are out of date: {stale:?}\nregenerate with: cargo run -p concord-cli -- gen-docs ."
    );
}

/// Every committed man page has the sections operators look for, and is
/// clean under `mandoc -Tlint -Werror`. Without mandoc the lint is skipped
/// (with a note) unless `CONCORD_REQUIRE_MANDOC` is set, as `.ci/run` does.
#[test]
fn man_pages_have_every_section_and_lint_clean() {
    let man = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("man");
    let mut pages: Vec<_> = std::fs::read_dir(&man).unwrap().map(|e| e.unwrap().path()).collect();
    pages.sort();
    assert!(pages.len() >= 30, "only {} man pages", pages.len());
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for section in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "ENVIRONMENT",
            "FILES",
            "EXIT STATUS",
            "EXAMPLES",
        ] {
            assert!(
                text.contains(&format!(".SH {section}\n")) || text.contains(&format!(".SH \"{section}\"\n")),
                "{} lacks {section}",
                page.display()
            );
        }
        let examples = text.split(".SH EXAMPLES").nth(1).unwrap_or_default();
        assert!(examples.contains("concord"), "{}: no example", page.display());
    }
    let lint = Command::new("mandoc")
        .arg("-Tlint")
        .arg("-Werror")
        .args(&pages)
        .output();
    match lint {
        Ok(out) => assert!(
            out.status.success(),
            "mandoc -Tlint -Werror:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) if std::env::var_os("CONCORD_REQUIRE_MANDOC").is_none() => {
            eprintln!("note: mandoc not found ({e}): the man pages were not linted");
        }
        Err(e) => panic!("CONCORD_REQUIRE_MANDOC is set but mandoc cannot run: {e}"),
    }
}
