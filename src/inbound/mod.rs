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
//! Graph expects (202, 401, 400) for any HTTP framework; [`axum`](self::axum) (feature `axum`)
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
//! The defaults are those of the global service. Callbacks on US Government clouds have been
//! reported with another OpenID configuration and signing keys, and with the issuer
//! `https://api.botframework.com/` (with a trailing slash; microsoft-graph-comms-samples
//! issue 865, still open). Set both from what your tenant's tokens carry:
//!
//! ```no_run
//! # fn demo() -> Result<(), msgraph_calls::inbound::ConfigError> {
//! let validator = msgraph_calls::inbound::Validator::builder("bot app id")
//!     .openid_configuration_url("https://apigcch.botframework.azure.us/v1/.well-known/OpenIdConfiguration")
//!     .issuers(["https://api.botframework.com/", "https://graph.microsoft.us"])
//!     .build()?;
//! # Ok(()) }
//! ```

#[cfg(feature = "axum")]
pub mod axum;
mod keys;
mod receiver;

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

pub use keys::KeyFetchError;
use keys::{KeyCache, KeySource};
pub use receiver::{Received, Receiver};

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

/// Tokens longer than this are refused unread (Graph's are about 1 KB).
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Checks the bearer token of Graph's callbacks. Cheap to clone: clones share their keys.
///
/// Build one per bot with [`Validator::builder`], at startup, and keep it.
///
/// ```
/// use msgraph_calls::inbound::{Rejection, Validator};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// // A JWKS fixed at construction, as in tests or where the bot cannot reach Graph's key endpoint.
/// let jwks = br#"{"keys":[]}"#;
/// let validator = Validator::builder("my-bot-app-id").build_offline(jwks).unwrap();
/// assert_eq!(validator.validate_authorization(None).await, Err(Rejection::MissingAuthorization));
/// assert_eq!(validator.validate_authorization(Some(b"Basic dXNlcg==")).await, Err(Rejection::NotBearer));
/// assert_eq!(validator.validate_token("not.a.jwt").await, Err(Rejection::Malformed));
/// # });
/// ```
#[derive(Clone)]
pub struct Validator {
    inner: Arc<Inner>,
}

struct Inner {
    app_id: String,
    validation: Validation,
    issuers: Vec<String>,
    tenants: Option<HashSet<String>>,
    keys: Arc<KeyCache>,
}

impl Validator {
    /// Starts a validator for the bot whose application (client) id is `app_id`, the audience
    /// Graph's tokens are issued for. The defaults are the global service's.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("0efc74f7-41c3-47a4-8775-7259bfef4241");
    /// ```
    pub fn builder(app_id: impl Into<String>) -> ValidatorBuilder {
        ValidatorBuilder {
            app_id: app_id.into(),
            issuers: GRAPH_ISSUERS.iter().map(|i| i.to_string()).collect(),
            openid_configuration_url: GRAPH_OPENID_CONFIGURATION.to_owned(),
            leeway: DEFAULT_LEEWAY,
            tenants: None,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            min_refresh_gap: DEFAULT_MIN_REFRESH_GAP,
            http: None,
        }
    }

    /// Checks the `Authorization` header of a callback request.
    ///
    /// ```
    /// # use msgraph_calls::inbound::{Rejection, Validator};
    /// # let validator = Validator::builder("app").build_offline(br#"{"keys":[]}"#).unwrap();
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let headers = http::HeaderMap::new();
    /// assert_eq!(validator.validate(&headers).await, Err(Rejection::MissingAuthorization));
    /// # });
    /// ```
    pub async fn validate(&self, headers: &http::HeaderMap) -> Result<VerifiedClaims, Rejection> {
        let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
        let first = values.next();
        if values.next().is_some() {
            // Two credentials: which one would the sender want checked? Neither.
            return self.reject(Rejection::NotBearer);
        }
        self.validate_authorization(first.map(|v| v.as_bytes()))
            .await
    }

    /// Checks the value of an `Authorization` header (`Bearer <token>`), or its absence.
    ///
    /// ```
    /// # use msgraph_calls::inbound::{Rejection, Validator};
    /// # let validator = Validator::builder("app").build_offline(br#"{"keys":[]}"#).unwrap();
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(validator.validate_authorization(Some(b"Bearer")).await, Err(Rejection::NotBearer));
    /// # });
    /// ```
    pub async fn validate_authorization(
        &self,
        value: Option<&[u8]>,
    ) -> Result<VerifiedClaims, Rejection> {
        let Some(value) = value else {
            return self.reject(Rejection::MissingAuthorization);
        };
        match bearer_token(value) {
            Some(token) => self.validate_token(token).await,
            None => self.reject(Rejection::NotBearer),
        }
    }

    /// Checks a token, the part after `Bearer ` in the header.
    ///
    /// ```
    /// # use msgraph_calls::inbound::{Rejection, Validator};
    /// # let validator = Validator::builder("app").build_offline(br#"{"keys":[]}"#).unwrap();
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // A token whose header says "alg": "none" is refused before any key is looked at.
    /// let none = "eyJhbGciOiJub25lIn0.e30.";
    /// assert_eq!(validator.validate_token(none).await, Err(Rejection::UnsupportedAlgorithm { alg: "none" }));
    /// # });
    /// ```
    pub async fn validate_token(&self, token: &str) -> Result<VerifiedClaims, Rejection> {
        let result = self.check(token).await;
        match result {
            Ok(claims) => {
                tracing::debug!(tenant = %claims.tenant_id, issuer = %claims.issuer, "callback token accepted");
                Ok(claims)
            }
            Err(rejection) => self.reject(rejection),
        }
    }

    /// Fetches the signing keys now, whatever the schedule, and says how many RS256 keys the
    /// JWKS holds. Call it at startup to fail fast when the key endpoint cannot be reached; a
    /// validator built with [`ValidatorBuilder::build_offline`] has nothing to fetch and answers
    /// with the number of keys it was given.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let validator = msgraph_calls::inbound::Validator::builder("bot app id").build()?;
    /// let keys = validator.refresh_keys().await?;
    /// println!("{keys} signing keys");
    /// # Ok(()) }
    /// ```
    pub async fn refresh_keys(&self) -> Result<usize, KeyFetchError> {
        self.inner.keys.refresh_now().await
    }

    fn reject<T>(&self, rejection: Rejection) -> Result<T, Rejection> {
        tracing::debug!(reason = %rejection, "callback token refused");
        Err(rejection)
    }

    async fn check(&self, token: &str) -> Result<VerifiedClaims, Rejection> {
        let header = read_header(token)?;
        if header.alg != "RS256" {
            return Err(Rejection::UnsupportedAlgorithm {
                alg: known_algorithm(&header.alg),
            });
        }
        let kid = header.kid.ok_or(Rejection::MissingKeyId)?;
        let key = self.inner.keys.key(&kid).await?;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.inner.validation).map_err(
            |e| match e.kind() {
                ErrorKind::InvalidSignature => Rejection::BadSignature,
                ErrorKind::ExpiredSignature => Rejection::Expired,
                ErrorKind::ImmatureSignature => Rejection::NotYetValid,
                ErrorKind::InvalidAudience => Rejection::WrongAudience,
                ErrorKind::InvalidIssuer => Rejection::WrongIssuer {
                    issuer: signed_issuer(token),
                },
                ErrorKind::MissingRequiredClaim(claim) => Rejection::MissingClaim {
                    claim: match claim.as_str() {
                        "exp" => "exp",
                        "iss" => "iss",
                        "aud" => "aud",
                        _ => "a required claim",
                    },
                },
                ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => {
                    Rejection::UnsupportedAlgorithm { alg: "RS256" }
                }
                _ => Rejection::Malformed,
            },
        )?;
        let claims = data.claims;
        let Some(exp) = claims.exp else {
            return Err(Rejection::MissingClaim { claim: "exp" });
        };
        let Some(issuer) = claims.iss else {
            return Err(Rejection::MissingClaim { claim: "iss" });
        };
        // Defence in depth: the issuer list is also checked here, exactly, in case the library's
        // own check ever changes.
        if !self.inner.issuers.contains(&issuer) {
            return Err(Rejection::WrongIssuer {
                issuer: shorten(&issuer),
            });
        }
        let tenant = match claims.tid {
            Some(tid) if !tid.trim().is_empty() => tid,
            _ => return Err(Rejection::MissingTenant),
        };
        if let Some(allowed) = &self.inner.tenants {
            if !allowed.contains(&tenant.to_ascii_lowercase()) {
                return Err(Rejection::TenantNotAllowed {
                    tenant: shorten(&tenant),
                });
            }
        }
        Ok(VerifiedClaims {
            tenant_id: tenant,
            issuer,
            audience: self.inner.app_id.clone(),
            app_id: claims.appid.or(claims.azp),
            expires_at: UNIX_EPOCH + Duration::from_secs(exp),
            issued_at: claims.iat.map(|t| UNIX_EPOCH + Duration::from_secs(t)),
        })
    }
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("audience", &self.inner.app_id)
            .field("issuers", &self.inner.issuers)
            .field("allowed_tenants", &self.inner.tenants)
            .field("leeway_secs", &self.inner.validation.leeway)
            .field("keys", &self.inner.keys)
            .finish()
    }
}

/// Settings of a [`Validator`]; start with [`Validator::builder`].
///
/// ```
/// use std::time::Duration;
///
/// let builder = msgraph_calls::inbound::Validator::builder("bot app id")
///     .leeway(Duration::from_secs(30))
///     .allowed_tenants(["1fdd12d0-4620-44ed-baec-459b611f84b2"])
///     .refresh_interval(Duration::from_secs(3600));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ValidatorBuilder {
    app_id: String,
    issuers: Vec<String>,
    openid_configuration_url: String,
    leeway: Duration,
    tenants: Option<Vec<String>>,
    refresh_interval: Duration,
    min_refresh_gap: Duration,
    http: Option<reqwest::Client>,
}

impl ValidatorBuilder {
    /// The issuers to accept, replacing [`GRAPH_ISSUERS`]. Compared exactly: a trailing slash
    /// matters.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .issuers(["https://api.botframework.com/"]);
    /// ```
    pub fn issuers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, issuers: I) -> Self {
        self.issuers = issuers.into_iter().map(Into::into).collect();
        self
    }

    /// The OpenID configuration whose `jwks_uri` lists the signing keys, replacing
    /// [`GRAPH_OPENID_CONFIGURATION`]. It must be `https`, or `http` on a loopback address
    /// (for a local stand-in for Graph); the same holds for the `jwks_uri` it names.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .openid_configuration_url("http://127.0.0.1:8080/v1/.well-known/OpenIdConfiguration");
    /// ```
    pub fn openid_configuration_url(mut self, url: impl Into<String>) -> Self {
        self.openid_configuration_url = url.into();
        self
    }

    /// The clock skew allowed on `exp` and `nbf` ([`DEFAULT_LEEWAY`] unless set); whole seconds.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app").leeway(std::time::Duration::ZERO);
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Accepts tokens of these tenants only (`tid`, compared without regard to letter case).
    /// Without it, any tenant is accepted as long as the token has one.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .allowed_tenants(["1fdd12d0-4620-44ed-baec-459b611f84b2"]);
    /// ```
    pub fn allowed_tenants<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        tenants: I,
    ) -> Self {
        self.tenants = Some(tenants.into_iter().map(Into::into).collect());
        self
    }

    /// How long fetched keys are used before they are fetched again ([`DEFAULT_REFRESH_INTERVAL`]
    /// unless set).
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .refresh_interval(std::time::Duration::from_secs(30 * 60));
    /// ```
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// The least time between two fetches of the keys, scheduled or asked for by an unknown
    /// `kid` ([`DEFAULT_MIN_REFRESH_GAP`] unless set). While there are no keys at all, a fetch
    /// is tried again after at most 10 seconds.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .min_refresh_gap(std::time::Duration::from_secs(60));
    /// ```
    pub fn min_refresh_gap(mut self, gap: Duration) -> Self {
        self.min_refresh_gap = gap;
        self
    }

    /// The HTTP client keys are fetched with. By default, one built like the hang-up client's
    /// ([`crate::client::http_client_builder`]: rustls, the platform's roots) with 10 second
    /// timeouts.
    ///
    /// ```
    /// let client = msgraph_calls::client::http_client_builder()?
    ///     .timeout(std::time::Duration::from_secs(5))
    ///     .build()?;
    /// let builder = msgraph_calls::inbound::Validator::builder("app").http_client(client);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// A validator that fetches its keys from the OpenID configuration, the first time a token
    /// needs one (or at [`Validator::refresh_keys`]).
    ///
    /// ```
    /// let validator = msgraph_calls::inbound::Validator::builder("app").build().unwrap();
    /// let err = msgraph_calls::inbound::Validator::builder("").build().unwrap_err();
    /// assert!(err.to_string().contains("application id"));
    /// ```
    pub fn build(self) -> Result<Validator, ConfigError> {
        let url = keys::check_key_url(&self.openid_configuration_url).map_err(|reason| {
            ConfigError(format!(
                "OpenID configuration URL {:?}: {reason}",
                self.openid_configuration_url
            ))
        })?;
        let http = match self.http.clone() {
            Some(client) => client,
            None => {
                let error = |e: &dyn fmt::Display| {
                    ConfigError(format!("HTTP client for the key endpoint: {e}"))
                };
                crate::client::http_client_builder()
                    .map_err(|e| error(&e))?
                    .connect_timeout(Duration::from_secs(10))
                    .timeout(Duration::from_secs(10))
                    .build()
                    .map_err(|e| error(&e))?
            }
        };
        let source = KeySource::new(http, url);
        let keys = KeyCache::online(source, self.refresh_interval, self.min_refresh_gap);
        self.finish(keys)
    }

    /// A validator that uses the keys of `jwks` (a JWKS document, `{"keys": [...]}`) and never
    /// fetches any: for tests and for bots that cannot reach the key endpoint. Keys other than
    /// RSA signing keys of 2048 bits or more are left out.
    ///
    /// ```
    /// use msgraph_calls::inbound::Validator;
    ///
    /// let validator = Validator::builder("app").build_offline(br#"{"keys":[]}"#).unwrap();
    /// let err = Validator::builder("app").build_offline(b"{").unwrap_err();
    /// assert!(err.to_string().contains("JWKS"));
    /// ```
    pub fn build_offline(self, jwks: &[u8]) -> Result<Validator, ConfigError> {
        let keys = keys::parse_jwks(jwks).map_err(|e| ConfigError(format!("JWKS: {e}")))?;
        self.finish(KeyCache::offline(keys))
    }

    fn finish(self, keys: KeyCache) -> Result<Validator, ConfigError> {
        if self.app_id.trim().is_empty() {
            return Err(ConfigError(
                "the bot's application id (the tokens' audience) is empty".into(),
            ));
        }
        if self.issuers.is_empty() {
            return Err(ConfigError("no issuer is accepted".into()));
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = self.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_audience(&[&self.app_id]);
        validation.set_issuer(&self.issuers);
        Ok(Validator {
            inner: Arc::new(Inner {
                app_id: self.app_id,
                validation,
                issuers: self.issuers,
                tenants: self
                    .tenants
                    .map(|t| t.iter().map(|t| t.trim().to_ascii_lowercase()).collect()),
                keys: Arc::new(keys),
            }),
        })
    }
}

/// What a verified token says of its sender.
///
/// ```
/// # fn demo(claims: msgraph_calls::inbound::VerifiedClaims) {
/// println!("callback from tenant {} (issuer {})", claims.tenant_id, claims.issuer);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedClaims {
    /// The tenant the callback is about (`tid`).
    pub tenant_id: String,
    /// Who issued the token (`iss`), one of the accepted issuers.
    pub issuer: String,
    /// The bot the token is for (`aud`): the application id the validator was built with.
    pub audience: String,
    /// The application that asked for the token (`appid`, or `azp`), when the token says.
    pub app_id: Option<String>,
    /// When the token expires (`exp`).
    pub expires_at: SystemTime,
    /// When the token was issued (`iat`), when the token says.
    pub issued_at: Option<SystemTime>,
}

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
    /// Not a JWT: not three base64url parts, a header or claims that are not JSON objects, or a
    /// header with critical extensions (`crit`).
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
}

impl Rejection {
    /// The HTTP status to answer with: 401, or 503 for [`Rejection::KeysUnavailable`].
    ///
    /// ```
    /// assert_eq!(msgraph_calls::inbound::Rejection::BadSignature.status().as_u16(), 401);
    /// ```
    pub fn status(&self) -> http::StatusCode {
        match self {
            Rejection::KeysUnavailable => http::StatusCode::SERVICE_UNAVAILABLE,
            _ => http::StatusCode::UNAUTHORIZED,
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
            Rejection::NotYetValid => "not_yet_valid",
            Rejection::MissingClaim { .. } => "missing_claim",
            Rejection::WrongIssuer { .. } => "wrong_issuer",
            Rejection::WrongAudience => "wrong_audience",
            Rejection::MissingTenant => "missing_tenant",
            Rejection::TenantNotAllowed { .. } => "tenant_not_allowed",
            Rejection::KeysUnavailable => "keys_unavailable",
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
        }
    }
}

impl std::error::Error for Rejection {}

/// A validator that cannot be built: what is wrong with its settings or its JWKS.
///
/// ```
/// let err = msgraph_calls::inbound::Validator::builder("app")
///     .openid_configuration_url("http://keys.example.com/openid")
///     .build()
///     .unwrap_err();
/// assert!(err.to_string().contains("https"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inbound validator: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The part of a JWT header read before any key is chosen.
struct RawHeader {
    alg: String,
    kid: Option<String>,
}

/// The claims the checks and [`VerifiedClaims`] need.
#[derive(Deserialize)]
struct Claims {
    // Optional here so that a missing one is reported as missing by the library's check.
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    exp: Option<u64>,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    tid: Option<String>,
    #[serde(default)]
    appid: Option<String>,
    #[serde(default)]
    azp: Option<String>,
}

/// `Bearer <token>`: the scheme in any letter case (RFC 7235), one or more spaces, a token.
fn bearer_token(value: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(value).ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_start();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn read_header(token: &str) -> Result<RawHeader, Rejection> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Rejection::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejection::Malformed);
    };
    if header.is_empty() || claims.is_empty() {
        return Err(Rejection::Malformed);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| Rejection::Malformed)?;
    // A JSON object, read as a map: a struct would also take an array, by position.
    let mut header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| Rejection::Malformed)?;
    // Extensions the sender marks as critical must be understood (RFC 7515, 4.1.11); none is.
    if header.contains_key("crit") {
        return Err(Rejection::Malformed);
    }
    let alg = match header.remove("alg") {
        Some(serde_json::Value::String(alg)) => alg,
        _ => String::new(),
    };
    let kid = match header.remove("kid") {
        Some(serde_json::Value::String(kid)) => Some(kid),
        None => None,
        Some(_) => return Err(Rejection::Malformed),
    };
    Ok(RawHeader { alg, kid })
}

/// The registered JWS algorithm names (RFC 7518 section 3.1), so a rejection can name the
/// algorithm without repeating whatever else a forged header holds.
fn known_algorithm(alg: &str) -> &'static str {
    const NAMES: [&str; 14] = [
        "none", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
        "PS256", "PS384", "PS512", "EdDSA",
    ];
    NAMES
        .iter()
        .find(|name| **name == alg)
        .copied()
        .unwrap_or("unrecognised")
}

/// The issuer of a token whose signature has been verified, for the rejection's message.
fn signed_issuer(token: &str) -> String {
    #[derive(Deserialize)]
    struct Issuer {
        #[serde(default)]
        iss: String,
    }
    jsonwebtoken::dangerous::insecure_decode::<Issuer>(token)
        .map(|data| shorten(&data.claims.iss))
        .unwrap_or_default()
}

fn shorten(value: &str) -> String {
    value.chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer_token(b"Bearer abc"), Some("abc"));
        assert_eq!(bearer_token(b"bearer   abc "), Some("abc"));
        assert_eq!(bearer_token(b"BEARER abc"), Some("abc"));
        assert_eq!(bearer_token(b"Bearer "), None);
        assert_eq!(bearer_token(b"Bearer"), None);
        assert_eq!(bearer_token(b"Basic abc"), None);
        assert_eq!(bearer_token(b"Bearerabc"), None);
        assert_eq!(bearer_token(b"Bearer \xff"), None);
    }

    #[test]
    fn only_registered_algorithm_names_are_repeated() {
        assert_eq!(known_algorithm("HS256"), "HS256");
        assert_eq!(known_algorithm("none"), "none");
        assert_eq!(known_algorithm("hs256"), "unrecognised");
        assert_eq!(known_algorithm("<script>"), "unrecognised");
    }

    #[test]
    fn headers_that_are_not_json_objects_are_malformed() {
        assert!(read_header("a.b").is_err());
        assert!(read_header("a.b.c.d").is_err());
        assert!(read_header(".e30.").is_err());
        // `[]` and `"x"` in base64url: JSON, but not objects.
        assert!(read_header("W10.e30.x").is_err());
        assert!(read_header("Ingi.e30.x").is_err());
        let header = read_header("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.x").unwrap();
        assert_eq!(header.alg, "RS256");
        assert_eq!(header.kid.as_deref(), Some("k1"));
        assert!(read_header(&"a".repeat(MAX_TOKEN_LEN + 1)).is_err());
        let crit = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"RS256","kid":"k1","crit":["exp"]}"#);
        assert!(read_header(&format!("{crit}.e30.x")).is_err());
    }
}
