//! [`ValidatorBuilder`]: a validator's settings, checked before it is built, and the
//! [`ConfigError`] that says what is wrong with them.

use std::fmt;
use std::time::Duration;

use jsonwebtoken::{Algorithm, Validation};

use super::keys::{self, KeyCache, KeySource};
use super::validator::Validator;
use super::{
    DEFAULT_LEEWAY, DEFAULT_MIN_REFRESH_GAP, DEFAULT_REFRESH_INTERVAL, GRAPH_ISSUERS,
    GRAPH_OPENID_CONFIGURATION,
};

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
    /// The defaults of the global service, for the bot `app_id`.
    pub(super) fn new(app_id: String) -> Self {
        ValidatorBuilder {
            app_id,
            issuers: GRAPH_ISSUERS.iter().map(|i| i.to_string()).collect(),
            openid_configuration_url: GRAPH_OPENID_CONFIGURATION.to_owned(),
            leeway: DEFAULT_LEEWAY,
            tenants: None,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            min_refresh_gap: DEFAULT_MIN_REFRESH_GAP,
            http: None,
        }
    }

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
        let url = crate::http::check_https_or_loopback(&self.openid_configuration_url).map_err(
            |reason| {
                ConfigError(format!(
                    "OpenID configuration URL {:?}: {reason}",
                    self.openid_configuration_url
                ))
            },
        )?;
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
        let tenants = self
            .tenants
            .map(|t| t.iter().map(|t| t.trim().to_ascii_lowercase()).collect());
        Ok(Validator::new(
            self.app_id,
            validation,
            self.issuers,
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
