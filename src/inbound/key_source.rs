//! Where Graph's signing keys come from: the OpenID configuration and its `jwks_uri`, fetched
//! within a time bound and a size cap, and the [`KeyFetchError`] that says which URL failed.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use super::keys::{parse_jwks, Keys};

/// Key documents larger than this are refused (Graph's JWKS is a few kilobytes).
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Graph's signing keys could not be fetched: which URL, and what went wrong.
///
/// ```
/// # async fn demo(validator: msgraph_calls::inbound::Validator) {
/// if let Err(e) = validator.refresh_keys().await {
///     eprintln!("{e}"); // fetching Graph's signing keys from https://...: HTTP status 503
/// }
/// # }
/// ```
///
/// Its `Display` and `Debug` hide the URL's query string and user info.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyFetchError {
    url: String,
    reason: String,
}

impl KeyFetchError {
    /// The URL being fetched when it failed: the OpenID configuration or its `jwks_uri`.
    ///
    /// ```
    /// # fn demo(e: msgraph_calls::inbound::KeyFetchError) {
    /// println!("{}", e.url());
    /// # }
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for KeyFetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = crate::wire::hide_url_secrets(&self.url);
        write!(
            f,
            "fetching Graph's signing keys from {}: {}",
            url.as_deref().unwrap_or(&self.url),
            self.reason
        )
    }
}

impl fmt::Debug for KeyFetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyFetchError")
            .field("url", &crate::wire::RedactedText(&self.url))
            .field("reason", &self.reason)
            .finish()
    }
}

impl std::error::Error for KeyFetchError {}

/// Where the keys come from.
pub(crate) struct KeySource {
    http: reqwest::Client,
    pub(super) openid_configuration: reqwest::Url,
    /// The longest a fetch (both documents) may take, whatever the HTTP client's own timeouts.
    timeout: Duration,
}

impl KeySource {
    pub(crate) fn new(
        http: reqwest::Client,
        openid_configuration: reqwest::Url,
        timeout: Duration,
    ) -> KeySource {
        KeySource {
            http,
            openid_configuration,
            timeout,
        }
    }

    /// Fetches the keys, giving up after the source's timeout: a key endpoint that never
    /// answers holds no callback longer than that.
    pub(super) async fn fetch(&self) -> Result<Keys, KeyFetchError> {
        match tokio::time::timeout(self.timeout, self.fetch_unbounded()).await {
            Ok(result) => result,
            Err(_) => Err(fetch_error(
                &self.openid_configuration,
                format!("no keys within {:?}", self.timeout),
            )),
        }
    }

    async fn fetch_unbounded(&self) -> Result<Keys, KeyFetchError> {
        #[derive(Deserialize)]
        struct OpenIdConfiguration {
            jwks_uri: String,
        }
        let url = &self.openid_configuration;
        let body = self.get(url).await?;
        let config: OpenIdConfiguration = serde_json::from_slice(&body)
            .map_err(|e| fetch_error(url, format!("not an OpenID configuration: {e}")))?;
        let jwks_url =
            crate::http::check_https_or_loopback(&config.jwks_uri).map_err(|reason| {
                fetch_error(url, format!("its jwks_uri {:?}: {reason}", config.jwks_uri))
            })?;
        let body = self.get(&jwks_url).await?;
        let (keys, skipped) = parse_jwks(&body).map_err(|reason| fetch_error(&jwks_url, reason))?;
        if keys.is_empty() {
            return Err(fetch_error(
                &jwks_url,
                "the JWKS has no RSA signing key of 2048 to 4096 bits".into(),
            ));
        }
        tracing::debug!(url = %jwks_url, keys = keys.len(), skipped, "fetched Graph's signing keys");
        Ok(keys)
    }

    async fn get(&self, url: &reqwest::Url) -> Result<Vec<u8>, KeyFetchError> {
        let mut response = self
            .http
            .get(url.clone())
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| fetch_error(url, e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(fetch_error(
                url,
                format!("HTTP status {}", response.status().as_u16()),
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| fetch_error(url, e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(fetch_error(
                    url,
                    format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes"),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn fetch_error(url: &reqwest::Url, reason: String) -> KeyFetchError {
    KeyFetchError {
        url: url.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_fetch_error_hides_the_urls_query_and_user_info() {
        let url =
            reqwest::Url::parse("https://u:pw-1@keys.example/openid?sig=sig-2&code=c-3").unwrap();
        let err = fetch_error(&url, "HTTP status 500".into());
        let shown = format!("{err} {err:?}");
        for secret in ["pw-1", "sig-2", "c-3"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("keys.example/openid?<redacted>"), "{shown}");
        assert_eq!(
            err.url(),
            url.as_str(),
            "the URL itself is the caller's to read"
        );
    }
}
