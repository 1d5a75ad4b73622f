//! The one error body of the API, `{"error": {"code": "...", "message":
//! "..."}}`, and the [`Code`]s it carries, each with its HTTP status.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::NodeId;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal, $status:literal;)*) => {
        /// Every error code of the API. [`Code::as_str`] is its JSON
        /// spelling and [`Code::http_status`] its status; the CLI maps each
        /// to an exit code in one place.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
            /// A code this build does not know (from a newer node).
            Unknown,
        }

        impl Code {
            /// Every known code.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as it appears in the JSON error body.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                    Code::Unknown => "unknown",
                }
            }

            /// The HTTP status a node answers with this code.
            pub fn http_status(self) -> u16 {
                match self {
                    $(Code::$variant => $status,)*
                    Code::Unknown => 500,
                }
            }

            /// The code spelled `text`; [`Code::Unknown`] if none is.
            pub fn parse(text: &str) -> Code {
                match text {
                    $($text => Code::$variant,)*
                    _ => Code::Unknown,
                }
            }
        }
    };
}

codes! {
    /// A query parameter, path segment or field is invalid.
    InvalidArgument = "invalid_argument", 400;
    /// A key is empty, too long, not UTF-8, or has a `.`/`..` segment or a backslash.
    InvalidKey = "invalid_key", 400;
    /// A `ttl` is not a duration between 1ms and 10 years.
    InvalidTtl = "invalid_ttl", 400;
    /// A JSON body does not parse into the request it should be.
    InvalidJson = "invalid_json", 400;
    /// The request body could not be read.
    BadBody = "bad_body", 400;
    /// A transaction or batch has more operations than allowed.
    TooManyOperations = "too_many_operations", 400;
    /// The state machine refused the command (a prefix delete over its cap, say).
    Refused = "refused", 400;
    /// No token, or an unknown, expired or revoked one (auth is on).
    Unauthenticated = "unauthenticated", 401;
    /// The token lacks the permission or the key scope the request needs.
    Forbidden = "forbidden", 403;
    /// Too many failed authentications from this address; wait a minute.
    TooManyAuthFailures = "too_many_auth_failures", 429;
    /// A request on a loopback listener named a host that is not allowed.
    HostNotAllowed = "host_not_allowed", 403;
    /// The key or object does not exist.
    NotFound = "not_found", 404;
    /// No endpoint has this path.
    NoRoute = "no_route", 404;
    /// The endpoint does not take this method.
    MethodNotAllowed = "method_not_allowed", 405;
    /// A watch asked for revisions the node's history no longer keeps (`oldest_revision` says where it can start).
    Compacted = "compacted", 410;
    /// The request body did not arrive in time.
    RequestTimeout = "request_timeout", 408;
    /// A compare-and-set or transaction precondition failed, or a membership change was refused.
    Conflict = "conflict", 409;
    /// Another membership change is running; retry.
    MembershipChangeInProgress = "membership_change_in_progress", 409;
    /// Removing the node would leave no voter.
    LastVoter = "last_voter", 409;
    /// A node that lost its data came back under an id the cluster knows.
    AlreadyBootstrapped = "already_bootstrapped", 409;
    /// The request id was applied before; its results were too large to keep.
    AlreadyApplied = "already_applied", 409;
    /// The request id was used before for a different operation.
    RequestIdReused = "request_id_reused", 409;
    /// A value is larger than `--max-value-size`.
    ValueTooLarge = "value_too_large", 413;
    /// A request body is larger than `--max-request-size`.
    RequestTooLarge = "request_too_large", 413;
    /// A POST body is not `application/json`.
    UnsupportedMediaType = "unsupported_media_type", 415;
    /// A bug or an unexpected storage failure.
    Internal = "internal", 500;
    /// This node is not the leader (`leader_id` and `leader_url` name it when known).
    NotLeader = "not_leader", 503;
    /// No quorum, or the leader cannot be reached.
    Unavailable = "unavailable", 503;
    /// No quorum answered within `--request-timeout`.
    Timeout = "timeout", 503;
    /// A write may or may not have been applied; retry with the same request id.
    OutcomeUnknown = "outcome_unknown", 503;
    /// Too many requests, bytes, exports or digests in flight; retry shortly.
    Overloaded = "overloaded", 503;
    /// The node is starting up or knows no leader yet.
    NotReady = "not_ready", 503;
    /// The data directory's disk is nearly full; deletes still work.
    InsufficientStorage = "insufficient_storage", 507;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `code == "not_found"`: compares the JSON spelling.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Code::parse(&text))
    }
}

/// A string: one of [`Code::ALL`].
impl utoipa::PartialSchema for Code {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Code::ALL.iter().map(|c| c.as_str())))
            .description(Some(
                "What went wrong; each code has one HTTP status (README, \"HTTP API\").",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Code {}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong. Fields beyond `code` and `message` appear only with
/// the codes that use them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: Code,
    /// `conflict` on a single-key write: the key's revision now (0: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<u64>,
    /// `not_leader`: the leader's id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_id: Option<NodeId>,
    /// `not_leader`: the leader's client URL, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_url: Option<String>,
    pub message: String,
    /// `compacted`: the oldest `start_revision` a watch can use now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_revision: Option<u64>,
    /// `already_applied`: the revision the first attempt was applied at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// `already_applied`: whether the first attempt's transaction succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<bool>,
}

impl ErrorDetail {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ErrorDetail {
            code,
            current_revision: None,
            leader_id: None,
            leader_url: None,
            message: message.into(),
            oldest_revision: None,
            revision: None,
            succeeded: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_itself() {
        for &code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), code);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), code);
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
        assert_eq!(Code::parse("from_the_future"), Code::Unknown);
    }

    #[test]
    fn the_error_body_keeps_its_shape() {
        let mut d = ErrorDetail::new(Code::NotLeader, "not me");
        d.leader_id = Some(2);
        d.leader_url = Some("http://127.0.0.1:7379".into());
        let body = serde_json::to_string(&ErrorBody { error: d }).unwrap();
        assert_eq!(
            body,
            r#"{"error":{"code":"not_leader","leader_id":2,"leader_url":"http://127.0.0.1:7379","message":"not me"}}"#
        );
    }
}
