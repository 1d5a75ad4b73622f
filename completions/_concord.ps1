
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'concord' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'concord'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'concord' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'Inspect the cluster and change its membership')
            [CompletionResult]::new('kv', 'kv', [CompletionResultType]::ParameterValue, 'Read and write keys')
            [CompletionResult]::new('context', 'context', [CompletionResultType]::ParameterValue, 'Named contexts: which cluster, token file and CA commands use')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure throughput and latency: puts, gets or both, N connections')
            [CompletionResult]::new('node', 'node', [CompletionResultType]::ParameterValue, 'Run a node')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Back up the cluster to a file, check a backup, restore one offline')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Create, list and revoke tokens; bootstrap the root token')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the CLI''s version, commit and target, and the node''s version')
            [CompletionResult]::new('gen-docs', 'gen-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and shell completions (for maintainers)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;cluster' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the cluster''s health: every member''s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'List the members: id, role (leader, follower or learner), client URL and peer URL')
            [CompletionResult]::new('add-node', 'add-node', [CompletionResultType]::ParameterValue, 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused')
            [CompletionResult]::new('remove-node', 'remove-node', [CompletionResultType]::ParameterValue, 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused')
            [CompletionResult]::new('transfer-leader', 'transfer-leader', [CompletionResultType]::ParameterValue, 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Recover from losing a quorum, offline: make the data directory of the most up-to-date surviving member a new single-node cluster that keeps every key and revision it holds, then grow it again with `--join`')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until the cluster has a leader (and --members N voters, and with --ready every endpoint answering `GET /ready` with 200). Exits 0 then, 5 when --timeout (here the whole wait; default 60s) runs out first, 4 at once on an authentication error. A spinner on a terminal only')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Start an N-node cluster of real `concord node start` processes on 127.0.0.1, in the foreground: node i listens for clients on BASE+2(i-1) and for peers on the port after it (7379/7380, 7381/7382, ...). Prints the endpoints and an `export CONCORD_ENDPOINTS=...` line, then waits; Ctrl-C (or SIGTERM) stops every node and waits for them. Data stays in DIR (`DIR/node-<i>`, logs in `DIR/node-<i>.log`) and a second run starts the same cluster again, unless --ephemeral. No auth, no TLS: a playground')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;cluster;status' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;cluster;members' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;cluster;add-node' {
            [CompletionResult]::new('--peer-url', '--peer-url', [CompletionResultType]::ParameterName, 'The new node''s peer (Raft) URL')
            [CompletionResult]::new('--client-url', '--client-url', [CompletionResultType]::ParameterName, 'The new node''s client URL')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The id to give it; by default the cluster assigns a fresh one')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;cluster;remove-node' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;cluster;transfer-leader' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The voter to hand leadership to')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;cluster;recover' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'The survivor''s data directory, to recover')
            [CompletionResult]::new('--compare', '--compare', [CompletionResultType]::ParameterName, 'Other survivors'' data directories: print each one''s last log index and term (each is opened, so it must not be in use, but not changed)')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;cluster;wait' {
            [CompletionResult]::new('--members', '--members', [CompletionResultType]::ParameterName, 'Also wait for at least this many voters')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--ready', '--ready', [CompletionResultType]::ParameterName, 'Also wait until every endpoint answers `GET /ready` with 200')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;cluster;local' {
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'How many nodes (1, 3, 5 or 7)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Where the nodes keep their data and logs')
            [CompletionResult]::new('--base-port', '--base-port', [CompletionResultType]::ParameterName, 'The first node''s client port')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--ephemeral', '--ephemeral', [CompletionResultType]::ParameterName, 'Keep the data in a temporary directory, removed at the end')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;cluster;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the cluster''s health: every member''s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'List the members: id, role (leader, follower or learner), client URL and peer URL')
            [CompletionResult]::new('add-node', 'add-node', [CompletionResultType]::ParameterValue, 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused')
            [CompletionResult]::new('remove-node', 'remove-node', [CompletionResultType]::ParameterValue, 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused')
            [CompletionResult]::new('transfer-leader', 'transfer-leader', [CompletionResultType]::ParameterValue, 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Recover from losing a quorum, offline: make the data directory of the most up-to-date surviving member a new single-node cluster that keeps every key and revision it holds, then grow it again with `--join`')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until the cluster has a leader (and --members N voters, and with --ready every endpoint answering `GET /ready` with 200). Exits 0 then, 5 when --timeout (here the whole wait; default 60s) runs out first, 4 at once on an authentication error. A spinner on a terminal only')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Start an N-node cluster of real `concord node start` processes on 127.0.0.1, in the foreground: node i listens for clients on BASE+2(i-1) and for peers on the port after it (7379/7380, 7381/7382, ...). Prints the endpoints and an `export CONCORD_ENDPOINTS=...` line, then waits; Ctrl-C (or SIGTERM) stops every node and waits for them. Data stays in DIR (`DIR/node-<i>`, logs in `DIR/node-<i>.log`) and a second run starts the same cluster again, unless --ephemeral. No auth, no TLS: a playground')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;cluster;help;status' {
            break
        }
        'concord;cluster;help;members' {
            break
        }
        'concord;cluster;help;add-node' {
            break
        }
        'concord;cluster;help;remove-node' {
            break
        }
        'concord;cluster;help;transfer-leader' {
            break
        }
        'concord;cluster;help;recover' {
            break
        }
        'concord;cluster;help;wait' {
            break
        }
        'concord;cluster;help;local' {
            break
        }
        'concord;cluster;help;help' {
            break
        }
        'concord;kv' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Read a key; a missing key exits 3. Text output is the value''s bytes exactly when stdout is not a terminal. On a terminal a newline is added, and a value that is not UTF-8 or holds control characters (other than newline, tab and carriage return) is not printed (exit 1): use `-o raw` to print it anyway, or redirect stdout')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`. Stdin is read whole before anything is sent, at most 64 MiB (the largest value any node accepts; more exits 1)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keys in order, following the server''s pages (`--timeout` bounds each page). Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`; control characters in keys and values escaped as `\n`, `\t`, `\u{1b}`, and a backslash as `\\`, so one key is always one line), or one key per line with `--keys-only`; `--output json` prints one JSON array of items, unescaped')
            [CompletionResult]::new('txn', 'txn', [CompletionResultType]::ParameterValue, 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin (at most 64 MiB, read before anything is sent), applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal. A line longer than 64 MiB (the most a node accepts) stops the import with exit 1')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export keys as JSON lines (`-o yaml`: one YAML document each) `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back. `--timeout` bounds the wait for the export to start and any pause in it, not its length: a large export streams as long as it takes')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print every change to a key (or, with `--prefix`, to the keys under a prefix) as it is committed, in revision order, until Ctrl-C. A broken stream is resumed from the last revision seen, through any endpoint, with nothing missed or repeated')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;kv;get' {
            [CompletionResult]::new('--consistency', '--consistency', [CompletionResultType]::ParameterName, '`linearizable` (default) confirms leadership with a quorum first; `stale` reads this node''s local state, possibly behind')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;kv;put' {
            [CompletionResult]::new('--if-revision', '--if-revision', [CompletionResultType]::ParameterName, 'Write only if the key''s mod revision is N (0: only if it does not exist); otherwise exit 6')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Expire the key this long after the write, like `30s` or `24h`')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--if-absent', '--if-absent', [CompletionResultType]::ParameterName, 'Write only if the key does not exist; otherwise exit 6')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;kv;delete' {
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Delete every key starting with this prefix instead')
            [CompletionResult]::new('--if-revision', '--if-revision', [CompletionResultType]::ParameterName, 'Delete only if the key''s mod revision is N; otherwise exit 6')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (prefix deletes)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (prefix deletes)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;kv;list' {
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only keys starting with this')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Start at this key (inclusive)')
            [CompletionResult]::new('--end', '--end', [CompletionResultType]::ParameterName, 'Stop before this key (exclusive)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N keys')
            [CompletionResult]::new('--consistency', '--consistency', [CompletionResultType]::ParameterName, '`linearizable` (default) or `stale`')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Keys fetched per request')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--keys-only', '--keys-only', [CompletionResultType]::ParameterName, 'Print keys only')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;kv;txn' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;kv;import' {
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Keys per batch')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;kv;export' {
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only keys starting with this')
            [CompletionResult]::new('--consistency', '--consistency', [CompletionResultType]::ParameterName, '`linearizable` (default) or `stale`')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;kv;watch' {
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Watch every key starting with this prefix instead (`""`: all keys)')
            [CompletionResult]::new('--rev', '--rev', [CompletionResultType]::ParameterName, 'Start after revision N: print every change committed after it (default: changes from now on)')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--prev-kv', '--prev-kv', [CompletionResultType]::ParameterName, 'Also give each change''s previous value')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run the command given after `--` for each event')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;kv;help' {
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Read a key; a missing key exits 3. Text output is the value''s bytes exactly when stdout is not a terminal. On a terminal a newline is added, and a value that is not UTF-8 or holds control characters (other than newline, tab and carriage return) is not printed (exit 1): use `-o raw` to print it anyway, or redirect stdout')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`. Stdin is read whole before anything is sent, at most 64 MiB (the largest value any node accepts; more exits 1)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keys in order, following the server''s pages (`--timeout` bounds each page). Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`; control characters in keys and values escaped as `\n`, `\t`, `\u{1b}`, and a backslash as `\\`, so one key is always one line), or one key per line with `--keys-only`; `--output json` prints one JSON array of items, unescaped')
            [CompletionResult]::new('txn', 'txn', [CompletionResultType]::ParameterValue, 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin (at most 64 MiB, read before anything is sent), applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal. A line longer than 64 MiB (the most a node accepts) stops the import with exit 1')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export keys as JSON lines (`-o yaml`: one YAML document each) `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back. `--timeout` bounds the wait for the export to start and any pause in it, not its length: a large export streams as long as it takes')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print every change to a key (or, with `--prefix`, to the keys under a prefix) as it is committed, in revision order, until Ctrl-C. A broken stream is resumed from the last revision seen, through any endpoint, with nothing missed or repeated')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;kv;help;get' {
            break
        }
        'concord;kv;help;put' {
            break
        }
        'concord;kv;help;delete' {
            break
        }
        'concord;kv;help;list' {
            break
        }
        'concord;kv;help;txn' {
            break
        }
        'concord;kv;help;import' {
            break
        }
        'concord;kv;help;export' {
            break
        }
        'concord;kv;help;watch' {
            break
        }
        'concord;kv;help;help' {
            break
        }
        'concord;context' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the contexts; the current one is marked')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a context: the named one, else the one in use')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make NAME the current context')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Create or update NAME with the --endpoints, --token-file, --cacert and --timeout given on this command line (environment variables are not copied); settings not given are kept')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete NAME (and unset it if it is the current context)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;context;list' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;context;show' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;context;use' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;context;set' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;context;delete' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;context;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the contexts; the current one is marked')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a context: the named one, else the one in use')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make NAME the current context')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Create or update NAME with the --endpoints, --token-file, --cacert and --timeout given on this command line (environment variables are not copied); settings not given are kept')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete NAME (and unset it if it is the current context)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;context;help;list' {
            break
        }
        'concord;context;help;show' {
            break
        }
        'concord;context;help;use' {
            break
        }
        'concord;context;help;set' {
            break
        }
        'concord;context;help;delete' {
            break
        }
        'concord;context;help;help' {
            break
        }
        'concord;bench' {
            [CompletionResult]::new('--workload', '--workload', [CompletionResultType]::ParameterName, 'What to send')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Requests in flight at once (one per connection), 1 to 4096')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long to run, like `10s` or `1m` [default: 10s unless --requests]')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Stop after this many requests instead of after a duration')
            [CompletionResult]::new('--key-space', '--key-space', [CompletionResultType]::ParameterName, 'Distinct keys, chosen at random')
            [CompletionResult]::new('--value-size', '--value-size', [CompletionResultType]::ParameterName, 'Bytes per value')
            [CompletionResult]::new('--consistency', '--consistency', [CompletionResultType]::ParameterName, 'Consistency of the gets: `linearizable` confirms leadership with a quorum first; `stale` reads the node''s local state')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Where the connections go')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'The keys'' prefix')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;node' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;node;start' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with the same settings as these flags; flags win')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'This node''s id. Recorded in the data directory on first start; a directory that belongs to another id is refused. Default: 1 for a single node; assigned by the cluster with --join; the entry whose peer URL is this node''s with --initial-cluster')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'Join an existing cluster: client URLs of one or more members, comma-separated. Ignored once the data directory has Raft state')
            [CompletionResult]::new('--initial-cluster', '--initial-cluster', [CompletionResultType]::ParameterName, 'Static bootstrap: `1=http://10.0.0.1:7380,2=...,3=...` (ids and peer URLs), the same on every member. Ignored once the data directory has Raft state')
            [CompletionResult]::new('--snapshot-logs', '--snapshot-logs', [CompletionResultType]::ParameterName, 'Take a snapshot (letting older log be purged) every this many log entries. A snapshot fsyncs the state machine and costs the same whatever the data size; the purge after it deletes this many entries at once. Held back while this node streams a snapshot to a member (and 30 s after; at most 5 minutes and 10 times this or 100,000 entries) [default: 10000]')
            [CompletionResult]::new('--default-ttl', '--default-ttl', [CompletionResultType]::ParameterName, 'TTL for keys written without one, like `24h` [default: none, keys never expire]')
            [CompletionResult]::new('--max-txn-ops', '--max-txn-ops', [CompletionResultType]::ParameterName, 'Most operations (compares included) in one transaction [default: 1024]')
            [CompletionResult]::new('--max-batch-ops', '--max-batch-ops', [CompletionResultType]::ParameterName, 'Most operations in one bulk batch [default: 10000]')
            [CompletionResult]::new('--max-request-size', '--max-request-size', [CompletionResultType]::ParameterName, 'Largest transaction or batch request body, in bytes; at most 64 MiB, since one request is one Raft entry [default: 33554432]')
            [CompletionResult]::new('--max-concurrent-requests', '--max-concurrent-requests', [CompletionResultType]::ParameterName, 'Client requests served at once; more get 503 `overloaded` at once [default: 4096]')
            [CompletionResult]::new('--min-free-space', '--min-free-space', [CompletionResultType]::ParameterName, 'Refuse writes that add data (507 `insufficient_storage`) while the data directory''s disk has less free space than this, in bytes [default: 67108864]')
            [CompletionResult]::new('--request-id-max-entries', '--request-id-max-entries', [CompletionResultType]::ParameterName, 'Most request ids (`Concord-Request-Id`) remembered for deduplicating retries; the oldest are forgotten first. A leader''s setting applies to the entries it proposes [default: 100000]')
            [CompletionResult]::new('--request-id-max-bytes', '--request-id-max-bytes', [CompletionResultType]::ParameterName, 'Most bytes of remembered request outcomes; the oldest are forgotten first [default: 67108864]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once on each listener; at the cap the connection idle longest is closed to admit a new one [default: 4096]')
            [CompletionResult]::new('--max-concurrent-exports', '--max-concurrent-exports', [CompletionResultType]::ParameterName, 'Exports streaming at once; more get 503 `overloaded` [default: 16]')
            [CompletionResult]::new('--max-watchers', '--max-watchers', [CompletionResultType]::ParameterName, 'Watch streams (`GET /v1/watch`) open at once; more get 503 `overloaded`. Watches take no `--max-concurrent-requests` permit [default: 1024]')
            [CompletionResult]::new('--watch-history', '--watch-history', [CompletionResultType]::ParameterName, 'Events of the watch history kept at most: a watch can resume from any revision the history still holds (oldest revisions go first) [default: 100000]')
            [CompletionResult]::new('--watch-history-age', '--watch-history-age', [CompletionResultType]::ParameterName, 'Events of the watch history older than this are pruned [default: 1h]')
            [CompletionResult]::new('--max-in-flight-bytes', '--max-in-flight-bytes', [CompletionResultType]::ParameterName, 'Request-body bytes buffered at once across all requests; more get 503 `overloaded` [default: 268435456]')
            [CompletionResult]::new('--allowed-hosts', '--allowed-hosts', [CompletionResultType]::ParameterName, 'More host names requests may carry in `Host` while a listener is on a loopback or unspecified address (comma-separated; `*` allows any). `localhost`, IP addresses and the advertised URL''s host are always allowed; others get 403 `host_not_allowed` (a DNS-rebinding defence, on the client and the peer listener)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Where the Raft log, state machine and snapshots live [default: ./concord-data]')
            [CompletionResult]::new('--listen-client', '--listen-client', [CompletionResultType]::ParameterName, 'Address of the client API [default: 127.0.0.1:7379]')
            [CompletionResult]::new('--listen-peer', '--listen-peer', [CompletionResultType]::ParameterName, 'Address of the peer (Raft) listener [default: 127.0.0.1:7380]')
            [CompletionResult]::new('--advertise-client', '--advertise-client', [CompletionResultType]::ParameterName, 'Client URL others use to reach this node [default: from --listen-client]')
            [CompletionResult]::new('--advertise-peer', '--advertise-peer', [CompletionResultType]::ParameterName, 'Peer URL other nodes use to reach this node [default: from --listen-peer]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log filter: error, warn, info, debug, trace, or a tracing directive [default: info,openraft=warn]. Logs go to stderr')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr: `text`, or `json` (one JSON object per line: time, level, target, message and the event''s fields) [default: text]')
            [CompletionResult]::new('--max-value-size', '--max-value-size', [CompletionResultType]::ParameterName, 'Largest value accepted, in bytes; at most 64 MiB [default: 1048576]')
            [CompletionResult]::new('--heartbeat-interval', '--heartbeat-interval', [CompletionResultType]::ParameterName, 'Leader heartbeat period [default: 100ms]')
            [CompletionResult]::new('--election-timeout', '--election-timeout', [CompletionResultType]::ParameterName, 'Minimum election timeout; the maximum is twice this. A follower starts an election after the leader lease (the maximum) plus a random timeout without hearing from the leader [default: 300ms]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for a quorum before 503 [default: 10s]')
            [CompletionResult]::new('--client-read-timeout', '--client-read-timeout', [CompletionResultType]::ParameterName, 'How long a client may take to send a request''s headers, or stall while sending its body (then 408), and how long an idle kept-alive connection stays open [default: 30s]')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Require a token on every client request but `/health` and `/ready`. Takes effect when this node creates the cluster and is replicated (joiners inherit it; it cannot be turned off). Needs a cluster secret. The root token comes from `CONCORD_ROOT_TOKEN` in this node''s environment, or else from `concord token bootstrap`')
            [CompletionResult]::new('--cluster-secret-file', '--cluster-secret-file', [CompletionResultType]::ParameterName, 'File holding the secret every member shares (else `CONCORD_CLUSTER_SECRET`; at least 16 bytes): every Raft call and join request must carry it. Without TLS it crosses the wire in the clear')
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'Append-only audit log, JSON lines: every mutating and every denied request [default: audit.log in the data directory]')
            [CompletionResult]::new('--max-auth-failures', '--max-auth-failures', [CompletionResultType]::ParameterName, 'Failed authentications allowed per remote address per minute; more get 429 `too_many_auth_failures` [default: 20]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'PEM certificate chain of the client listener (turns on HTTPS). Reloaded on SIGHUP and when the file changes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'PEM private key of `--tls-cert`')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'PEM CA certificates: clients must present a certificate signed by one (needs `--tls-cert`)')
            [CompletionResult]::new('--peer-tls-cert', '--peer-tls-cert', [CompletionResultType]::ParameterName, 'PEM certificate of the peer listener, also presented to other members as this node''s client certificate (mutual TLS). It must name the host of this node''s peer URL')
            [CompletionResult]::new('--peer-tls-key', '--peer-tls-key', [CompletionResultType]::ParameterName, 'PEM private key of `--peer-tls-cert`')
            [CompletionResult]::new('--peer-trusted-ca', '--peer-trusted-ca', [CompletionResultType]::ParameterName, 'PEM CA certificates peers'' certificates must chain to (both ways). Also trusted for relaying requests to the leader''s client URL')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;node;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;node;help;start' {
            break
        }
        'concord;node;help;help' {
            break
        }
        'concord;snapshot' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Save a consistent backup of the whole cluster (every key and revision, tokens as digests, cluster metadata) to FILE. Needs an admin token. The file is written under a temporary name, checked, fsynced, then renamed: FILE is complete or absent')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Check a backup file: its checksum, then every record; print its format, revision, key count and size. Exit 1 if the checksum does not match')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Make a data directory for a new single-node cluster from a backup, offline: a new cluster id, every key, revision and token of the backup. The file is checked whole first; a damaged one is refused and nothing is written. Then `concord node start --data-dir DIR` serves it (pass the same --advertise-client and --advertise-peer, and --listen-* to match), and other nodes can --join it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;snapshot;save' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;snapshot;inspect' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;snapshot;restore' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'The new data directory (absent or empty)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The node id of the new cluster''s one member')
            [CompletionResult]::new('--advertise-client', '--advertise-client', [CompletionResultType]::ParameterName, 'The client URL the node will advertise')
            [CompletionResult]::new('--advertise-peer', '--advertise-peer', [CompletionResultType]::ParameterName, 'The peer URL the node will advertise')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accepted and ignored: restore never writes over data (a DIR that is not empty is refused), so it does not ask')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;snapshot;help' {
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Save a consistent backup of the whole cluster (every key and revision, tokens as digests, cluster metadata) to FILE. Needs an admin token. The file is written under a temporary name, checked, fsynced, then renamed: FILE is complete or absent')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Check a backup file: its checksum, then every record; print its format, revision, key count and size. Exit 1 if the checksum does not match')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Make a data directory for a new single-node cluster from a backup, offline: a new cluster id, every key, revision and token of the backup. The file is checked whole first; a damaged one is refused and nothing is written. Then `concord node start --data-dir DIR` serves it (pass the same --advertise-client and --advertise-peer, and --listen-* to match), and other nodes can --join it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;snapshot;help;save' {
            break
        }
        'concord;snapshot;help;inspect' {
            break
        }
        'concord;snapshot;help;restore' {
            break
        }
        'concord;snapshot;help;help' {
            break
        }
        'concord;token' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token (needs an admin token). Prints the secret once: with `-o json`, `{"id", "token", "permissions", "prefixes", "expires_at", ...}`; as text, the token alone on stdout and what it is on stderr')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens (needs an admin token): id, permissions, prefixes, expiry and description. Secrets are never stored, so never shown')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token (needs an admin token). Every member refuses it as soon as it applies the revocation. Asks for confirmation on a terminal; needs `--yes` otherwise. An unknown id exits 3')
            [CompletionResult]::new('bootstrap', 'bootstrap', [CompletionResultType]::ParameterValue, 'Create the root token of a cluster started with `--auth` and no `CONCORD_ROOT_TOKEN`. Works once per cluster (then exits 6) and needs no token: run it right after the cluster starts. Prints the root token to stdout; it is never shown again')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;token;create' {
            [CompletionResult]::new('--permissions', '--permissions', [CompletionResultType]::ParameterName, 'Comma-separated: read, write, admin (admin includes the others)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Limit the token to keys under this prefix; repeat for more. None: every key')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Lifetime, like `24h` or `30d`. None: the token never expires')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the token is for')
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;token;list' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;token;revoke' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;token;bootstrap' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;token;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token (needs an admin token). Prints the secret once: with `-o json`, `{"id", "token", "permissions", "prefixes", "expires_at", ...}`; as text, the token alone on stdout and what it is on stderr')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens (needs an admin token): id, permissions, prefixes, expiry and description. Secrets are never stored, so never shown')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token (needs an admin token). Every member refuses it as soon as it applies the revocation. Asks for confirmation on a terminal; needs `--yes` otherwise. An unknown id exits 3')
            [CompletionResult]::new('bootstrap', 'bootstrap', [CompletionResultType]::ParameterValue, 'Create the root token of a cluster started with `--auth` and no `CONCORD_ROOT_TOKEN`. Works once per cluster (then exits 6) and needs no token: run it right after the cluster starts. Prints the root token to stdout; it is never shown again')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;token;help;create' {
            break
        }
        'concord;token;help;list' {
            break
        }
        'concord;token;help;revoke' {
            break
        }
        'concord;token;help;bootstrap' {
            break
        }
        'concord;token;help;help' {
            break
        }
        'concord;completions' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;version' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;gen-docs' {
            [CompletionResult]::new('--endpoints', '--endpoints', [CompletionResultType]::ParameterName, 'Client URLs of cluster members, comma-separated. The CLI tries them in turn (while one is unreachable or answers `overloaded`, `unavailable`, `not_ready` or `timeout`) and follows a `not_leader` answer to the leader it names, but only to one of these URLs or a member''s client URL as listed by one of them (`GET /v1/cluster/members`); any other leader URL is ignored with a warning, and never gets the token')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a request may wait for its answer to start, across every endpoint and retry, like `500ms`, `2s`, `1m` (then exit 5). An answer that has started is read as long as data keeps coming: only a pause of this long fails it, so `kv export` may stream for longer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `table` for people (the default on a terminal), `plain` records one per line with tab-separated fields (the default when piped), `json` or `yaml` for scripts, `raw` for `kv get` values written exactly, even to a terminal (other commands print `raw` as `plain`)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the bearer token (read instead of `CONCORD_TOKEN`)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'PEM CA certificates to trust for `https://` endpoints (instead of the system''s)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM client certificate, for nodes started with `--client-ca`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key of `--cert`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context (from the contexts file, `concord context`) whose endpoints, token file, CA and timeout fill in what no flag or environment variable gives; the file''s current context by default')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: a destructive command without `--yes` exits 2 and changes nothing, even on a terminal (as when `CI` is set, or stdin or stderr is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'concord;help' {
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'Inspect the cluster and change its membership')
            [CompletionResult]::new('kv', 'kv', [CompletionResultType]::ParameterValue, 'Read and write keys')
            [CompletionResult]::new('context', 'context', [CompletionResultType]::ParameterValue, 'Named contexts: which cluster, token file and CA commands use')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure throughput and latency: puts, gets or both, N connections')
            [CompletionResult]::new('node', 'node', [CompletionResultType]::ParameterValue, 'Run a node')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Back up the cluster to a file, check a backup, restore one offline')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Create, list and revoke tokens; bootstrap the root token')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the CLI''s version, commit and target, and the node''s version')
            [CompletionResult]::new('gen-docs', 'gen-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and shell completions (for maintainers)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'concord;help;cluster' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the cluster''s health: every member''s role, term, commit and applied index, lag and reachability, and a verdict: healthy, degraded (a member down or lagging) or unavailable (no quorum). Exits 5 when unavailable')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'List the members: id, role (leader, follower or learner), client URL and peer URL')
            [CompletionResult]::new('add-node', 'add-node', [CompletionResultType]::ParameterValue, 'Add a node as a learner; it is promoted to voter once it has caught up. Start the new node with `concord node start --id N` (or use `--join`, which does this for you). Ids are never reused')
            [CompletionResult]::new('remove-node', 'remove-node', [CompletionResultType]::ParameterValue, 'Remove a member. Asks for confirmation on a terminal; needs `--yes` otherwise. Refuses to remove the last voter; removing the leader hands leadership to another voter first. A removed id is never reused')
            [CompletionResult]::new('transfer-leader', 'transfer-leader', [CompletionResultType]::ParameterValue, 'Hand leadership to another voter (by default the most caught-up one) and wait until it leads')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Recover from losing a quorum, offline: make the data directory of the most up-to-date surviving member a new single-node cluster that keeps every key and revision it holds, then grow it again with `--join`')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until the cluster has a leader (and --members N voters, and with --ready every endpoint answering `GET /ready` with 200). Exits 0 then, 5 when --timeout (here the whole wait; default 60s) runs out first, 4 at once on an authentication error. A spinner on a terminal only')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Start an N-node cluster of real `concord node start` processes on 127.0.0.1, in the foreground: node i listens for clients on BASE+2(i-1) and for peers on the port after it (7379/7380, 7381/7382, ...). Prints the endpoints and an `export CONCORD_ENDPOINTS=...` line, then waits; Ctrl-C (or SIGTERM) stops every node and waits for them. Data stays in DIR (`DIR/node-<i>`, logs in `DIR/node-<i>.log`) and a second run starts the same cluster again, unless --ephemeral. No auth, no TLS: a playground')
            break
        }
        'concord;help;cluster;status' {
            break
        }
        'concord;help;cluster;members' {
            break
        }
        'concord;help;cluster;add-node' {
            break
        }
        'concord;help;cluster;remove-node' {
            break
        }
        'concord;help;cluster;transfer-leader' {
            break
        }
        'concord;help;cluster;recover' {
            break
        }
        'concord;help;cluster;wait' {
            break
        }
        'concord;help;cluster;local' {
            break
        }
        'concord;help;kv' {
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Read a key; a missing key exits 3. Text output is the value''s bytes exactly when stdout is not a terminal. On a terminal a newline is added, and a value that is not UTF-8 or holds control characters (other than newline, tab and carriage return) is not printed (exit 1): use `-o raw` to print it anyway, or redirect stdout')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Write a key. The value comes from the argument, or from stdin (byte-exact) when it is omitted or `-`. Stdin is read whole before anything is sent, at most 64 MiB (the largest value any node accepts; more exits 1)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a key (a missing key exits 3), or with `--prefix` every key under a prefix, atomically (asks for confirmation on a terminal; needs `--yes` otherwise)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keys in order, following the server''s pages (`--timeout` bounds each page). Text output is one `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`; control characters in keys and values escaped as `\n`, `\t`, `\u{1b}`, and a backslash as `\\`, so one key is always one line), or one key per line with `--keys-only`; `--output json` prints one JSON array of items, unescaped')
            [CompletionResult]::new('txn', 'txn', [CompletionResultType]::ParameterValue, 'Run a transaction: JSON `{"compare": [...], "success": [...], "failure": [...]}` from FILE or stdin (at most 64 MiB, read before anything is sent), applied atomically. Prints the answer; exits 6 when a compare failed (the failure branch ran)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE or stdin (other fields, like those `kv export` writes, are ignored). Lines are written in large batches, each batch atomic (the import as a whole is not); a progress bar shows on a terminal. A line longer than 64 MiB (the most a node accepts) stops the import with exit 1')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export keys as JSON lines (`-o yaml`: one YAML document each) `{"key", "value" | "value_base64", "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`, all from one consistent revision (printed on stderr). `kv import` reads them back. `--timeout` bounds the wait for the export to start and any pause in it, not its length: a large export streams as long as it takes')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print every change to a key (or, with `--prefix`, to the keys under a prefix) as it is committed, in revision order, until Ctrl-C. A broken stream is resumed from the last revision seen, through any endpoint, with nothing missed or repeated')
            break
        }
        'concord;help;kv;get' {
            break
        }
        'concord;help;kv;put' {
            break
        }
        'concord;help;kv;delete' {
            break
        }
        'concord;help;kv;list' {
            break
        }
        'concord;help;kv;txn' {
            break
        }
        'concord;help;kv;import' {
            break
        }
        'concord;help;kv;export' {
            break
        }
        'concord;help;kv;watch' {
            break
        }
        'concord;help;context' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the contexts; the current one is marked')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a context: the named one, else the one in use')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make NAME the current context')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Create or update NAME with the --endpoints, --token-file, --cacert and --timeout given on this command line (environment variables are not copied); settings not given are kept')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete NAME (and unset it if it is the current context)')
            break
        }
        'concord;help;context;list' {
            break
        }
        'concord;help;context;show' {
            break
        }
        'concord;help;context;use' {
            break
        }
        'concord;help;context;set' {
            break
        }
        'concord;help;context;delete' {
            break
        }
        'concord;help;bench' {
            break
        }
        'concord;help;node' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Run a node. With no flags: a one-member cluster with its data in `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380')
            break
        }
        'concord;help;node;start' {
            break
        }
        'concord;help;snapshot' {
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Save a consistent backup of the whole cluster (every key and revision, tokens as digests, cluster metadata) to FILE. Needs an admin token. The file is written under a temporary name, checked, fsynced, then renamed: FILE is complete or absent')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Check a backup file: its checksum, then every record; print its format, revision, key count and size. Exit 1 if the checksum does not match')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Make a data directory for a new single-node cluster from a backup, offline: a new cluster id, every key, revision and token of the backup. The file is checked whole first; a damaged one is refused and nothing is written. Then `concord node start --data-dir DIR` serves it (pass the same --advertise-client and --advertise-peer, and --listen-* to match), and other nodes can --join it')
            break
        }
        'concord;help;snapshot;save' {
            break
        }
        'concord;help;snapshot;inspect' {
            break
        }
        'concord;help;snapshot;restore' {
            break
        }
        'concord;help;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token (needs an admin token). Prints the secret once: with `-o json`, `{"id", "token", "permissions", "prefixes", "expires_at", ...}`; as text, the token alone on stdout and what it is on stderr')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens (needs an admin token): id, permissions, prefixes, expiry and description. Secrets are never stored, so never shown')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token (needs an admin token). Every member refuses it as soon as it applies the revocation. Asks for confirmation on a terminal; needs `--yes` otherwise. An unknown id exits 3')
            [CompletionResult]::new('bootstrap', 'bootstrap', [CompletionResultType]::ParameterValue, 'Create the root token of a cluster started with `--auth` and no `CONCORD_ROOT_TOKEN`. Works once per cluster (then exits 6) and needs no token: run it right after the cluster starts. Prints the root token to stdout; it is never shown again')
            break
        }
        'concord;help;token;create' {
            break
        }
        'concord;help;token;list' {
            break
        }
        'concord;help;token;revoke' {
            break
        }
        'concord;help;token;bootstrap' {
            break
        }
        'concord;help;completions' {
            break
        }
        'concord;help;version' {
            break
        }
        'concord;help;gen-docs' {
            break
        }
        'concord;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
