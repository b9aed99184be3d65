//! HTTP as this crate speaks it, shared by the client and the callback key fetcher: rustls
//! with the `ring` provider (aws-lc-rs under the `aws-lc` feature) and the platform's certificate roots, HTTP/1.1, and reading
//! response headers.

use std::sync::Arc;

use reqwest::header::HeaderMap;

/// The response header Graph names each request with.
pub(crate) const REQUEST_ID: &str = "request-id";

/// A `reqwest::ClientBuilder` with this crate's TLS: rustls, the `ring` provider (or aws-lc-rs), the platform's
/// certificate roots, HTTP/1.1 through ALPN; no redirects followed: a redirect would send
/// the request, and its token, somewhere the caller did not choose; and proxies for `https`
/// only (see [`https_proxy_from_env`]). The error says what could not be set up.
pub(crate) fn client_builder() -> Result<reqwest::ClientBuilder, String> {
    // reqwest alone takes every proxy variable, `HTTP_PROXY` included, for loopback too: a
    // request to a stand-in on 127.0.0.1 (plain http, allowed on loopback only) and its bearer
    // token, or a loopback key endpoint's keys, would cross the proxy in clear text.
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config()?)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if let Some(proxy) = https_proxy_from_env() {
        builder = builder.proxy(proxy);
    }
    Ok(builder)
}

/// The proxy the environment names for `https` (the first of `HTTPS_PROXY`, `https_proxy`,
/// `ALL_PROXY`, `all_proxy` that is set), for `https` requests only, minus the hosts of
/// `NO_PROXY` (or `no_proxy`) and loopback: through it TLS runs end to end (`CONNECT`), so the
/// proxy sees neither token nor keys. Plain `http` requests never take a proxy.
fn https_proxy_from_env() -> Option<reqwest::Proxy> {
    let (name, value) = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .into_iter()
        .find_map(|name| {
            let value = std::env::var(name).ok()?;
            let value = value.trim().to_owned();
            (!value.is_empty()).then_some((name, value))
        })?;
    // `host:port` without a scheme means an http proxy, as curl reads it.
    let with_scheme = if value.contains("://") {
        value
    } else {
        format!("http://{value}")
    };
    let Ok(proxy) = reqwest::Proxy::https(with_scheme.as_str()) else {
        tracing::warn!(variable = name, "not a proxy URL; requests go direct");
        return None;
    };
    let listed = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    let direct = format!("{listed},localhost,127.0.0.0/8,::1");
    Some(proxy.no_proxy(reqwest::NoProxy::from_string(&direct)))
}

/// Whether `url`'s host is this machine: `localhost` or a loopback address.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

fn tls_config() -> Result<rustls::ClientConfig, String> {
    // The provider is passed here, never installed for the process: another crate's choice
    // cannot change or break this one.
    #[cfg(feature = "aws-lc")]
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    #[cfg(not(feature = "aws-lc"))]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("the platform's TLS roots cannot be read: {e}"))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A header's value, when it is text.
pub(crate) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `url` when it is `https`, or `http` on a loopback address: a key or token never travels in
/// clear text beyond this machine.
pub(crate) fn check_https_or_loopback(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        _ => Err("must be https (http only on a loopback address)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_urls_must_be_https_or_loopback() {
        assert!(check_https_or_loopback(
            "https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration"
        )
        .is_ok());
        assert!(check_https_or_loopback("http://127.0.0.1:4000/keys").is_ok());
        assert!(check_https_or_loopback("http://[::1]:4000/keys").is_ok());
        assert!(check_https_or_loopback("http://localhost/keys").is_ok());
        assert!(check_https_or_loopback("http://api.aps.skype.com/keys").is_err());
        assert!(check_https_or_loopback("http://127.0.0.1.example.com/keys").is_err());
        assert!(check_https_or_loopback("file:///etc/keys").is_err());
        assert!(check_https_or_loopback("not a url").is_err());
    }
}
