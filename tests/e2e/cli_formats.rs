//! The CLI as scripts and shells meet it (issue 14): every record-printing
//! command's `-o json` parses as JSON and `-o yaml` as YAML, piped output is
//! plain records without escape codes, the static and the live bash
//! completion in a real bash, and the prompt rules on a pseudo-terminal.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{code, concord, concord_bin, run, run_with_stdin, secured, stderr, TestNode};

/// Runs `cmd` with `-o FORMAT`, asserting exit 0, and returns stdout.
fn output_as(mut cmd: Command, format: &str, stdin: Option<&[u8]>) -> Vec<u8> {
    cmd.args(["-o", format]);
    let out = match stdin {
        Some(bytes) => run_with_stdin(cmd, bytes),
        None => run(cmd),
    };
    assert_eq!(code(&out), 0, "-o {format}: {}", stderr(&out));
    out.stdout
}

/// A command line, its stdin, and whether it prints a stream of JSON lines.
type Case<'a> = (Vec<&'a str>, Option<&'a [u8]>, bool);

/// Every command that prints records, against one node with auth on:
/// `-o json` is one JSON document (JSON lines for `kv export`), `-o yaml`
/// parses as YAML and holds the same data, `-o plain` has no escape codes.
#[test]
fn every_command_prints_json_and_yaml_that_parse() {
    let mut node = TestNode::new(Some(1), &["--auth"]);
    secured(&mut node);
    node.spawn();
    node.wait_ready();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let backup = dir.path().join("backup.snap");
    let restored = dir.path().join("restored");
    let url = node.url();
    let cli = |args: &[&str]| {
        let mut cmd = node.cli();
        cmd.env("CONCORD_CONFIG", &config).args(args);
        cmd
    };
    // Data for the reads to find.
    for (k, v) in [("fmt/a", "one"), ("fmt/b", "two")] {
        let out = run(cli(&["kv", "put", k, v]));
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let txn = br#"{"compare":[],"success":[{"get":{"key":"fmt/a"}}],"failure":[]}"#;
    let import = b"{\"key\":\"fmt/c\",\"value\":\"three\"}\n";
    let created = output_as(
        cli(&["token", "create", "--permissions", "read", "--description", "fmt"]),
        "json",
        None,
    );
    let created: serde_json::Value = serde_json::from_slice(&created).unwrap();
    let token_id = created["id"].as_str().expect("token id").to_owned();

    let commands: Vec<Case> = vec![
        (vec!["kv", "put", "fmt/d", "four"], None, false),
        (vec!["kv", "get", "fmt/a"], None, false),
        (vec!["kv", "list", "--prefix", "fmt/"], None, false),
        (vec!["kv", "txn"], Some(txn), false),
        (vec!["kv", "import"], Some(import), false),
        (vec!["kv", "export", "--prefix", "fmt/"], None, true),
        // Run three times (json, yaml, plain): a prefix with no keys left
        // deletes 0 the second time instead of failing.
        (vec!["kv", "delete", "--prefix", "fmt/d", "--yes"], None, false),
        (vec!["cluster", "status"], None, false),
        (vec!["cluster", "members"], None, false),
        (vec!["cluster", "wait", "--members", "1"], None, false),
        (vec!["token", "list"], None, false),
        (vec!["context", "set", "here", "--endpoints", &url], None, false),
        (vec!["context", "use", "here"], None, false),
        (vec!["context", "list"], None, false),
        (vec!["context", "show", "here"], None, false),
        (vec!["snapshot", "save", backup.to_str().unwrap()], None, false),
        (vec!["snapshot", "inspect", backup.to_str().unwrap()], None, false),
        (vec!["version"], None, false),
        (
            vec!["bench", "--workload", "get", "--requests", "20", "--connections", "2"],
            None,
            false,
        ),
    ];
    for (args, stdin, stream) in &commands {
        let json = output_as(cli(args), "json", *stdin);
        let docs: Vec<serde_json::Value> = if *stream {
            json.split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).unwrap_or_else(|e| panic!("{args:?}: {e}")))
                .collect()
        } else {
            vec![serde_json::from_slice(&json)
                .unwrap_or_else(|e| panic!("{args:?} -o json: {e}: {}", String::from_utf8_lossy(&json)))]
        };
        assert!(!docs.is_empty(), "{args:?} printed no JSON");
        documented(args, &docs[0]);
        let yaml = output_as(cli(args), "yaml", *stdin);
        let text = String::from_utf8(yaml).unwrap();
        let parsed: Vec<serde_json::Value> = serde_norway::Deserializer::from_str(&text)
            .map(|doc| serde::Deserialize::deserialize(doc).unwrap_or_else(|e| panic!("{args:?} -o yaml: {e}: {text}")))
            .collect();
        assert!(!parsed.is_empty(), "{args:?} printed no YAML");
        // The same fields: the document a read-only command prints twice is
        // the same either way (writes and timings differ run to run).
        if matches!(
            args.get(..2),
            Some(["kv", "get"] | ["kv", "list"] | ["cluster", "members"] | ["context", "show"] | ["kv", "export"])
        ) {
            assert_eq!(parsed, docs, "{args:?}: YAML and JSON differ");
        }
        let plain = output_as(cli(args), "plain", *stdin);
        assert!(!plain.contains(&0x1b), "{args:?}: an escape code in plain output");
    }
    // An offline command too: restore the backup into a new directory.
    let json = output_as(
        cli(&[
            "snapshot",
            "restore",
            backup.to_str().unwrap(),
            "--data-dir",
            restored.to_str().unwrap(),
            "--yes",
        ]),
        "yaml",
        None,
    );
    let restored: serde_json::Value = serde_norway::from_slice(&json).expect("restore -o yaml");
    assert!(restored["revision"].as_u64().unwrap() > 0, "{restored}");

    // `-o raw` is `plain` for anything but `kv get`.
    let raw = output_as(cli(&["kv", "list", "--prefix", "fmt/"]), "raw", None);
    let plain = output_as(cli(&["kv", "list", "--prefix", "fmt/"]), "plain", None);
    assert!(!raw.is_empty(), "kv list -o raw printed nothing");
    assert_eq!(raw, plain);

    // Piped, the default is plain: records only, one per line, tab-separated.
    let out = run(cli(&["cluster", "members"]));
    let members = String::from_utf8(out.stdout).unwrap();
    let fields: Vec<&str> = members.trim_end().split('\t').collect();
    assert_eq!(fields.len(), 4, "one member, four fields, no header: {members:?}");
    assert_eq!(fields[0], "1", "{members:?}");
    assert_eq!(fields[2], url, "{members:?}");
    let out = run(cli(&["token", "revoke", &token_id, "--yes", "-o", "yaml"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let revoked: serde_json::Value = serde_norway::from_slice(&out.stdout).unwrap();
    assert_eq!(revoked["id"], token_id.as_str());
}

/// Every top-level field of `doc` (of its first element, for an array) is
/// named in the JSON OUTPUT section of the command's man page.
fn documented(args: &[&str], doc: &serde_json::Value) {
    let words: Vec<&str> = args
        .iter()
        .copied()
        .take_while(|a| !a.starts_with('-'))
        .take(2)
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut page = None;
    for n in (1..=words.len()).rev() {
        let path = root.join("man").join(format!("concord-{}.1", words[..n].join("-")));
        if path.exists() {
            page = Some(std::fs::read_to_string(path).unwrap());
            break;
        }
    }
    let page = page.unwrap_or_else(|| panic!("{args:?}: no man page"));
    let section = page
        .split(".SH \"JSON OUTPUT\"")
        .nth(1)
        .or_else(|| page.split(".SH JSON OUTPUT").nth(1))
        .unwrap_or_else(|| panic!("{args:?}: its man page has no JSON OUTPUT section"));
    // The first paragraph only (the shared note on value types follows a
    // .PP), as whole words: `id` must not pass because `cluster_id` is there.
    let section = section.split(".SH ").next().unwrap().split(".PP").next().unwrap();
    let names: std::collections::BTreeSet<String> = section
        .replace("\\_", "_")
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_owned)
        .collect();
    let object = match doc {
        serde_json::Value::Array(items) => items.first().cloned().unwrap_or_default(),
        other => other.clone(),
    };
    if let Some(fields) = object.as_object() {
        for field in fields.keys() {
            assert!(
                names.contains(field),
                "{args:?}: field {field:?} is not in the man page's JSON OUTPUT: {section}"
            );
        }
    }
}

/// Completion candidates from a real bash: the function a script
/// registered for `concord`, called as bash calls it on TAB.
fn bash_complete(register: &str, line: &str, env: &[(&str, &str)]) -> (Vec<String>, Duration) {
    let bin = concord_bin();
    let script = format!(
        r#"set -e
{register}
fn=$(complete -p concord | sed -n 's/.*-F \([^ ]*\).*/\1/p')
COMP_LINE={line:?}
COMP_POINT=${{#COMP_LINE}}
read -r -a COMP_WORDS <<< "$COMP_LINE"
case "$COMP_LINE" in *" ") COMP_WORDS+=("") ;; esac
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_TYPE=9
"$fn" concord "${{COMP_WORDS[$COMP_CWORD]}}" "${{COMP_WORDS[$COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#
    );
    let dir = bin.parent().unwrap();
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("bash");
    cmd.args(["--norc", "--noprofile", "-c", &script])
        .env("PATH", path)
        .env("CONCORD_CONFIG", "/nonexistent/concord-e2e/config.toml")
        .env_remove("CONCORD_ENDPOINTS")
        .env_remove("CONCORD_TOKEN")
        .env_remove("CONCORD_CONTEXT")
        .envs(env.iter().copied());
    let started = Instant::now();
    let out = cmd.output().expect("run bash");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let words = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    (words, took)
}

/// The committed bash script completes subcommands; live completion offers
/// key names from a running node, and nothing, quickly, with none running.
#[test]
fn bash_completes_subcommands_from_the_committed_script_and_keys_live() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let committed = format!("source {}", root.join("completions/concord.bash").display());
    let (words, _) = bash_complete(&committed, "concord kv p", &[]);
    assert_eq!(words, ["put"], "concord kv p<TAB>");

    let node = TestNode::start();
    for key in ["app/one", "app/two", "apple", "other"] {
        let mut cmd = node.cli();
        cmd.args(["kv", "put", key, "v"]);
        assert_eq!(code(&run(cmd)), 0);
    }
    let live = "source <(COMPLETE=bash concord)";
    let url = node.url();
    let env = [("CONCORD_ENDPOINTS", url.as_str())];
    let (mut words, _) = bash_complete(live, "concord kv get ap", &env);
    words.sort();
    assert_eq!(words, ["app/one", "app/two", "apple"], "concord kv get ap<TAB>");
    let (words, _) = bash_complete(live, "concord kv p", &env);
    assert_eq!(words, ["put"], "live: concord kv p<TAB>");
    let (words, _) = bash_complete(live, "concord cluster remove-node ", &env);
    let ids: Vec<&String> = words.iter().filter(|w| !w.starts_with('-')).collect();
    assert_eq!(ids, ["1"], "node ids (flags are offered too): {words:?}");

    // No node: nothing offered, nothing printed, and no long wait (the
    // lookup's own limit is 300 ms; the bound here leaves room for a slow
    // machine starting bash and the binary twice).
    let dead = format!("http://127.0.0.1:{}", crate::support::free_port());
    let (words, took) = bash_complete(live, "concord kv get ap", &[("CONCORD_ENDPOINTS", dead.as_str())]);
    assert!(words.is_empty(), "{words:?}");
    assert!(took < Duration::from_secs(5), "completion took {took:?}");
}

/// `concord completions SHELL` prints what completions/ holds.
#[test]
fn the_completions_command_prints_the_committed_scripts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for (shell, file) in [
        ("bash", "concord.bash"),
        ("zsh", "_concord"),
        ("fish", "concord.fish"),
        ("powershell", "_concord.ps1"),
        ("elvish", "concord.elv"),
    ] {
        let mut cmd = concord();
        cmd.args(["completions", shell]);
        let out = run(cmd);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let committed = std::fs::read(root.join("completions").join(file)).unwrap();
        assert!(
            out.stdout == committed,
            "completions/{file} differs from `concord completions {shell}`: run `cargo run -p concord-cli -- gen-docs .`"
        );
    }
}

/// On a pseudo-terminal: tables by default, a prompt for a destructive
/// command, and none with `--no-input` or `CI` (exit 2, nothing changed).
#[test]
fn on_a_terminal_tables_and_prompts_and_no_input_or_ci_refuse_without_asking() {
    let node = TestNode::start();
    for key in ["tmp/a", "tmp/b"] {
        let mut cmd = node.cli();
        cmd.args(["kv", "put", key, "v"]);
        assert_eq!(code(&run(cmd)), 0);
    }
    let url = node.url();
    let spawn = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = concord();
        cmd.args(["--endpoints", &url])
            .args(args)
            .env_remove("CI")
            .env("NO_COLOR", "1");
        cmd.envs(env.iter().copied());
        rexpect::session::spawn_command(cmd, Some(30_000)).expect("spawn on a pty")
    };
    // A table, with its header.
    let mut p = spawn(&["cluster", "members"], &[]);
    p.exp_string("CLIENT URL").expect("a table header on a terminal");
    p.exp_eof().unwrap();
    // A prompt; answering no changes nothing (exit 2).
    let mut p = spawn(&["kv", "delete", "--prefix", "tmp/"], &[]);
    p.exp_string("Delete").expect("a prompt");
    p.send_line("n").unwrap();
    let status = p.process.wait().unwrap();
    assert_eq!(
        status,
        rexpect::process::wait::WaitStatus::Exited(p.process.child_pid, 2)
    );
    // --no-input, and CI: no prompt, exit 2 naming --yes.
    for (args, env) in [
        (vec!["kv", "delete", "--prefix", "tmp/", "--no-input"], vec![]),
        (vec!["kv", "delete", "--prefix", "tmp/"], vec![("CI", "true")]),
    ] {
        let mut p = spawn(&args, &env);
        p.exp_string("--yes").expect("the refusal names --yes");
        let status = p.process.wait().unwrap();
        assert_eq!(
            status,
            rexpect::process::wait::WaitStatus::Exited(p.process.child_pid, 2),
            "{args:?} {env:?}"
        );
    }
    let mut cmd = node.cli();
    cmd.args(["kv", "list", "--prefix", "tmp/", "--keys-only"]);
    assert_eq!(
        String::from_utf8(run(cmd).stdout).unwrap(),
        "tmp/a\ntmp/b\n",
        "nothing deleted"
    );
}

/// TAB in an interactive bash on a pseudo-terminal, as a user presses it:
/// the committed script completes `kv p` to `kv put`; the live one extends
/// `ap` to the keys' common prefix and completes a unique key. (The list
/// of every candidate is checked in the test above.)
#[test]
fn tab_in_an_interactive_bash_completes_commands_and_live_keys() {
    let node = TestNode::start();
    for key in ["app/one", "app/two", "apple"] {
        let mut cmd = node.cli();
        cmd.args(["kv", "put", key, "v"]);
        assert_eq!(code(&run(cmd)), 0);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let bin = concord_bin();
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["--norc", "--noprofile", "-i"])
        .env("PS1", "READY> ")
        .env("TERM", "dumb")
        .env("PATH", path)
        .env("CONCORD_ENDPOINTS", node.url())
        .env("CONCORD_CONFIG", "/nonexistent/concord-e2e/config.toml")
        .env_remove("CONCORD_TOKEN")
        .env_remove("CONCORD_CONTEXT")
        .env_remove("PROMPT_COMMAND");
    let mut bash = rexpect::session::spawn_command(cmd, Some(30_000)).expect("bash on a pty");
    bash.exp_string("READY> ").unwrap();
    // The committed static script: TAB, then Ctrl-A and `echo ` so bash
    // prints the completed line.
    bash.send_line(&format!("source {}", root.join("completions/concord.bash").display()))
        .unwrap();
    bash.exp_string("READY> ").unwrap();
    bash.send("concord kv p\t\x01echo DONE \n").unwrap();
    bash.exp_string("DONE concord kv put")
        .expect("kv p<TAB> completes to kv put");
    bash.exp_string("READY> ").unwrap();
    // Live completion: TAB extends `ap` to `app`, the common prefix of the
    // keys the node holds under `ap` (app/one, app/two, apple).
    bash.send_line("source <(COMPLETE=bash concord)").unwrap();
    bash.exp_string("READY> ").unwrap();
    bash.send("concord kv get ap\t\x01echo DONE \n").unwrap();
    bash.exp_string("DONE concord kv get app")
        .expect("ap<TAB> extends to the keys' prefix");
    bash.exp_string("READY> ").unwrap();
    bash.send("concord kv get app/o\t\x01echo DONE \n").unwrap();
    bash.exp_string("DONE concord kv get app/one")
        .expect("a unique key is completed");
    bash.exp_string("READY> ").unwrap();
    bash.send_line("exit").unwrap();
    bash.exp_eof().unwrap();
}
