//! [`ValidatorBuilder`]: a validator's settings, checked before it is built, and the
//! [`ConfigError`] that says what is wrong with them.

use std::fmt;
use std::time::Duration;

use super::keys::{self, KeyCache, KeySource};
use super::validator::Validator;
use super::{
    DEFAULT_KEY_FETCH_TIMEOUT, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LIFETIME, DEFAULT_MIN_REFRESH_GAP,
    DEFAULT_REFRESH_INTERVAL, GRAPH_ISSUERS, GRAPH_OPENID_CONFIGURATION, MAX_KEY_FETCH_TIMEOUT,
    MAX_LEEWAY, MIN_REFRESH_GAP,
};
use crate::cloud::Cloud;

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
    cloud: Cloud,
    /// Set by [`ValidatorBuilder::issuers`]; else the cloud's, where Graph documents them.
    issuers: Option<Vec<String>>,
    /// Set by [`ValidatorBuilder::openid_configuration_url`]; else the cloud's.
    openid_configuration_url: Option<String>,
    leeway: Duration,
    max_token_lifetime: Duration,
    tenants: Option<Vec<String>>,
    refresh_interval: Duration,
    min_refresh_gap: Duration,
    key_fetch_timeout: Duration,
    http: Option<reqwest::Client>,
}

impl ValidatorBuilder {
    /// The defaults of the global service, for the bot `app_id`.
    pub(super) fn new(app_id: String) -> Self {
        ValidatorBuilder {
            app_id,
            cloud: Cloud::Global,
            issuers: None,
            openid_configuration_url: None,
            leeway: DEFAULT_LEEWAY,
            max_token_lifetime: DEFAULT_MAX_TOKEN_LIFETIME,
            tenants: None,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            min_refresh_gap: DEFAULT_MIN_REFRESH_GAP,
            key_fetch_timeout: DEFAULT_KEY_FETCH_TIMEOUT,
            http: None,
        }
    }

    /// The cloud the bot runs in ([`Cloud::Global`] unless set). Graph documents the callback
    /// tokens' OpenID configuration ([`GRAPH_OPENID_CONFIGURATION`]) and issuers
    /// ([`GRAPH_ISSUERS`]) for the global service only. For the US Government clouds, building
    /// fails with a [`ConfigError`] saying so unless both are set with
    /// [`openid_configuration_url`](Self::openid_configuration_url) and
    /// [`issuers`](Self::issuers); for China, where Graph offers no calling APIs, building
    /// always fails.
    ///
    /// ```
    /// use msgraph_calls::{inbound::Validator, Cloud};
    ///
    /// assert!(Validator::builder("app").cloud(Cloud::Global).build().is_ok());
    /// let err = Validator::builder("app").cloud(Cloud::UsGovL4).build().unwrap_err();
    /// assert!(err.to_string().contains("does not document"), "{err}");
    /// let gov = Validator::builder("app")
    ///     .cloud(Cloud::UsGovL4)
    ///     .openid_configuration_url("https://apigcch.botframework.azure.us/v1/.well-known/OpenIdConfiguration")
    ///     .issuers(["https://api.botframework.com/"])
    ///     .build();
    /// assert!(gov.is_ok());
    /// ```
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// The issuers to accept, replacing [`GRAPH_ISSUERS`]. Compared exactly: a trailing slash
    /// matters.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .issuers(["https://api.botframework.com/"]);
    /// ```
    pub fn issuers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, issuers: I) -> Self {
        self.issuers = Some(issuers.into_iter().map(Into::into).collect());
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
        self.openid_configuration_url = Some(url.into());
        self
    }

    /// The clock skew allowed on `exp` and `nbf` ([`DEFAULT_LEEWAY`] unless set); whole seconds,
    /// at most [`MAX_LEEWAY`] (a day).
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app").leeway(std::time::Duration::ZERO);
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The longest lifetime a token may claim ([`DEFAULT_MAX_TOKEN_LIFETIME`], a day, unless
    /// set; whole seconds, more than zero): a token whose `exp` is further than that (and the
    /// leeway) from now, or from its `iat`, is refused as [`Rejection::TooLongLived`], and one
    /// whose `iat` is after now and the leeway as [`Rejection::IssuedInTheFuture`]. A token
    /// that leaked cannot then be replayed for years.
    ///
    /// [`Rejection::TooLongLived`]: super::Rejection::TooLongLived
    /// [`Rejection::IssuedInTheFuture`]: super::Rejection::IssuedInTheFuture
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .max_token_lifetime(std::time::Duration::from_secs(2 * 60 * 60));
    /// ```
    pub fn max_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_token_lifetime = lifetime;
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
    /// `kid` ([`DEFAULT_MIN_REFRESH_GAP`] unless set; at least [`MIN_REFRESH_GAP`], 10 s).
    /// While there are no keys at all, a fetch is tried again after at most 10 seconds.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .min_refresh_gap(std::time::Duration::from_secs(60));
    /// ```
    pub fn min_refresh_gap(mut self, gap: Duration) -> Self {
        self.min_refresh_gap = gap;
        self
    }

    /// The longest one fetch of the keys may take, both documents together
    /// ([`DEFAULT_KEY_FETCH_TIMEOUT`] unless set; more than zero and at most
    /// [`MAX_KEY_FETCH_TIMEOUT`]). It bounds the fetch whatever HTTP client is used, so a key
    /// endpoint that never answers cannot hold a callback longer.
    ///
    /// ```
    /// let builder = msgraph_calls::inbound::Validator::builder("app")
    ///     .key_fetch_timeout(std::time::Duration::from_secs(5));
    /// ```
    pub fn key_fetch_timeout(mut self, timeout: Duration) -> Self {
        self.key_fetch_timeout = timeout;
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
        let (openid_configuration_url, issuers) = self.endpoints(false)?;
        let url =
            crate::http::check_https_or_loopback(&openid_configuration_url).map_err(|reason| {
                ConfigError(format!(
                    "OpenID configuration URL {openid_configuration_url:?}: {reason}"
                ))
            })?;
        if self.key_fetch_timeout.is_zero() || self.key_fetch_timeout > MAX_KEY_FETCH_TIMEOUT {
            return Err(ConfigError(format!(
                "the key fetch timeout is {:?}; it must be more than zero and at most {:?}",
                self.key_fetch_timeout, MAX_KEY_FETCH_TIMEOUT
            )));
        }
        let http = match self.http.clone() {
            Some(client) => client,
            None => {
                let error = |e: &dyn fmt::Display| {
                    ConfigError(format!("HTTP client for the key endpoint: {e}"))
                };
                crate::http::client_builder()
                    .map_err(|e| error(&e))?
                    // Key endpoints may redirect; only to where the fetcher's own rule allows
                    // (https, or http on loopback), and at most 5 times.
                    .redirect(reqwest::redirect::Policy::custom(|attempt| {
                        if attempt.previous().len() >= 5 {
                            attempt.error("more than 5 redirects")
                        } else if crate::http::check_https_or_loopback(attempt.url().as_str())
                            .is_ok()
                        {
                            attempt.follow()
                        } else {
                            attempt.stop()
                        }
                    }))
                    .connect_timeout(Duration::from_secs(10))
                    .timeout(Duration::from_secs(10))
                    .build()
                    .map_err(|e| error(&e))?
            }
        };
        let source = KeySource::new(http, url, self.key_fetch_timeout);
        let keys = KeyCache::online(source, self.refresh_interval, self.min_refresh_gap);
        self.finish(keys, issuers)
    }

    /// A validator that uses the keys of `jwks` (a JWKS document, `{"keys": [...]}`) and never
    /// fetches any: for tests and for bots that cannot reach the key endpoint. Keys other than
    /// RSA signing keys of 2048 to 4096 bits are left out.
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
        let (_, issuers) = self.endpoints(true)?;
        self.finish(KeyCache::offline(keys), issuers)
    }

    /// The OpenID configuration URL and the issuers: those set, else the cloud's. An offline
    /// validator fetches nothing, so it needs the issuers only.
    fn endpoints(&self, offline: bool) -> Result<(String, Vec<String>), ConfigError> {
        if !self.cloud.offers_calls() {
            return Err(ConfigError(format!(
                "Graph offers no calling APIs, and so no callbacks, in the {} cloud",
                self.cloud
            )));
        }
        let documented = matches!(self.cloud, Cloud::Global);
        match (&self.openid_configuration_url, &self.issuers) {
            (Some(url), Some(issuers)) => Ok((url.clone(), issuers.clone())),
            (None, Some(issuers)) if offline => Ok((String::new(), issuers.clone())),
            (url, issuers) if documented => Ok((
                url.clone()
                    .unwrap_or_else(|| GRAPH_OPENID_CONFIGURATION.to_owned()),
                issuers
                    .clone()
                    .unwrap_or_else(|| GRAPH_ISSUERS.iter().map(|i| i.to_string()).collect()),
            )),
            _ => Err(ConfigError(format!(
                "Graph does not document the callback tokens' OpenID configuration and issuers \
                 in the {} cloud: set both, with openid_configuration_url(..) and issuers(..), \
                 from what your tenant's tokens carry",
                self.cloud
            ))),
        }
    }

    fn finish(self, keys: KeyCache, issuers: Vec<String>) -> Result<Validator, ConfigError> {
        if self.app_id.trim().is_empty() {
            return Err(ConfigError(
                "the bot's application id (the tokens' audience) is empty".into(),
            ));
        }
        if issuers.is_empty() {
            return Err(ConfigError("no issuer is accepted".into()));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError(format!(
                "a leeway of {:?} would accept tokens expired that long ago; at most {:?}",
                self.leeway, MAX_LEEWAY
            )));
        }
        if self.max_token_lifetime.as_secs() == 0 {
            return Err(ConfigError(format!(
                "a token lifetime of {:?} would refuse every token; at least a second",
                self.max_token_lifetime
            )));
        }
        if self.min_refresh_gap < MIN_REFRESH_GAP {
            return Err(ConfigError(format!(
                "a refresh gap of {:?} would let made-up key ids hammer the key endpoint; at \
                 least {:?}",
                self.min_refresh_gap, MIN_REFRESH_GAP
            )));
        }
        let tenants = self
            .tenants
            .map(|t| t.iter().map(|t| t.trim().to_ascii_lowercase()).collect());
        Ok(Validator::new(
            self.app_id,
            self.leeway,
            self.max_token_lifetime,
            issuers,
            tenants,
            keys,
        ))
    }
}

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
pub struct ConfigError(pub(super) String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inbound validator: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}
