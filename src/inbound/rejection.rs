//! [`Rejection`]: why a callback's token was refused, and the status to answer with.

use std::fmt;
use std::time::Duration;

/// Why a callback's token was refused. Never carries the token, nor any part of it but the
/// name of its algorithm, and, for a token whose signature held, its issuer or tenant.
///
/// ```
/// use msgraph_calls::inbound::Rejection;
///
/// assert_eq!(Rejection::Expired.to_string(), "the token has expired");
/// assert_eq!(Rejection::Expired.status(), http::StatusCode::UNAUTHORIZED);
/// assert_eq!(Rejection::KeysUnavailable.status(), http::StatusCode::SERVICE_UNAVAILABLE);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// No `Authorization` header.
    MissingAuthorization,
    /// An `Authorization` header that is not `Bearer <token>` (another scheme, no token, bytes
    /// that are not text, or two headers).
    NotBearer,
    /// Not a JWT: not three base64url parts, a header or claims that are not JSON objects, a
    /// header with critical extensions (`crit`), or `alg`, `kid` or `crit` given twice, or
    /// longer than 2 KiB (Graph's are about 150 bytes), a claim of the wrong type or given
    /// twice, or a token longer than [`MAX_TOKEN_LEN`](super::MAX_TOKEN_LEN).
    Malformed,
    /// A token not signed with RS256 (`none`, HMAC, or any other algorithm).
    UnsupportedAlgorithm {
        /// The algorithm the token's header names, if it is a registered JWS name; otherwise
        /// `"unrecognised"`.
        alg: &'static str,
    },
    /// A token whose header has no `kid`, so no key to check it with.
    MissingKeyId,
    /// A `kid` that is not in Graph's JWKS, even after fetching it again (when allowed).
    UnknownKeyId,
    /// A signature that the key does not verify.
    BadSignature,
    /// Past its `exp` (and the leeway).
    Expired,
    /// A signed token that says it lives longer than the validator allows
    /// ([`ValidatorBuilder::max_token_lifetime`](super::ValidatorBuilder::max_token_lifetime)):
    /// its `exp` is further from now, or from its `iat`, than that (and the leeway).
    TooLongLived,
    /// A signed token issued in the future: its `iat` is after now and the leeway.
    IssuedInTheFuture,
    /// Before its `nbf` (less the leeway).
    NotYetValid,
    /// A signed token without a claim that must be there.
    MissingClaim {
        /// `exp`, `iss` or `aud`.
        claim: &'static str,
    },
    /// A signed token from an issuer not accepted.
    WrongIssuer {
        /// The token's issuer, cut to 100 characters.
        issuer: String,
    },
    /// A signed token for another audience than the bot's application id.
    WrongAudience,
    /// A signed token without a tenant (`tid`).
    MissingTenant,
    /// A signed token of a tenant not in the allowed list.
    TenantNotAllowed {
        /// The token's tenant, cut to 100 characters.
        tenant: String,
    },
    /// No signing keys to check with: they could not be fetched yet. Not the sender's fault;
    /// answered with 503 so that Graph tries again.
    KeysUnavailable,
    /// A `kid` not among the keys in hand, which cannot be fetched again yet: the least gap
    /// between fetches has not passed (another token's unknown `kid` may just have spent a
    /// fetch, before Graph published its new key), or a fetch is under way and enough
    /// requests already wait for it. Answered with 503 and `Retry-After` so that Graph's
    /// genuine callback comes back once the keys can be fetched, rather than a 401 it would
    /// not retry.
    KeysRefreshing {
        /// When to try again, in whole seconds (at least one): the time left before a fetch
        /// may start, or one second when a fetch is under way and enough requests already
        /// wait for it.
        retry_after: Duration,
    },
}

impl Rejection {
    /// The HTTP status to answer with: 401, or 503 for [`Rejection::KeysUnavailable`] and
    /// [`Rejection::KeysRefreshing`].
    ///
    /// ```
    /// assert_eq!(msgraph_calls::inbound::Rejection::BadSignature.status().as_u16(), 401);
    /// ```
    pub fn status(&self) -> http::StatusCode {
        match self {
            Rejection::KeysUnavailable | Rejection::KeysRefreshing { .. } => {
                http::StatusCode::SERVICE_UNAVAILABLE
            }
            _ => http::StatusCode::UNAUTHORIZED,
        }
    }

    /// For a 503, the wait to send in `Retry-After`: 10 s while no keys could be fetched, the
    /// time left for [`Rejection::KeysRefreshing`]; `None` for a 401.
    ///
    /// ```
    /// use std::time::Duration;
    /// use msgraph_calls::inbound::Rejection;
    ///
    /// let busy = Rejection::KeysRefreshing { retry_after: Duration::from_secs(42) };
    /// assert_eq!(busy.retry_after(), Some(Duration::from_secs(42)));
    /// assert_eq!(Rejection::Expired.retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Rejection::KeysUnavailable => Some(Duration::from_secs(10)),
            Rejection::KeysRefreshing { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// A short, stable name for the reason, for metrics and logs: `"expired"`, `"bad_signature"`...
    ///
    /// ```
    /// assert_eq!(msgraph_calls::inbound::Rejection::UnknownKeyId.code(), "unknown_kid");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::MissingAuthorization => "missing_authorization",
            Rejection::NotBearer => "not_bearer",
            Rejection::Malformed => "malformed",
            Rejection::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            Rejection::MissingKeyId => "missing_kid",
            Rejection::UnknownKeyId => "unknown_kid",
            Rejection::BadSignature => "bad_signature",
            Rejection::Expired => "expired",
            Rejection::TooLongLived => "too_long_lived",
            Rejection::IssuedInTheFuture => "issued_in_future",
            Rejection::NotYetValid => "not_yet_valid",
            Rejection::MissingClaim { .. } => "missing_claim",
            Rejection::WrongIssuer { .. } => "wrong_issuer",
            Rejection::WrongAudience => "wrong_audience",
            Rejection::MissingTenant => "missing_tenant",
            Rejection::TenantNotAllowed { .. } => "tenant_not_allowed",
            Rejection::KeysUnavailable => "keys_unavailable",
            Rejection::KeysRefreshing { .. } => "keys_refreshing",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingAuthorization => f.write_str("no Authorization header"),
            Rejection::NotBearer => {
                f.write_str("the Authorization header is not a single `Bearer <token>`")
            }
            Rejection::Malformed => f.write_str("the bearer token is not a well-formed JWT"),
            Rejection::UnsupportedAlgorithm { alg } => {
                write!(f, "the token is signed with {alg}, not RS256")
            }
            Rejection::MissingKeyId => f.write_str("the token's header names no key (`kid`)"),
            Rejection::UnknownKeyId => {
                f.write_str("the token names a key (`kid`) that is not among Graph's signing keys")
            }
            Rejection::BadSignature => f.write_str("the token's signature does not verify"),
            Rejection::Expired => f.write_str("the token has expired"),
            Rejection::TooLongLived => {
                f.write_str("the token's lifetime (`exp`) is longer than a Graph token's")
            }
            Rejection::IssuedInTheFuture => f.write_str("the token is issued in the future (`iat`)"),
            Rejection::NotYetValid => f.write_str("the token is not valid yet (`nbf`)"),
            Rejection::MissingClaim { claim } => write!(f, "the token has no `{claim}` claim"),
            Rejection::WrongIssuer { issuer } => {
                write!(f, "the token's issuer {issuer:?} is not accepted")
            }
            Rejection::WrongAudience => {
                f.write_str("the token is not for this bot (its audience is another application)")
            }
            Rejection::MissingTenant => f.write_str("the token has no tenant (`tid`) claim"),
            Rejection::TenantNotAllowed { tenant } => {
                write!(f, "the token's tenant {tenant:?} is not allowed")
            }
            Rejection::KeysUnavailable => {
                f.write_str("Graph's signing keys could not be fetched, so no token can be checked")
            }
            Rejection::KeysRefreshing { retry_after } => write!(
                f,
                "the token names a key (`kid`) not among the keys in hand, and they cannot be fetched again now; try again in {}s",
                retry_after.as_secs()
            ),
        }
    }
}

impl std::error::Error for Rejection {}
