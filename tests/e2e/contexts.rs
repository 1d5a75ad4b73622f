//! Issue 14, contexts: `concord context set|use|list|show|delete` on a
//! contexts file of the test's own (`CONCORD_CONFIG`), and the precedence
//! flag, then environment, then context, then default, against live nodes.

use std::process::Command;

use crate::support::*;

/// `concord` with the contexts file at `config`.
fn with_config(config: &std::path::Path) -> Command {
    let mut cmd = concord();
    cmd.env("CONCORD_CONFIG", config).args(["--timeout", "3s"]);
    cmd
}

/// `kv get which` through `cmd`: its exit code and the value printed.
fn which(mut cmd: Command) -> (i32, String) {
    cmd.args(["kv", "get", "which"]);
    let out = run(cmd);
    (code(&out), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn contexts_choose_the_cluster_with_flag_then_env_then_context_precedence() {
    // Two single-node clusters, told apart by a key each holds.
    let mut a = TestNode::new(Some(1), &["--auth"]);
    secured(&mut a);
    a.spawn();
    a.wait_ready();
    let b = TestNode::start();
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("concord").join("config.toml");
    let token_file = work.path().join("a.token");
    std::fs::write(&token_file, TEST_ROOT).unwrap();
    let unreachable = format!("http://127.0.0.1:{}", free_port());

    // set: only what is on the command line; the file is owner-only.
    let mut set = with_config(&config);
    set.env("CONCORD_ENDPOINTS", &unreachable)
        .args(["context", "set", "a", "--endpoints", &a.url(), "--token-file"])
        .arg(&token_file);
    assert_eq!(code(&run(set)), 0);
    let mut set = with_config(&config);
    set.args(["context", "set", "b", "--endpoints", &b.url(), "--timeout", "4s"]);
    assert_eq!(code(&run(set)), 0);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the contexts file is owner-only");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(!text.contains(TEST_ROOT), "a token is never written into the file");
    assert!(!text.contains(&unreachable), "the environment is not copied: {text}");

    // The current context supplies endpoints and the token file.
    let mut use_a = with_config(&config);
    use_a.args(["context", "use", "a"]);
    assert_eq!(code(&run(use_a)), 0);
    let mut put = with_config(&config);
    put.args(["kv", "put", "which", "a"]);
    assert_eq!(code(&run(put)), 0, "kv put through context a");
    let mut put_b = with_config(&config);
    put_b.args(["--context", "b", "kv", "put", "which", "b"]);
    assert_eq!(code(&run(put_b)), 0, "kv put through --context b");
    assert_eq!(which(with_config(&config)), (0, "a".into()), "the current context");
    let mut cmd = with_config(&config);
    cmd.env("CONCORD_CONTEXT", "b");
    assert_eq!(which(cmd), (0, "b".into()), "CONCORD_CONTEXT over the current one");
    let mut cmd = with_config(&config);
    cmd.env("CONCORD_CONTEXT", "b").args(["--context", "a"]);
    assert_eq!(which(cmd), (0, "a".into()), "--context over CONCORD_CONTEXT");
    // The environment over the context; the flag over the environment.
    let mut cmd = with_config(&config);
    cmd.env("CONCORD_ENDPOINTS", &unreachable);
    let (exit, _) = which(cmd);
    assert_eq!(exit, 5, "CONCORD_ENDPOINTS over the context: unreachable");
    let mut cmd = with_config(&config);
    cmd.env("CONCORD_ENDPOINTS", &unreachable)
        .args(["--endpoints", &b.url()]);
    assert_eq!(which(cmd), (0, "b".into()), "--endpoints over CONCORD_ENDPOINTS");
    // Context a's token never goes to endpoints that are not a's: with
    // --endpoints of a itself, a's token file is not used either (401).
    let mut cmd = with_config(&config);
    cmd.args(["--endpoints", &a.url(), "kv", "get", "which"]);
    let out = run(cmd);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("token file and CA are not used"),
        "{}",
        stderr(&out)
    );
    // The context's token file, behind CONCORD_TOKEN.
    let mut cmd = with_config(&config);
    cmd.env("CONCORD_TOKEN", "not-the-token");
    assert_eq!(which(cmd).0, 4, "CONCORD_TOKEN over the context's token file");

    // list, show, an unknown name (exit 2, naming the known ones), delete.
    let mut list = with_config(&config);
    list.args(["context", "list"]);
    let listed = cli_json(list);
    let names: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["current"].as_bool().unwrap()))
        .collect();
    assert_eq!(names, vec![("a", true), ("b", false)], "{listed}");
    let mut show = with_config(&config);
    show.args(["context", "show", "b"]);
    let shown = cli_json(show);
    assert_eq!(shown["endpoints"][0], b.url());
    assert_eq!(shown["timeout"], "4s");
    let mut unknown = with_config(&config);
    unknown.args(["--context", "nope", "kv", "get", "which"]);
    let out = run(unknown);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a, b"),
        "names the known contexts: {}",
        stderr(&out)
    );
    // A contexts file that cannot be read is ignored (with a warning) when
    // no context is named, and refused when one is.
    let broken = work.path().join("broken.toml");
    std::fs::write(&broken, "this is [not toml").unwrap();
    let mut cmd = concord();
    cmd.env("CONCORD_CONFIG", &broken).args(["--endpoints", &b.url()]);
    assert_eq!(which(cmd), (0, "b".into()), "a broken file does not stop a command");
    let mut cmd = concord();
    cmd.env("CONCORD_CONFIG", &broken).args(["--context", "a"]);
    assert_eq!(which(cmd).0, 2, "a named context needs a readable file");

    let mut delete = with_config(&config);
    delete.args(["context", "delete", "a"]);
    assert_eq!(code(&run(delete)), 0);
    let mut show = with_config(&config);
    show.args(["context", "show"]);
    assert_eq!(code(&run(show)), 2, "no current context after deleting it");
}
