//! [`Validator`]: the checks a callback's token must pass, in order, and the
//! [`VerifiedClaims`] of one that passed.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::builder::ValidatorBuilder;
use super::jwt::{bearer_token, decode, known_algorithm, read_claims, shorten, split};
use super::key_source::KeyFetchError;
use super::keys::KeyCache;
use super::rejection::Rejection;

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
    /// The clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
    leeway: u64,
    /// The longest lifetime a token may claim, in seconds.
    max_lifetime: u64,
    issuers: Vec<String>,
    tenants: Option<HashSet<String>>,
    keys: Arc<KeyCache>,
}

impl Validator {
    /// A validator of the settings a [`ValidatorBuilder`] checked.
    pub(super) fn new(
        app_id: String,
        leeway: Duration,
        max_lifetime: Duration,
        issuers: Vec<String>,
        tenants: Option<HashSet<String>>,
        keys: KeyCache,
    ) -> Validator {
        Validator {
            inner: Arc::new(Inner {
                app_id,
                leeway: leeway.as_secs(),
                max_lifetime: max_lifetime.as_secs(),
                issuers,
                tenants,
                keys: Arc::new(keys),
            }),
        }
    }
}

impl Validator {
    /// Starts a validator for the bot whose application (client) id is `app_id`, the audience
    /// Graph's tokens are issued for. The defaults are the global service's.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("0efc74f7-41c3-47a4-8775-7259bfef4241");
    /// ```
    pub fn builder(app_id: impl Into<String>) -> ValidatorBuilder {
        ValidatorBuilder::new(app_id.into())
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

    /// The keys the validator checks with.
    #[cfg(feature = "testing")]
    pub(crate) fn keys(&self) -> &KeyCache {
        &self.inner.keys
    }

    fn reject<T>(&self, rejection: Rejection) -> Result<T, Rejection> {
        tracing::debug!(reason = %rejection, "callback token refused");
        Err(rejection)
    }

    /// The checks, cheapest first: the header, then the key, the signature, and only then the
    /// claims, which nothing reads before the signature holds.
    async fn check(&self, token: &str) -> Result<VerifiedClaims, Rejection> {
        let parts = split(token)?;
        if parts.header.alg != "RS256" {
            return Err(Rejection::UnsupportedAlgorithm {
                alg: known_algorithm(&parts.header.alg),
            });
        }
        let kid = parts.header.kid.ok_or(Rejection::MissingKeyId)?;
        let signature = decode(parts.signature)?;
        // The key lookup may fetch the keys: only a token that reads so far gets to ask.
        let key = self.inner.keys.key(&kid).await?;
        if !key.verify(parts.signed.as_bytes(), &signature) {
            return Err(Rejection::BadSignature);
        }
        let claims = read_claims(parts.claims)?;
        let Some(exp) = claims.exp else {
            return Err(Rejection::MissingClaim { claim: "exp" });
        };
        let Some(issuer) = claims.iss else {
            return Err(Rejection::MissingClaim { claim: "iss" });
        };
        let Some(audience) = claims.aud else {
            return Err(Rejection::MissingClaim { claim: "aud" });
        };
        // A clock before 1970 reads as 1970: a token with `nbf` then looks not yet valid, and
        // none looks expired early.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let leeway = self.inner.leeway;
        if exp.saturating_add(leeway) < now {
            return Err(Rejection::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(leeway))
        {
            return Err(Rejection::NotYetValid);
        }
        if claims
            .iat
            .is_some_and(|iat| iat > now.saturating_add(leeway))
        {
            return Err(Rejection::IssuedInTheFuture);
        }
        // Counted from `iat` when the token has one (not in the future, checked above), else
        // from now: either way no token may say it lives longer.
        let start = claims.iat.unwrap_or(now).min(now);
        let longest = self.inner.max_lifetime.saturating_add(leeway);
        if exp.saturating_sub(start) > longest {
            return Err(Rejection::TooLongLived);
        }
        if !self.inner.issuers.contains(&issuer) {
            return Err(Rejection::WrongIssuer {
                issuer: shorten(&issuer),
            });
        }
        if !audience.contains(&self.inner.app_id) {
            return Err(Rejection::WrongAudience);
        }
        // Tenant ids are GUIDs, compared and returned in lower case whatever the token's case.
        let tenant = match claims.tid {
            Some(tid) if !tid.trim().is_empty() => tid.to_ascii_lowercase(),
            _ => return Err(Rejection::MissingTenant),
        };
        if let Some(allowed) = &self.inner.tenants {
            if !allowed.contains(&tenant) {
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
            expires_at: instant(exp)?,
            issued_at: claims.iat.map(instant).transpose()?,
        })
    }
}

/// The time `seconds` after the Unix epoch; a claim beyond what a `SystemTime` holds is a
/// malformed token.
fn instant(seconds: u64) -> Result<SystemTime, Rejection> {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(seconds))
        .ok_or(Rejection::Malformed)
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("audience", &self.inner.app_id)
            .field("issuers", &self.inner.issuers)
            .field("allowed_tenants", &self.inner.tenants)
            .field("leeway_secs", &self.inner.leeway)
            .field("max_lifetime_secs", &self.inner.max_lifetime)
            .field("keys", &self.inner.keys)
            .finish()
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
    /// The tenant the callback is about (`tid`), in lower case.
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
