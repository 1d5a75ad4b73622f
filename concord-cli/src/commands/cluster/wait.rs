//! `concord cluster wait`: polls `GET /v1/cluster/members` (and `/ready`)
//! until the cluster has a leader, enough voters and, with `--ready`, every
//! endpoint ready; for scripts that start a cluster and go on.

use std::time::{Duration, Instant};

use clap::Args;
use concord_core::api::{Member, Role};

use crate::cli::{GlobalArgs, Source};
use crate::client::{ApiClient, ClientConfig};
use crate::error::{CliError, Kind};
use crate::output;

/// How long `cluster wait` waits when no --timeout is given.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);
/// Between two looks.
const POLL: Duration = Duration::from_millis(200);

/// Wait until the cluster has a leader (and --members N voters, and with
/// --ready every endpoint answering `GET /ready` with 200). Exits 0 then, 5
/// when --timeout (here the whole wait; default 60s) runs out first, 4 at
/// once on an authentication error. A spinner on a terminal only.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster wait                          # a leader, within 60 s
  concord cluster wait --members 3 --ready --timeout 2m
  concord node start --data-dir d1 & concord cluster wait && concord kv put k v")]
pub struct WaitArgs {
    /// Also wait for at least this many voters.
    #[arg(long, value_name = "N")]
    pub members: Option<usize>,
    /// Also wait until every endpoint answers `GET /ready` with 200.
    #[arg(long)]
    pub ready: bool,
}

#[derive(serde::Serialize)]
struct Waited {
    leader_id: u64,
    voters: usize,
    waited_ms: u64,
}

pub fn run(global: &GlobalArgs, args: WaitArgs) -> Result<(), CliError> {
    let mut config = ClientConfig::resolve(global)?;
    // --timeout bounds the whole wait; each look gets a short deadline.
    let deadline = match global.sources.timeout {
        Source::Unset => DEFAULT_WAIT,
        _ => config.timeout,
    };
    config.timeout = deadline.min(Duration::from_secs(2));
    let endpoints = config.endpoints.clone();
    let client = ApiClient::new(config)?;
    let started = Instant::now();
    let spinner = output::busy("waiting");
    loop {
        let last = match look(&client, &endpoints, &args) {
            Ok(Ok(waited)) => {
                if let Some(s) = spinner {
                    s.finish_and_clear();
                }
                let waited = Waited {
                    waited_ms: started.elapsed().as_millis() as u64,
                    ..waited
                };
                return match client.output() {
                    f if f.is_data() => output::data(f, &waited),
                    _ => output::line(&format!(
                        "leader {}, {} voters (after {} ms)",
                        waited.leader_id, waited.voters, waited.waited_ms
                    )),
                };
            }
            Ok(Err(not_yet)) => not_yet,
            Err(e) if e.kind == Kind::Auth || e.kind == Kind::Usage => return Err(e),
            Err(e) => e.message,
        };
        if let Some(s) = &spinner {
            s.set_message(format!("waiting: {last}"));
        }
        if started.elapsed() + POLL >= deadline {
            if let Some(s) = spinner {
                s.finish_and_clear();
            }
            return Err(CliError::new(
                Kind::Unavailable,
                format!(
                    "the cluster at {} was not there after {}: {last}",
                    endpoints.join(","),
                    humantime::format_duration(deadline)
                ),
            ));
        }
        std::thread::sleep(POLL);
    }
}

/// One look: `Ok(Ok(..))` when everything waited for holds, `Ok(Err(why))`
/// when not yet.
fn look(client: &ApiClient, endpoints: &[String], args: &WaitArgs) -> Result<Result<Waited, String>, CliError> {
    let members: Vec<Member> = client.get("/v1/cluster/members")?.json()?;
    let voters = members.iter().filter(|m| m.role != Role::Learner).count();
    let Some(leader) = members.iter().find(|m| m.role == Role::Leader) else {
        return Ok(Err("no leader yet".into()));
    };
    if let Some(n) = args.members {
        if voters < n {
            return Ok(Err(format!("{voters} of {n} voters")));
        }
    }
    if args.ready {
        for endpoint in endpoints {
            if !client.is_ready(endpoint) {
                return Ok(Err(format!("{endpoint} is not ready")));
            }
        }
    }
    Ok(Ok(Waited {
        leader_id: leader.id,
        voters,
        waited_ms: 0,
    }))
}
