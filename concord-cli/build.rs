//! Records the git commit and the target the binary is built from, for
//! `concord version`. Outside a git checkout the commit is `unknown`.

use std::path::Path;
use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CONCORD_GIT_COMMIT={commit}");
    println!(
        "cargo:rustc-env=CONCORD_BUILD_TARGET={}",
        std::env::var("TARGET").unwrap_or_else(|_| "unknown".into())
    );
    // Built again when HEAD moves: a branch switch, or a commit on it.
    let git = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.git");
    if git.join("HEAD").exists() {
        println!("cargo:rerun-if-changed={}", git.join("HEAD").display());
        if let Ok(head) = std::fs::read_to_string(git.join("HEAD")) {
            // A ref file that does not exist would make cargo run this
            // every time: a packed ref is watched through packed-refs.
            let reference = head.strip_prefix("ref: ").map(|r| git.join(r.trim()));
            for watched in reference.into_iter().chain([git.join("packed-refs")]) {
                if watched.exists() {
                    println!("cargo:rerun-if-changed={}", watched.display());
                }
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
