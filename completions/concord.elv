
use builtin;
use str;

set edit:completion:arg-completer[concord] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'concord'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'concord'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand cluster 'Inspect the cluster and change its membership'
            cand kv 'Read and write keys'
            cand context 'Named contexts: which cluster, token file and CA commands use'
            cand bench 'Measure throughput and latency: puts, gets or both, N connections'
            cand node 'Run a node'
            cand snapshot 'Back up the cluster to a file, check a backup, restore one offline'
            cand token 'Create, list and revoke tokens; bootstrap the root token'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand version 'Print the CLI''s version, commit and target, and the node''s version'
            cand gen-docs 'Write the man pages and shell completions (for maintainers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;cluster'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Show the cluster''s health: every member''s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable'
            cand members 'List the members: id, role (leader, follower or learner), client URL and peer URL'
            cand add-node 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused'
            cand remove-node 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused'
            cand transfer-leader 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads'
            cand recover 'Recover from losing a quorum, offline: make the data directory of the most up-to-date surviving member a new single-node cluster that keeps every key and revision it holds, then grow it again with `--join`'
            cand wait 'Wait until the cluster has a leader (and --members N voters, and with --ready every endpoint answering `GET /ready` with 200). Exits 0 then, 5 when --timeout (here the whole wait; default 60s) runs out first, 4 at once on an authentication error. A spinner on a terminal only'
            cand local 'Start an N-node cluster of real `concord node start` processes on 127.0.0.1, in the foreground: node i listens for clients on BASE+2(i-1) and for peers on the port after it (7379/7380, 7381/7382, ...). Prints the endpoints and an `export CONCORD_ENDPOINTS=...` line, then waits; Ctrl-C (or SIGTERM) stops every node and waits for them. Data stays in DIR (`DIR/node-<i>`, logs in `DIR/node-<i>.log`) and a second run starts the same cluster again, unless --ephemeral. No auth, no TLS: a playground'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;cluster;status'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;cluster;members'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;cluster;add-node'= {
            cand --peer-url 'The new node''s peer (Raft) URL'
            cand --client-url 'The new node''s client URL'
            cand --id 'The id to give it; by default the cluster assigns a fresh one'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;cluster;remove-node'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;cluster;transfer-leader'= {
            cand --to 'The voter to hand leadership to'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;cluster;recover'= {
            cand --data-dir 'The survivor''s data directory, to recover'
            cand --compare 'Other survivors'' data directories: print each one''s last log index and term (each is opened, so it must not be in use, but not changed)'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --yes 'Do not ask for confirmation'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;cluster;wait'= {
            cand --members 'Also wait for at least this many voters'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --ready 'Also wait until every endpoint answers `GET /ready` with 200'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;cluster;local'= {
            cand --nodes 'How many nodes (1, 3, 5 or 7)'
            cand --dir 'Where the nodes keep their data and logs'
            cand --base-port 'The first node''s client port'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --ephemeral 'Keep the data in a temporary directory, removed at the end'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;cluster;help'= {
            cand status 'Show the cluster''s health: every member''s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable'
            cand members 'List the members: id, role (leader, follower or learner), client URL and peer URL'
            cand add-node 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused'
            cand remove-node 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused'
            cand transfer-leader 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads'
            cand recover 'Recover from losing a quorum, offline: make the data directory of the most up-to-date surviving member a new single-node cluster that keeps every key and revision it holds, then grow it again with `--join`'
            cand wait 'Wait until the cluster has a leader (and --members N voters, and with --ready every endpoint answering `GET /ready` with 200). Exits 0 then, 5 when --timeout (here the whole wait; default 60s) runs out first, 4 at once on an authentication error. A spinner on a terminal only'
            cand local 'Start an N-node cluster of real `concord node start` processes on 127.0.0.1, in the foreground: node i listens for clients on BASE+2(i-1) and for peers on the port after it (7379/7380, 7381/7382, ...). Prints the endpoints and an `export CONCORD_ENDPOINTS=...` line, then waits; Ctrl-C (or SIGTERM) stops every node and waits for them. Data stays in DIR (`DIR/node-<i>`, logs in `DIR/node-<i>.log`) and a second run starts the same cluster again, unless --ephemeral. No auth, no TLS: a playground'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;cluster;help;status'= {
        }
        &'concord;cluster;help;members'= {
        }
        &'concord;cluster;help;add-node'= {
        }
        &'concord;cluster;help;remove-node'= {
        }
        &'concord;cluster;help;transfer-leader'= {
        }
        &'concord;cluster;help;recover'= {
        }
        &'concord;cluster;help;wait'= {
        }
        &'concord;cluster;help;local'= {
        }
        &'concord;cluster;help;help'= {
        }
        &'concord;kv'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand get 'Read a key; a missing key exits 3. Text output is the value''s bytes exactly when stdout is not a terminal. On a terminal a newline is added, and a value that is not UTF-8 or holds control characters (other than newline, tab and carriage return) is not printed (exit 1): use `-o raw` to print it anyway, or redirect stdout'
            cand put 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`. Stdin is read whole before anything is sent, at most 64 MiB (the largest value any node accepts; more exits 1)'
            cand delete 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)'
            cand list 'List keys in order, following the server''s pages (`--timeout` bounds each page). Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`; control characters in keys and values escaped as `\n`, `\t`, `\u{1b}`, and a backslash as `\\`, so one key is always one line), or one key per line with `--keys-only`; `--output json` prints one JSON array of items, unescaped'
            cand txn 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin (at most 64 MiB, read before anything is sent), applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)'
            cand import 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal. A line longer than 64 MiB (the most a node accepts) stops the import with exit 1'
            cand export 'Export keys as JSON lines (`-o yaml`: one YAML document each) `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back. `--timeout` bounds the wait for the export to start and any pause in it, not its length: a large export streams as long as it takes'
            cand watch 'Print every change to a key (or, with `--prefix`, to the keys under a prefix) as it is committed, in revision order, until Ctrl-C. A broken stream is resumed from the last revision seen, through any endpoint, with nothing missed or repeated'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;kv;get'= {
            cand --consistency '`linearizable` (default) confirms leadership with a quorum first; `stale` reads this node''s local state, possibly behind'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;kv;put'= {
            cand --if-revision 'Write only if the key''s mod revision is N (0: only if it does not exist); otherwise exit 6'
            cand --ttl 'Expire the key this long after the write, like `30s` or `24h`'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --if-absent 'Write only if the key does not exist; otherwise exit 6'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;kv;delete'= {
            cand --prefix 'Delete every key starting with this prefix instead'
            cand --if-revision 'Delete only if the key''s mod revision is N; otherwise exit 6'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand -y 'Do not ask for confirmation (prefix deletes)'
            cand --yes 'Do not ask for confirmation (prefix deletes)'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;kv;list'= {
            cand --prefix 'Only keys starting with this'
            cand --start 'Start at this key (inclusive)'
            cand --end 'Stop before this key (exclusive)'
            cand --limit 'Print at most N keys'
            cand --consistency '`linearizable` (default) or `stale`'
            cand --page-size 'Keys fetched per request'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --keys-only 'Print keys only'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;kv;txn'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;kv;import'= {
            cand --batch-size 'Keys per batch'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;kv;export'= {
            cand --prefix 'Only keys starting with this'
            cand --consistency '`linearizable` (default) or `stale`'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;kv;watch'= {
            cand --prefix 'Watch every key starting with this prefix instead (`""`: all keys)'
            cand --rev 'Start after revision N: print every change committed after it (default: changes from now on)'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --prev-kv 'Also give each change''s previous value'
            cand --exec 'Run the command given after `--` for each event'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;kv;help'= {
            cand get 'Read a key; a missing key exits 3. Text output is the value''s bytes exactly when stdout is not a terminal. On a terminal a newline is added, and a value that is not UTF-8 or holds control characters (other than newline, tab and carriage return) is not printed (exit 1): use `-o raw` to print it anyway, or redirect stdout'
            cand put 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`. Stdin is read whole before anything is sent, at most 64 MiB (the largest value any node accepts; more exits 1)'
            cand delete 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)'
            cand list 'List keys in order, following the server''s pages (`--timeout` bounds each page). Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`; control characters in keys and values escaped as `\n`, `\t`, `\u{1b}`, and a backslash as `\\`, so one key is always one line), or one key per line with `--keys-only`; `--output json` prints one JSON array of items, unescaped'
            cand txn 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin (at most 64 MiB, read before anything is sent), applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)'
            cand import 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal. A line longer than 64 MiB (the most a node accepts) stops the import with exit 1'
            cand export 'Export keys as JSON lines (`-o yaml`: one YAML document each) `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back. `--timeout` bounds the wait for the export to start and any pause in it, not its length: a large export streams as long as it takes'
            cand watch 'Print every change to a key (or, with `--prefix`, to the keys under a prefix) as it is committed, in revision order, until Ctrl-C. A broken stream is resumed from the last revision seen, through any endpoint, with nothing missed or repeated'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;kv;help;get'= {
        }
        &'concord;kv;help;put'= {
        }
        &'concord;kv;help;delete'= {
        }
        &'concord;kv;help;list'= {
        }
        &'concord;kv;help;txn'= {
        }
        &'concord;kv;help;import'= {
        }
        &'concord;kv;help;export'= {
        }
        &'concord;kv;help;watch'= {
        }
        &'concord;kv;help;help'= {
        }
        &'concord;context'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the contexts; the current one is marked'
            cand show 'Print a context: the named one, else the one in use'
            cand use 'Make NAME the current context'
            cand set 'Create or update NAME with the --endpoints, --token-file, --cacert and --timeout given on this command line (environment variables are not copied); settings not given are kept'
            cand delete 'Delete NAME (and unset it if it is the current context)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;context;list'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;context;show'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;context;use'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;context;set'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;context;delete'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;context;help'= {
            cand list 'List the contexts; the current one is marked'
            cand show 'Print a context: the named one, else the one in use'
            cand use 'Make NAME the current context'
            cand set 'Create or update NAME with the --endpoints, --token-file, --cacert and --timeout given on this command line (environment variables are not copied); settings not given are kept'
            cand delete 'Delete NAME (and unset it if it is the current context)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;context;help;list'= {
        }
        &'concord;context;help;show'= {
        }
        &'concord;context;help;use'= {
        }
        &'concord;context;help;set'= {
        }
        &'concord;context;help;delete'= {
        }
        &'concord;context;help;help'= {
        }
        &'concord;bench'= {
            cand --workload 'What to send'
            cand --connections 'Requests in flight at once (one per connection), 1 to 4096'
            cand --duration 'How long to run, like `10s` or `1m` [default: 10s unless --requests]'
            cand --requests 'Stop after this many requests instead of after a duration'
            cand --key-space 'Distinct keys, chosen at random'
            cand --value-size 'Bytes per value'
            cand --consistency 'Consistency of the gets: `linearizable` confirms leadership with a quorum first; `stale` reads the node''s local state'
            cand --target 'Where the connections go'
            cand --prefix 'The keys'' prefix'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;node'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand start 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;node;start'= {
            cand --config 'TOML file with the same settings as these flags; flags win'
            cand --id 'This node''s id. Recorded in the data directory on first start; a directory that belongs to another id is refused. Default: 1 for a single node; assigned by the cluster with --join; the entry whose peer URL is this node''s with --initial-cluster'
            cand --join 'Join an existing cluster: client URLs of one or more members, comma-separated. Ignored once the data directory has Raft state'
            cand --initial-cluster 'Static bootstrap: `1=http://10.0.0.1:7380,2=...,3=...` (ids and peer URLs), the same on every member. Ignored once the data directory has Raft state'
            cand --snapshot-logs 'Take a snapshot (letting older log be purged) every this many log entries. A snapshot fsyncs the state machine and costs the same whatever the data size; the purge after it deletes this many entries at once. Held back while this node streams a snapshot to a member (and 30 s after; at most 5 minutes and 10 times this or 100,000 entries) [default: 10000]'
            cand --default-ttl 'TTL for keys written without one, like `24h` [default: none, keys never expire]'
            cand --max-txn-ops 'Most operations (compares included) in one transaction [default: 1024]'
            cand --max-batch-ops 'Most operations in one bulk batch [default: 10000]'
            cand --max-request-size 'Largest transaction or batch request body, in bytes; at most 64 MiB, since one request is one Raft entry [default: 33554432]'
            cand --max-concurrent-requests 'Client requests served at once; more get 503 `overloaded` at once [default: 4096]'
            cand --min-free-space 'Refuse writes that add data (507 `insufficient_storage`) while the data directory''s disk has less free space than this, in bytes [default: 67108864]'
            cand --request-id-max-entries 'Most request ids (`Concord-Request-Id`) remembered for deduplicating retries; the oldest are forgotten first. A leader''s setting applies to the entries it proposes [default: 100000]'
            cand --request-id-max-bytes 'Most bytes of remembered request outcomes; the oldest are forgotten first [default: 67108864]'
            cand --max-connections 'Connections open at once on each listener; at the cap the connection idle longest is closed to admit a new one [default: 4096]'
            cand --max-concurrent-exports 'Exports streaming at once; more get 503 `overloaded` [default: 16]'
            cand --max-watchers 'Watch streams (`GET /v1/watch`) open at once; more get 503 `overloaded`. Watches take no `--max-concurrent-requests` permit [default: 1024]'
            cand --watch-history 'Events of the watch history kept at most: a watch can resume from any revision the history still holds (oldest revisions go first) [default: 100000]'
            cand --watch-history-age 'Events of the watch history older than this are pruned [default: 1h]'
            cand --max-in-flight-bytes 'Request-body bytes buffered at once across all requests; more get 503 `overloaded` [default: 268435456]'
            cand --allowed-hosts 'More host names requests may carry in `Host` while a listener is on a loopback or unspecified address (comma-separated; `*` allows any). `localhost`, IP addresses and the advertised URL''s host are always allowed; others get 403 `host_not_allowed` (a DNS-rebinding defence, on the client and the peer listener)'
            cand --data-dir 'Where the Raft log, state machine and snapshots live [default: ./concord-data]'
            cand --listen-client 'Address of the client API [default: 127.0.0.1:7379]'
            cand --listen-peer 'Address of the peer (Raft) listener [default: 127.0.0.1:7380]'
            cand --advertise-client 'Client URL others use to reach this node [default: from --listen-client]'
            cand --advertise-peer 'Peer URL other nodes use to reach this node [default: from --listen-peer]'
            cand --log-level 'Log filter: error, warn, info, debug, trace, or a tracing directive [default: info,openraft=warn]. Logs go to stderr'
            cand --log-format 'Log format on stderr: `text`, or `json` (one JSON object per line: time, level, target, message and the event''s fields) [default: text]'
            cand --max-value-size 'Largest value accepted, in bytes; at most 64 MiB [default: 1048576]'
            cand --heartbeat-interval 'Leader heartbeat period [default: 100ms]'
            cand --election-timeout 'Minimum election timeout; the maximum is twice this. A follower starts an election after the leader lease (the maximum) plus a random timeout without hearing from the leader [default: 300ms]'
            cand --request-timeout 'How long a request may wait for a quorum before 503 [default: 10s]'
            cand --client-read-timeout 'How long a client may take to send a request''s headers, or stall while sending its body (then 408), and how long an idle kept-alive connection stays open [default: 30s]'
            cand --auth 'Require a token on every client request but `/health` and `/ready`. Takes effect when this node creates the cluster and is replicated (joiners inherit it; it cannot be turned off). Needs a cluster secret. The root token comes from `CONCORD_ROOT_TOKEN` in this node''s environment, or else from `concord token bootstrap`'
            cand --cluster-secret-file 'File holding the secret every member shares (else `CONCORD_CLUSTER_SECRET`; at least 16 bytes): every Raft call and join request must carry it. Without TLS it crosses the wire in the clear'
            cand --audit-log 'Append-only audit log, JSON lines: every mutating and every denied request [default: audit.log in the data directory]'
            cand --max-auth-failures 'Failed authentications allowed per remote address per minute; more get 429 `too_many_auth_failures` [default: 20]'
            cand --tls-cert 'PEM certificate chain of the client listener (turns on HTTPS). Reloaded on SIGHUP and when the file changes'
            cand --tls-key 'PEM private key of `--tls-cert`'
            cand --client-ca 'PEM CA certificates: clients must present a certificate signed by one (needs `--tls-cert`)'
            cand --peer-tls-cert 'PEM certificate of the peer listener, also presented to other members as this node''s client certificate (mutual TLS). It must name the host of this node''s peer URL'
            cand --peer-tls-key 'PEM private key of `--peer-tls-cert`'
            cand --peer-trusted-ca 'PEM CA certificates peers'' certificates must chain to (both ways). Also trusted for relaying requests to the leader''s client URL'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;node;help'= {
            cand start 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;node;help;start'= {
        }
        &'concord;node;help;help'= {
        }
        &'concord;snapshot'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand save 'Save a consistent backup of the whole cluster (every key and revision, tokens as digests, cluster metadata) to FILE. Needs an admin token. The file is written under a temporary name, checked, fsynced, then renamed: FILE is complete or absent'
            cand inspect 'Check a backup file: its checksum, then every record; print its format, revision, key count and size. Exit 1 if the checksum does not match'
            cand restore 'Make a data directory for a new single-node cluster from a backup, offline: a new cluster id, every key, revision and token of the backup. The file is checked whole first; a damaged one is refused and nothing is written. Then `concord node start --data-dir DIR` serves it (pass the same --advertise-client and --advertise-peer, and --listen-* to match), and other nodes can --join it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;snapshot;save'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;snapshot;inspect'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;snapshot;restore'= {
            cand --data-dir 'The new data directory (absent or empty)'
            cand --id 'The node id of the new cluster''s one member'
            cand --advertise-client 'The client URL the node will advertise'
            cand --advertise-peer 'The peer URL the node will advertise'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --yes 'Accepted and ignored: restore never writes over data (a DIR that is not empty is refused), so it does not ask'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;snapshot;help'= {
            cand save 'Save a consistent backup of the whole cluster (every key and revision, tokens as digests, cluster metadata) to FILE. Needs an admin token. The file is written under a temporary name, checked, fsynced, then renamed: FILE is complete or absent'
            cand inspect 'Check a backup file: its checksum, then every record; print its format, revision, key count and size. Exit 1 if the checksum does not match'
            cand restore 'Make a data directory for a new single-node cluster from a backup, offline: a new cluster id, every key, revision and token of the backup. The file is checked whole first; a damaged one is refused and nothing is written. Then `concord node start --data-dir DIR` serves it (pass the same --advertise-client and --advertise-peer, and --listen-* to match), and other nodes can --join it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;snapshot;help;save'= {
        }
        &'concord;snapshot;help;inspect'= {
        }
        &'concord;snapshot;help;restore'= {
        }
        &'concord;snapshot;help;help'= {
        }
        &'concord;token'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a token (needs an admin token). Prints the secret once: with `-o json`, `{"id", "token", "permissions", "prefixes", "expires_at", ...}`; as text, the token alone on stdout and what it is on stderr'
            cand list 'List tokens (needs an admin token): id, permissions, prefixes, expiry and description. Secrets are never stored, so never shown'
            cand revoke 'Revoke a token (needs an admin token). Every member refuses it as soon as it applies the revocation. Asks for confirmation on a terminal; needs `--yes` otherwise. An unknown id exits 3'
            cand bootstrap 'Create the root token of a cluster started with `--auth` and no `CONCORD_ROOT_TOKEN`. Works once per cluster (then exits 6) and needs no token: run it right after the cluster starts. Prints the root token to stdout; it is never shown again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;token;create'= {
            cand --permissions 'Comma-separated: read, write, admin (admin includes the others)'
            cand --prefix 'Limit the token to keys under this prefix; repeat for more. None: every key'
            cand --ttl 'Lifetime, like `24h` or `30d`. None: the token never expires'
            cand --description 'What the token is for'
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;token;list'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;token;revoke'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;token;bootstrap'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;token;help'= {
            cand create 'Create a token (needs an admin token). Prints the secret once: with `-o json`, `{"id", "token", "permissions", "prefixes", "expires_at", ...}`; as text, the token alone on stdout and what it is on stderr'
            cand list 'List tokens (needs an admin token): id, permissions, prefixes, expiry and description. Secrets are never stored, so never shown'
            cand revoke 'Revoke a token (needs an admin token). Every member refuses it as soon as it applies the revocation. Asks for confirmation on a terminal; needs `--yes` otherwise. An unknown id exits 3'
            cand bootstrap 'Create the root token of a cluster started with `--auth` and no `CONCORD_ROOT_TOKEN`. Works once per cluster (then exits 6) and needs no token: run it right after the cluster starts. Prints the root token to stdout; it is never shown again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;token;help;create'= {
        }
        &'concord;token;help;list'= {
        }
        &'concord;token;help;revoke'= {
        }
        &'concord;token;help;bootstrap'= {
        }
        &'concord;token;help;help'= {
        }
        &'concord;completions'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;version'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;gen-docs'= {
            cand --endpoints 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token'
            cand --timeout 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer'
            cand -o 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --output 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)'
            cand --token-file 'File holding the bearer token (read instead of `CONCORD_TOKEN`)'
            cand --cacert 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)'
            cand --cert 'PEM client certificate, for nodes started with `--client-ca`'
            cand --key 'PEM private key of `--cert`'
            cand --context 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default'
            cand --no-input 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'concord;help'= {
            cand cluster 'Inspect the cluster and change its membership'
            cand kv 'Read and write keys'
            cand context 'Named contexts: which cluster, token file and CA commands use'
            cand bench 'Measure throughput and latency: puts, gets or both, N connections'
            cand node 'Run a node'
            cand snapshot 'Back up the cluster to a file, check a backup, restore one offline'
            cand token 'Create, list and revoke tokens; bootstrap the root token'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand version 'Print the CLI''s version, commit and target, and the node''s version'
            cand gen-docs 'Write the man pages and shell completions (for maintainers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'concord;help;cluster'= {
            cand status 'Show the cluster''s health: every member''s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable'
            cand members 'List the members: id, role (leader, follower or learner), client URL and peer URL'
            cand add-node 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused'
            cand remove-node 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused'
            cand transfer-leader 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads'
            cand recover 'Recover from losing a quorum, offline: make the data directory of the most up-to-date surviving member a new single-node cluster that keeps every key and revision it holds, then grow it again with `--join`'
            cand wait 'Wait until the cluster has a leader (and --members N voters, and with --ready every endpoint answering `GET /ready` with 200). Exits 0 then, 5 when --timeout (here the whole wait; default 60s) runs out first, 4 at once on an authentication error. A spinner on a terminal only'
            cand local 'Start an N-node cluster of real `concord node start` processes on 127.0.0.1, in the foreground: node i listens for clients on BASE+2(i-1) and for peers on the port after it (7379/7380, 7381/7382, ...). Prints the endpoints and an `export CONCORD_ENDPOINTS=...` line, then waits; Ctrl-C (or SIGTERM) stops every node and waits for them. Data stays in DIR (`DIR/node-<i>`, logs in `DIR/node-<i>.log`) and a second run starts the same cluster again, unless --ephemeral. No auth, no TLS: a playground'
        }
        &'concord;help;cluster;status'= {
        }
        &'concord;help;cluster;members'= {
        }
        &'concord;help;cluster;add-node'= {
        }
        &'concord;help;cluster;remove-node'= {
        }
        &'concord;help;cluster;transfer-leader'= {
        }
        &'concord;help;cluster;recover'= {
        }
        &'concord;help;cluster;wait'= {
        }
        &'concord;help;cluster;local'= {
        }
        &'concord;help;kv'= {
            cand get 'Read a key; a missing key exits 3. Text output is the value''s bytes exactly when stdout is not a terminal. On a terminal a newline is added, and a value that is not UTF-8 or holds control characters (other than newline, tab and carriage return) is not printed (exit 1): use `-o raw` to print it anyway, or redirect stdout'
            cand put 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`. Stdin is read whole before anything is sent, at most 64 MiB (the largest value any node accepts; more exits 1)'
            cand delete 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)'
            cand list 'List keys in order, following the server''s pages (`--timeout` bounds each page). Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`; control characters in keys and values escaped as `\n`, `\t`, `\u{1b}`, and a backslash as `\\`, so one key is always one line), or one key per line with `--keys-only`; `--output json` prints one JSON array of items, unescaped'
            cand txn 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin (at most 64 MiB, read before anything is sent), applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)'
            cand import 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal. A line longer than 64 MiB (the most a node accepts) stops the import with exit 1'
            cand export 'Export keys as JSON lines (`-o yaml`: one YAML document each) `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back. `--timeout` bounds the wait for the export to start and any pause in it, not its length: a large export streams as long as it takes'
            cand watch 'Print every change to a key (or, with `--prefix`, to the keys under a prefix) as it is committed, in revision order, until Ctrl-C. A broken stream is resumed from the last revision seen, through any endpoint, with nothing missed or repeated'
        }
        &'concord;help;kv;get'= {
        }
        &'concord;help;kv;put'= {
        }
        &'concord;help;kv;delete'= {
        }
        &'concord;help;kv;list'= {
        }
        &'concord;help;kv;txn'= {
        }
        &'concord;help;kv;import'= {
        }
        &'concord;help;kv;export'= {
        }
        &'concord;help;kv;watch'= {
        }
        &'concord;help;context'= {
            cand list 'List the contexts; the current one is marked'
            cand show 'Print a context: the named one, else the one in use'
            cand use 'Make NAME the current context'
            cand set 'Create or update NAME with the --endpoints, --token-file, --cacert and --timeout given on this command line (environment variables are not copied); settings not given are kept'
            cand delete 'Delete NAME (and unset it if it is the current context)'
        }
        &'concord;help;context;list'= {
        }
        &'concord;help;context;show'= {
        }
        &'concord;help;context;use'= {
        }
        &'concord;help;context;set'= {
        }
        &'concord;help;context;delete'= {
        }
        &'concord;help;bench'= {
        }
        &'concord;help;node'= {
            cand start 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380'
        }
        &'concord;help;node;start'= {
        }
        &'concord;help;snapshot'= {
            cand save 'Save a consistent backup of the whole cluster (every key and revision, tokens as digests, cluster metadata) to FILE. Needs an admin token. The file is written under a temporary name, checked, fsynced, then renamed: FILE is complete or absent'
            cand inspect 'Check a backup file: its checksum, then every record; print its format, revision, key count and size. Exit 1 if the checksum does not match'
            cand restore 'Make a data directory for a new single-node cluster from a backup, offline: a new cluster id, every key, revision and token of the backup. The file is checked whole first; a damaged one is refused and nothing is written. Then `concord node start --data-dir DIR` serves it (pass the same --advertise-client and --advertise-peer, and --listen-* to match), and other nodes can --join it'
        }
        &'concord;help;snapshot;save'= {
        }
        &'concord;help;snapshot;inspect'= {
        }
        &'concord;help;snapshot;restore'= {
        }
        &'concord;help;token'= {
            cand create 'Create a token (needs an admin token). Prints the secret once: with `-o json`, `{"id", "token", "permissions", "prefixes", "expires_at", ...}`; as text, the token alone on stdout and what it is on stderr'
            cand list 'List tokens (needs an admin token): id, permissions, prefixes, expiry and description. Secrets are never stored, so never shown'
            cand revoke 'Revoke a token (needs an admin token). Every member refuses it as soon as it applies the revocation. Asks for confirmation on a terminal; needs `--yes` otherwise. An unknown id exits 3'
            cand bootstrap 'Create the root token of a cluster started with `--auth` and no `CONCORD_ROOT_TOKEN`. Works once per cluster (then exits 6) and needs no token: run it right after the cluster starts. Prints the root token to stdout; it is never shown again'
        }
        &'concord;help;token;create'= {
        }
        &'concord;help;token;list'= {
        }
        &'concord;help;token;revoke'= {
        }
        &'concord;help;token;bootstrap'= {
        }
        &'concord;help;completions'= {
        }
        &'concord;help;version'= {
        }
        &'concord;help;gen-docs'= {
        }
        &'concord;help;help'= {
        }
    ]
    $completions[$command]
}
