//! Tokens and the one authorisation function.
//!
//! A token is `concord_<id>_<secret>`: a public id (16 hex characters, or
//! `root`) and 192 random bits of secret. Only the SHA-256 digest of the
//! whole token string is stored, in the replicated state machine, so every
//! node can check a token and none can show one again. A root token given
//! through `CONCORD_ROOT_TOKEN` may be any string of 16 bytes or more: a
//! token that does not parse as `concord_<id>_<secret>` is checked against
//! the root record.
//!
//! [`authorize`] decides every request: the HTTP layer only says what the
//! request needs ([`Need`]). It is pure, so it is tested here, route by
//! route in the node's tests.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::txn::{Txn, TxnOp};

/// The id of the first admin token.
pub const ROOT_ID: &str = "root";
/// What every generated token starts with, so secret scanners find them.
pub const TOKEN_PREFIX: &str = "concord_";
/// The shortest `CONCORD_ROOT_TOKEN` accepted.
pub const MIN_ROOT_TOKEN_BYTES: usize = 16;
/// Most key-prefix scopes on one token, and the longest description.
pub const MAX_TOKEN_PREFIXES: usize = 64;
pub const MAX_TOKEN_DESCRIPTION: usize = 1024;

/// A secret held in memory (the cluster secret, a root token): its
/// `Debug` never shows it, so it cannot reach a log through a struct.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Is `given` this secret? Constant time (over SHA-256 digests, so the
    /// lengths do not show either).
    pub fn matches(&self, given: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(digest(&self.0).ct_eq(&digest(given)))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What a token may do. `admin` includes `read` and `write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Read,
    Write,
    Admin,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Permission> {
        match text {
            "read" => Some(Permission::Read),
            "write" => Some(Permission::Write),
            "admin" => Some(Permission::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token as the state machine keeps it: never the secret. Its `Debug`
/// leaves the digest out (a weak root token could be guessed from it).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub id: String,
    /// SHA-256 of the whole token string.
    pub digest: [u8; 32],
    pub permissions: BTreeSet<Permission>,
    /// Key prefixes the token is limited to; empty: every key.
    pub prefixes: Vec<String>,
    /// Milliseconds since the Unix epoch; `None`: never expires.
    pub expires_at_ms: Option<u64>,
    pub description: String,
    pub created_at_ms: u64,
}

impl fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRecord")
            .field("id", &self.id)
            .field("permissions", &self.permissions)
            .field("prefixes", &self.prefixes)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// Whether auth is on, and whether the root token was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthState {
    pub enabled: bool,
    pub bootstrapped: bool,
}

/// Auth changes, applied through Raft like every write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthOp {
    /// Turns auth on for good (`--auth` on the bootstrapping node), with the
    /// root token from `CONCORD_ROOT_TOKEN` if one was given.
    Enable {
        root: Option<TokenRecord>,
    },
    /// `concord token bootstrap`: creates the root token, once per cluster.
    Bootstrap {
        root: TokenRecord,
    },
    Create {
        token: TokenRecord,
    },
    Revoke {
        id: String,
    },
}

/// What applying an [`AuthOp`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthOutcome {
    Enabled,
    Created {
        id: String,
    },
    Revoked {
        id: String,
    },
    /// `Revoke` named no token.
    Unknown {
        id: String,
    },
    /// `Bootstrap` after the root token exists, or before auth is on.
    NotAllowed {
        reason: String,
    },
}

/// SHA-256 of a token string: what is stored and compared.
pub fn digest(token: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).into()
}

/// A new token for `id`: `concord_<id>_<48 hex characters>`.
pub fn new_secret(id: &str) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{TOKEN_PREFIX}{id}_{hex}")
}

/// A new public token id: 16 hex characters from the OS's random source.
pub fn new_id() -> String {
    use rand::RngCore;
    format!("{:016x}", rand::rngs::OsRng.next_u64())
}

/// Does `text` look like a token id (`root`, or 16 lowercase hex digits)?
pub fn looks_like_id(text: &str) -> bool {
    text == ROOT_ID || (text.len() == 16 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// The id a presented token claims: the `<id>` of `concord_<id>_<secret>`,
/// else `root` (a root token from `CONCORD_ROOT_TOKEN` may be any string).
pub fn claimed_id(token: &str) -> &str {
    token
        .strip_prefix(TOKEN_PREFIX)
        .and_then(|rest| rest.split_once('_'))
        .map(|(id, _)| id)
        .filter(|id| !id.is_empty())
        .unwrap_or(ROOT_ID)
}

/// Does `token` match `record`? Constant time in the digest.
pub fn matches(record: &TokenRecord, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(record.digest.ct_eq(&digest(token)))
}

/// Where a request reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    Key(&'a str),
    /// Every key under the prefix (`""`: every key).
    Prefix(&'a str),
}

/// What a request needs, as the route says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need<'a> {
    /// Any valid token: cluster status, the member list, metrics.
    Token,
    Read(Scope<'a>),
    Write(Scope<'a>),
    /// Every part of a transaction or batch: refused as a whole if one is
    /// outside.
    Txn(&'a Txn),
    /// Tokens, membership, snapshots, cluster changes.
    Admin,
}

/// Why a token may not do something: the message for 403 `forbidden`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub String);

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The one authorisation function: may `token` do what `need` says?
/// Expiry and revocation are the caller's (a token it found and checked).
pub fn authorize(token: &TokenRecord, need: &Need<'_>) -> Result<(), Denied> {
    let has = |p: Permission| token.permissions.contains(&p) || token.permissions.contains(&Permission::Admin);
    let check = |p: Permission, scope: Scope<'_>| -> Result<(), Denied> {
        if !has(p) {
            return Err(Denied(format!("token {} lacks the {p} permission", token.id)));
        }
        if !in_scope(&token.prefixes, scope) {
            let what = match scope {
                Scope::Key(k) => format!("key {k:?}"),
                Scope::Prefix("") => "every key".to_string(),
                Scope::Prefix(p) => format!("prefix {p:?}"),
            };
            return Err(Denied(format!(
                "token {} may {p} only under {:?}, not {what}",
                token.id, token.prefixes
            )));
        }
        Ok(())
    };
    match need {
        Need::Token => Ok(()),
        Need::Read(scope) => check(Permission::Read, *scope),
        Need::Write(scope) => check(Permission::Write, *scope),
        Need::Admin if !has(Permission::Admin) => Err(Denied(format!("token {} lacks the admin permission", token.id))),
        // Tokens and membership reach every key: a token limited to
        // prefixes never administers.
        Need::Admin if !token.prefixes.is_empty() => Err(Denied(format!(
            "token {} is limited to {:?}; administration needs an admin token without prefixes",
            token.id, token.prefixes
        ))),
        Need::Admin => Ok(()),
        Need::Txn(txn) => {
            for c in &txn.compare {
                check(Permission::Read, Scope::Key(&c.key))?;
            }
            for op in txn.success.iter().chain(&txn.failure) {
                match op {
                    TxnOp::Get { key } => check(Permission::Read, Scope::Key(key))?,
                    TxnOp::Put { key, .. } | TxnOp::Delete { key } => check(Permission::Write, Scope::Key(key))?,
                    TxnOp::DeletePrefix { prefix } => check(Permission::Write, Scope::Prefix(prefix))?,
                }
            }
            Ok(())
        }
    }
}

/// Is the scope inside one of `prefixes` (no prefixes: everything is)?
/// A prefix is inside when it starts with an allowed prefix: `app/` is
/// inside `app/`, `ap` is not (it also covers `apple`).
fn in_scope(prefixes: &[String], scope: Scope<'_>) -> bool {
    if prefixes.is_empty() {
        return true;
    }
    let s = match scope {
        Scope::Key(k) | Scope::Prefix(k) => k,
    };
    prefixes.iter().any(|p| s.starts_with(p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::{Compare, CompareOp, Target};

    fn token(perms: &[Permission], prefixes: &[&str]) -> TokenRecord {
        TokenRecord {
            id: "t1".into(),
            digest: digest("x"),
            permissions: perms.iter().copied().collect(),
            prefixes: prefixes.iter().map(|s| s.to_string()).collect(),
            expires_at_ms: None,
            description: String::new(),
            created_at_ms: 0,
        }
    }

    #[test]
    fn generated_tokens_carry_their_id_and_match_only_themselves() {
        let id = new_id();
        let secret = new_secret(&id);
        assert!(secret.starts_with(TOKEN_PREFIX));
        assert_eq!(claimed_id(&secret), id);
        assert!(secret.len() >= TOKEN_PREFIX.len() + 16 + 1 + 48);
        let mut record = token(&[Permission::Read], &[]);
        record.digest = digest(&secret);
        assert!(matches(&record, &secret));
        assert!(!matches(&record, &new_secret(&id)));
        assert_ne!(new_secret(&id), new_secret(&id));
        assert_eq!(claimed_id("any-root-token-string"), ROOT_ID);
        assert_eq!(claimed_id("concord__x"), ROOT_ID);
        assert_eq!(claimed_id(&new_secret(ROOT_ID)), ROOT_ID);
        assert!(looks_like_id(&id) && looks_like_id(ROOT_ID));
        assert!(!looks_like_id(&secret) && !looks_like_id("c29tZSByb290IHRva2Vu"));
    }

    #[test]
    fn a_scoped_read_token_reads_inside_and_nothing_else() {
        let t = token(&[Permission::Read], &["app/"]);
        assert!(authorize(&t, &Need::Read(Scope::Key("app/x"))).is_ok());
        assert!(authorize(&t, &Need::Read(Scope::Prefix("app/sub/"))).is_ok());
        assert!(authorize(&t, &Need::Read(Scope::Key("other/y"))).is_err());
        assert!(authorize(&t, &Need::Read(Scope::Prefix("ap"))).is_err());
        assert!(authorize(&t, &Need::Read(Scope::Prefix(""))).is_err());
        assert!(authorize(&t, &Need::Write(Scope::Key("app/x"))).is_err());
        assert!(authorize(&t, &Need::Admin).is_err());
        assert!(authorize(&t, &Need::Token).is_ok());
        let scoped_admin = token(&[Permission::Admin], &["app/"]);
        assert!(authorize(&scoped_admin, &Need::Write(Scope::Key("app/x"))).is_ok());
        assert!(
            authorize(&scoped_admin, &Need::Admin).is_err(),
            "a scoped admin never administers"
        );
    }

    #[test]
    fn admin_includes_read_and_write_everywhere_in_its_scope() {
        let t = token(&[Permission::Admin], &[]);
        for need in [Need::Read(Scope::Prefix("")), Need::Write(Scope::Key("x")), Need::Admin] {
            assert!(authorize(&t, &need).is_ok(), "{need:?}");
        }
    }

    #[test]
    fn a_transaction_is_refused_as_a_whole_when_one_part_is_outside() {
        let t = token(&[Permission::Read, Permission::Write], &["app/"]);
        let put = |k: &str| TxnOp::Put {
            key: k.into(),
            value: vec![],
            ttl_ms: None,
        };
        let inside = Txn {
            compare: vec![Compare {
                key: "app/a".into(),
                op: CompareOp::Eq,
                target: Target::Exists(true),
            }],
            success: vec![put("app/b")],
            failure: vec![TxnOp::Get { key: "app/c".into() }],
        };
        assert!(authorize(&t, &Need::Txn(&inside)).is_ok());
        let mut compare_outside = inside.clone();
        compare_outside.compare[0].key = "other/a".into();
        assert!(authorize(&t, &Need::Txn(&compare_outside)).is_err());
        let mut failure_outside = inside.clone();
        failure_outside.failure.push(put("other/z"));
        assert!(authorize(&t, &Need::Txn(&failure_outside)).is_err());
        let mut prefix_outside = inside.clone();
        prefix_outside.success.push(TxnOp::DeletePrefix { prefix: "".into() });
        assert!(authorize(&t, &Need::Txn(&prefix_outside)).is_err());
        let read_only = token(&[Permission::Read], &["app/"]);
        assert!(authorize(&read_only, &Need::Txn(&inside)).is_err(), "a put needs write");
    }
}
