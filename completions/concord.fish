# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_concord_global_optspecs
    string join \n endpoints= timeout= o/output= token-file= h/help V/version
end

function __fish_concord_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_concord_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_concord_using_subcommand
    set -l cmd (__fish_concord_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c concord -n "__fish_concord_needs_command" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_needs_command" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_needs_command" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_needs_command" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_needs_command" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_needs_command" -f -a "cluster" -d 'Inspect the cluster and change its membership'
complete -c concord -n "__fish_concord_needs_command" -f -a "kv" -d 'Read and write keys'
complete -c concord -n "__fish_concord_needs_command" -f -a "node" -d 'Run a node'
complete -c concord -n "__fish_concord_needs_command" -f -a "gen-docs" -d 'Write the man pages and shell completions (for maintainers)'
complete -c concord -n "__fish_concord_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -f -a "status" -d 'Show the cluster\'s health: every member\'s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable'
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -f -a "members" -d 'List the members: id, role (leader, follower or learner), client URL and peer URL'
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -f -a "add-node" -d 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused'
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -f -a "remove-node" -d 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused'
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -f -a "transfer-leader" -d 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads'
complete -c concord -n "__fish_concord_using_subcommand cluster; and not __fish_seen_subcommand_from status members add-node remove-node transfer-leader help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from status" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from status" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from status" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from members" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from members" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from members" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from members" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from members" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from members" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -l peer-url -d 'The new node\'s peer (Raft) URL' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -l client-url -d 'The new node\'s client URL' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -l id -d 'The id to give it; by default the cluster assigns a fresh one' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from add-node" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from remove-node" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from remove-node" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from remove-node" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from remove-node" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from remove-node" -s y -l yes -d 'Do not ask for confirmation'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from remove-node" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from remove-node" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from transfer-leader" -l to -d 'The voter to hand leadership to' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from transfer-leader" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from transfer-leader" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from transfer-leader" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from transfer-leader" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from transfer-leader" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from transfer-leader" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the cluster\'s health: every member\'s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "members" -d 'List the members: id, role (leader, follower or learner), client URL and peer URL'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "add-node" -d 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "remove-node" -d 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "transfer-leader" -d 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads'
complete -c concord -n "__fish_concord_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -f -a "get" -d 'Read a key. Text output is the value\'s bytes exactly (a newline is added only on a terminal); a missing key exits 3'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -f -a "put" -d 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -f -a "delete" -d 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -f -a "list" -d 'List keys in order, following the server\'s pages. Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`), or one key per line with `--keys-only`; `--output json` prints one JSON array of items'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -f -a "txn" -d 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin, applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -f -a "import" -d 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -f -a "export" -d 'Export keys as JSON lines `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back'
complete -c concord -n "__fish_concord_using_subcommand kv; and not __fish_seen_subcommand_from get put delete list txn import export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from get" -l consistency -d '`linearizable` (default) confirms leadership with a quorum first; `stale` reads this node\'s local state, possibly behind' -r -f -a "linearizable\t''
stale\t''"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from get" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from get" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from get" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from get" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -l if-revision -d 'Write only if the key\'s mod revision is N (0: only if it does not exist); otherwise exit 6' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -l ttl -d 'Expire the key this long after the write, like `30s` or `24h`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -l if-absent -d 'Write only if the key does not exist; otherwise exit 6'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from put" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -l prefix -d 'Delete every key starting with this prefix instead' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -l if-revision -d 'Delete only if the key\'s mod revision is N; otherwise exit 6' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (prefix deletes)'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l prefix -d 'Only keys starting with this' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l start -d 'Start at this key (inclusive)' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l end -d 'Stop before this key (exclusive)' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l limit -d 'Print at most N keys' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l consistency -d '`linearizable` (default) or `stale`' -r -f -a "linearizable\t''
stale\t''"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l page-size -d 'Keys fetched per request' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -l keys-only -d 'Print keys only'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from txn" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from txn" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from txn" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from txn" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from txn" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from txn" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from import" -l batch-size -d 'Keys per batch' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from import" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from import" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from import" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from import" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from export" -l prefix -d 'Only keys starting with this' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from export" -l consistency -d '`linearizable` (default) or `stale`' -r -f -a "linearizable\t''
stale\t''"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from export" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from export" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from export" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "get" -d 'Read a key. Text output is the value\'s bytes exactly (a newline is added only on a terminal); a missing key exits 3'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "put" -d 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "list" -d 'List keys in order, following the server\'s pages. Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`), or one key per line with `--keys-only`; `--output json` prints one JSON array of items'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "txn" -d 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin, applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export keys as JSON lines `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back'
complete -c concord -n "__fish_concord_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c concord -n "__fish_concord_using_subcommand node; and not __fish_seen_subcommand_from start help" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand node; and not __fish_seen_subcommand_from start help" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand node; and not __fish_seen_subcommand_from start help" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand node; and not __fish_seen_subcommand_from start help" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand node; and not __fish_seen_subcommand_from start help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand node; and not __fish_seen_subcommand_from start help" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand node; and not __fish_seen_subcommand_from start help" -f -a "start" -d 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380'
complete -c concord -n "__fish_concord_using_subcommand node; and not __fish_seen_subcommand_from start help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l config -d 'TOML file with the same settings as these flags; flags win' -r -F
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l id -d 'This node\'s id. Recorded in the data directory on first start; a directory that belongs to another id is refused. Default: 1 for a single node; assigned by the cluster with --join; the entry whose peer URL is this node\'s with --initial-cluster' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l join -d 'Join an existing cluster: client URLs of one or more members, comma-separated. Ignored once the data directory has Raft state' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l initial-cluster -d 'Static bootstrap: `1=http://10.0.0.1:7380,2=...,3=...` (ids and peer URLs), the same on every member. Ignored once the data directory has Raft state' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l snapshot-logs -d 'Take a snapshot (letting older log be purged) every this many log entries [default: 10000]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l default-ttl -d 'TTL for keys written without one, like `24h` [default: none, keys never expire]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l max-txn-ops -d 'Most operations (compares included) in one transaction [default: 1024]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l max-batch-ops -d 'Most operations in one bulk batch [default: 10000]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l max-request-size -d 'Largest transaction or batch request body, in bytes; at most 64 MiB, since one request is one Raft entry [default: 33554432]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l max-concurrent-requests -d 'Client requests served at once; more get 503 `overloaded` at once [default: 4096]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l min-free-space -d 'Refuse writes that add data (507 `insufficient_storage`) while the data directory\'s disk has less free space than this, in bytes [default: 67108864]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l request-id-max-entries -d 'Most request ids (`Concord-Request-Id`) remembered for deduplicating retries; the oldest are forgotten first. A leader\'s setting applies to the entries it proposes [default: 100000]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l request-id-max-bytes -d 'Most bytes of remembered request outcomes; the oldest are forgotten first [default: 67108864]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l data-dir -d 'Where the Raft log, state machine and snapshots live [default: ./concord-data]' -r -F
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l listen-client -d 'Address of the client API [default: 127.0.0.1:7379]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l listen-peer -d 'Address of the peer (Raft) listener [default: 127.0.0.1:7380]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l advertise-client -d 'Client URL others use to reach this node [default: from --listen-client]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l advertise-peer -d 'Peer URL other nodes use to reach this node [default: from --listen-peer]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l log-level -d 'Log filter: error, warn, info, debug, trace, or a tracing directive [default: info,openraft=warn]. Logs go to stderr' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l max-value-size -d 'Largest value accepted, in bytes; at most 64 MiB [default: 1048576]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l heartbeat-interval -d 'Leader heartbeat period [default: 100ms]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l election-timeout -d 'Minimum election timeout; the maximum is twice this. A follower starts an election after the leader lease (the maximum) plus a random timeout without hearing from the leader [default: 300ms]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l request-timeout -d 'How long a request may wait for a quorum before 503 [default: 10s]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l client-read-timeout -d 'How long a client may take to send a request\'s headers, or stall while sending its body (then 408), and how long an idle kept-alive connection stays open [default: 30s]' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "start" -d 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380'
complete -c concord -n "__fish_concord_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c concord -n "__fish_concord_using_subcommand gen-docs" -l endpoints -d 'Client URLs of cluster members, comma-separated. The CLI fails over between them and follows the leader' -r
complete -c concord -n "__fish_concord_using_subcommand gen-docs" -l timeout -d 'How long one command may wait for the cluster, like `500ms`, `2s`, `1m`' -r
complete -c concord -n "__fish_concord_using_subcommand gen-docs" -s o -l output -d 'Output format: `text` for people, `json` for scripts' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout, stable for scripts'"
complete -c concord -n "__fish_concord_using_subcommand gen-docs" -l token-file -d 'File holding the bearer token (read instead of `CONCORD_TOKEN`)' -r -F
complete -c concord -n "__fish_concord_using_subcommand gen-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c concord -n "__fish_concord_using_subcommand gen-docs" -s V -l version -d 'Print version'
complete -c concord -n "__fish_concord_using_subcommand help; and not __fish_seen_subcommand_from cluster kv node gen-docs help" -f -a "cluster" -d 'Inspect the cluster and change its membership'
complete -c concord -n "__fish_concord_using_subcommand help; and not __fish_seen_subcommand_from cluster kv node gen-docs help" -f -a "kv" -d 'Read and write keys'
complete -c concord -n "__fish_concord_using_subcommand help; and not __fish_seen_subcommand_from cluster kv node gen-docs help" -f -a "node" -d 'Run a node'
complete -c concord -n "__fish_concord_using_subcommand help; and not __fish_seen_subcommand_from cluster kv node gen-docs help" -f -a "gen-docs" -d 'Write the man pages and shell completions (for maintainers)'
complete -c concord -n "__fish_concord_using_subcommand help; and not __fish_seen_subcommand_from cluster kv node gen-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "status" -d 'Show the cluster\'s health: every member\'s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "members" -d 'List the members: id, role (leader, follower or learner), client URL and peer URL'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "add-node" -d 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "remove-node" -d 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "transfer-leader" -d 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "get" -d 'Read a key. Text output is the value\'s bytes exactly (a newline is added only on a terminal); a missing key exits 3'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "put" -d 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "delete" -d 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "list" -d 'List keys in order, following the server\'s pages. Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`), or one key per line with `--keys-only`; `--output json` prints one JSON array of items'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "txn" -d 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin, applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "import" -d 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "export" -d 'Export keys as JSON lines `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back'
complete -c concord -n "__fish_concord_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "start" -d 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380'
