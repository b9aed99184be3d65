//! Trust only Graph: check the token Graph signs each callback with, then read the body.
//!
//! Anyone can POST to a bot's public callback URL. Graph puts a bearer JWT in the
//! `Authorization` header of every callback; a bot must check it before it believes a word of
//! the body (TEAMS `bots/calls-and-meetings/call-notifications.md`, "Authenticate the callback",
//! and SAMPLES `AuthenticationProvider.cs`):
//!
//! - signed with RS256 by a key of the JWKS named by Graph's OpenID configuration,
//!   [`GRAPH_OPENID_CONFIGURATION`] (its `jwks_uri`), chosen by the token's `kid`;
//! - issued by one of [`GRAPH_ISSUERS`];
//! - for the bot: `aud` is the bot's application (client) id;
//! - within its lifetime (`exp`, `nbf`), give or take a small leeway;
//! - with a tenant claim `tid`, optionally one of a list of tenants the bot serves.
//!
//! [`Validator`] makes these checks and returns the [`VerifiedClaims`], or a [`Rejection`] that
//! says which check failed without repeating the token. [`Receiver`] puts the validator and
//! [`notifications::from_slice`](crate::notifications::from_slice) together and gives the status
//! Graph expects (202, 401, 400) for any HTTP framework; [`axum`] (feature `axum`)
//! is the same as an axum extractor.
//!
//! Signing keys are fetched from the OpenID configuration when first needed, kept, fetched again
//! every 2 hours (as the samples do; in the background, while the cached keys go on serving)
//! and when a token names a `kid` the validator does not know (a key rotation), at most once
//! per [`ValidatorBuilder::min_refresh_gap`] so that tokens with made-up `kid`s cannot make it
//! hammer the key endpoint. When a refresh fails, the last good keys stay in use.
//!
//! ```no_run
//! use msgraph_calls::inbound::{Receiver, Received, Validator};
//!
//! # async fn demo(headers: http::HeaderMap, body: bytes::Bytes) -> Result<(), Box<dyn std::error::Error>> {
//! let validator = Validator::builder("0efc74f7-41c3-47a4-8775-7259bfef4241")
//!     .allowed_tenants(["1fdd12d0-4620-44ed-baec-459b611f84b2"])
//!     .build()?;
//! let receiver = Receiver::new(validator);
//!
//! // In the callback handler of any HTTP framework:
//! let received = receiver.receive(&headers, &body).await;
//! let status = received.status(); // answer Graph with this
//! if let Received::Accepted { claims, batch } = received {
//!     println!("{} notifications from tenant {}", batch.notifications().len(), claims.tenant_id);
//! }
//! # Ok(()) }
//! ```
//!
//! # Other clouds
//!
//! The defaults are those of the global service, the only cloud for which Graph documents the
//! callback tokens' OpenID configuration and issuers. [`ValidatorBuilder::cloud`] says which
//! cloud the bot runs in: for [`Cloud::Global`](crate::Cloud::Global) it keeps the defaults;
//! for the US Government clouds it requires both to be set, because Graph does not document
//! them there (callbacks have been reported with another OpenID configuration and the issuer
//! `https://api.botframework.com/`, with a trailing slash: microsoft-graph-comms-samples issue
//! 865, still open); for China, where Graph offers no calling APIs, it is an error. Set both
//! from what your tenant's tokens carry:
//!
//! ```no_run
//! # fn demo() -> Result<(), msgraph_calls::inbound::ConfigError> {
//! let validator = msgraph_calls::inbound::Validator::builder("bot app id")
//!     .cloud(msgraph_calls::Cloud::UsGovL4)
//!     .openid_configuration_url("https://apigcch.botframework.azure.us/v1/.well-known/OpenIdConfiguration")
//!     .issuers(["https://api.botframework.com/", "https://graph.microsoft.us"])
//!     .build()?;
//! # Ok(()) }
//! ```

#[cfg(feature = "axum")]
pub mod axum;
mod builder;
mod jwks;
mod jwt;
mod key_source;
mod keys;
mod receiver;
mod rejection;
mod rs256;
mod validator;

use std::time::Duration;

pub use builder::{ConfigError, ValidatorBuilder};
pub use key_source::KeyFetchError;
pub use receiver::{Received, Receiver};
pub use rejection::Rejection;
pub use validator::{Validator, VerifiedClaims};

/// Where Graph publishes the OpenID configuration whose `jwks_uri` lists the keys callbacks are
/// signed with (TEAMS `bots/calls-and-meetings/call-notifications.md`; SAMPLES
/// `AuthenticationProvider.cs`).
pub const GRAPH_OPENID_CONFIGURATION: &str =
    "https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration";

/// The issuers of Graph's callback tokens (SAMPLES `AuthenticationProvider.cs`).
pub const GRAPH_ISSUERS: [&str; 2] = [
    "https://graph.microsoft.com",
    "https://api.botframework.com",
];

/// How often the keys are fetched again: 2 hours, as SAMPLES `AuthenticationProvider.cs` does.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(2 * 60 * 60);

/// The least time between two fetches of the keys, whatever asks for them: 5 minutes, the
/// interval Microsoft's .NET token validation keeps between refreshes it is asked for
/// (AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet,
/// `BaseConfigurationManager.DefaultRefreshInterval`).
pub const DEFAULT_MIN_REFRESH_GAP: Duration = Duration::from_secs(5 * 60);

/// The clock skew allowed on `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The longest a fetch of the keys may take, both documents together, whatever HTTP client
/// fetches them: a callback that waits for keys waits no longer.
pub const DEFAULT_KEY_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest leeway a validator accepts: more would accept tokens expired for days.
pub const MAX_LEEWAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The least gap between two fetches of the keys a validator accepts: less would let a flood of
/// made-up `kid`s make the bot hammer the key endpoint.
pub const MIN_REFRESH_GAP: Duration = Duration::from_secs(10);

/// The longest token read, in bytes: a longer one is refused unread as
/// [`Rejection::Malformed`]. Graph's are about 1 KB.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The most requests that wait for a fetch of the keys another request started; any more are
/// answered at once with [`Rejection::KeysRefreshing`] (503, `Retry-After: 1`), so forged
/// tokens naming made-up keys cannot pile up behind a slow key endpoint. A bot that expects
/// more callbacks than this at once before its first fetch calls
/// [`Validator::refresh_keys`] at startup.
pub const MAX_FETCH_WAITERS: usize = 32;

/// The longest lifetime a token may claim (`exp` from now, or from its `iat`) unless set with
/// [`ValidatorBuilder::max_token_lifetime`]: one day, the most Microsoft Entra ID lets an
/// access token live (learn.microsoft.com, entra/identity-platform/configurable-token-lifetimes,
/// "Access tokens": default 60 to 90 minutes, at most 1 day).
pub const DEFAULT_MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The longest key fetch timeout a validator accepts.
pub const MAX_KEY_FETCH_TIMEOUT: Duration = Duration::from_secs(60);
