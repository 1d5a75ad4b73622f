//! The token endpoints' types: `POST /v1/tokens`, `GET /v1/tokens`,
//! `DELETE /v1/tokens/{id}` and `POST /v1/tokens/bootstrap`.

use serde::{Deserialize, Serialize};

use crate::auth::Permission;

/// The body of `POST /v1/tokens`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "CreateToken")]
pub struct CreateTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Any of `read`, `write`, `admin` (at least one).
    pub permissions: Vec<Permission>,
    /// Key prefixes the token is limited to; none: every key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefixes: Vec<String>,
    /// Lifetime like `24h`; none: the token never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

/// A token's metadata, as `GET /v1/tokens` lists it: never the secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TokenInfo {
    /// RFC 3339, UTC.
    pub created_at: String,
    pub description: String,
    /// RFC 3339, UTC; `null`: never expires.
    pub expires_at: Option<String>,
    pub id: String,
    pub permissions: Vec<Permission>,
    pub prefixes: Vec<String>,
}

/// The answer of `POST /v1/tokens` and `POST /v1/tokens/bootstrap`: the
/// metadata and, this once, the secret `token` (written after the
/// metadata's fields, so the JSON stays in alphabetical order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    /// The secret: send it as `Authorization: Bearer <token>`. It is shown
    /// only in this answer.
    #[serde(default)]
    pub token: String,
}

/// The answer of `GET /v1/tokens`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

/// The answer of `DELETE /v1/tokens/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RevokedToken {
    pub id: String,
    pub revoked: bool,
}

impl TokenInfo {
    pub fn of(record: &crate::auth::TokenRecord) -> TokenInfo {
        let time = |ms: u64| {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms);
            humantime_rfc3339(t)
        };
        TokenInfo {
            created_at: time(record.created_at_ms),
            description: record.description.clone(),
            expires_at: record.expires_at_ms.map(time),
            id: record.id.clone(),
            permissions: record.permissions.iter().copied().collect(),
            prefixes: record.prefixes.clone(),
        }
    }

    pub fn with_secret(self, token: String) -> CreatedToken {
        CreatedToken { info: self, token }
    }
}

fn humantime_rfc3339(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_token_is_written_in_alphabetical_order_and_reads_back() {
        let created = TokenInfo {
            created_at: "2026-11-27T00:00:00Z".into(),
            description: "ci".into(),
            expires_at: None,
            id: "0123456789abcdef".into(),
            permissions: vec![Permission::Read],
            prefixes: vec!["app/".into()],
        }
        .with_secret("concord_0123456789abcdef_00".into());
        let json = serde_json::to_string(&created).unwrap();
        assert_eq!(
            json,
            r#"{"created_at":"2026-11-27T00:00:00Z","description":"ci","expires_at":null,"id":"0123456789abcdef","permissions":["read"],"prefixes":["app/"],"token":"concord_0123456789abcdef_00"}"#
        );
        assert_eq!(serde_json::from_str::<CreatedToken>(&json).unwrap(), created);
    }
}
