//! Controlling calls: hang up (`DELETE /communications/calls/{id}`) and every other operation of
//! `schema/openapi.yaml`.
//!
//! [`Client`] wraps the client progenitor generates from `schema/openapi.yaml`; its operation
//! methods (`delete_call`, ...) are generated too, one per operation, named by the operation's
//! `x-rust-name`. The generated client builds the request and reads the response; every
//! request takes the crate's one path through progenitor's hooks (the private `transport`
//! module):
//! - the bearer token from a [`TokenProvider`], a `client-request-id` per operation, the
//!   `User-Agent`, and no `api-version` header (progenitor's, which Graph does not use);
//! - retries of 429, 503, 504 and lost connections, honouring `Retry-After` ([`RetryPolicy`]),
//!   only where a retry cannot repeat what Graph did (the operation's `x-idempotent`);
//! - path ids that cannot leave their path segment, checked before anything is sent;
//! - errors that keep the status, body and ids of every failed response ([`Error`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ClientInfo;
use reqwest::header::HeaderValue;

use crate::auth::{DynTokenProvider, TokenProvider, TokenSource};
use crate::cloud::Cloud;
use crate::error::Error;
use crate::generated::client::Client as GeneratedClient;
pub use crate::ids::MAX_CALL_ID_LEN;
use crate::retry::RetryPolicy;
use crate::transport::Hooks;

/// A client for Graph's hang-up endpoint.
///
/// Cheap to clone: clones share the connection pool and the token provider.
///
/// ```no_run
/// # async fn demo() -> Result<(), msgraph_calls::Error> {
/// use msgraph_calls::{auth::StaticToken, client::HangUp, Client, Cloud};
///
/// let client = Client::builder()
///     .cloud(Cloud::Global)
///     .token(StaticToken::new(std::env::var("GRAPH_TOKEN").unwrap_or_default()))
///     .build()?;
/// match client.hang_up("57dab8b1-894c-409a-b240-bd8beae78896").await? {
///     HangUp::Ended => println!("hung up"),
///     HangUp::AlreadyEnded => println!("the call had already ended"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    api: GeneratedClient,
    token: Arc<dyn DynTokenProvider>,
    /// The tenant of a per-tenant view ([`Client::for_tenant`]).
    tenant: Option<Arc<str>>,
}

/// What a hang-up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HangUp {
    /// Graph accepted the hang-up (`204 No Content`).
    Ended,
    /// Graph knows no such call (`404` with Graph's error body): it has already ended.
    AlreadyEnded,
}

/// Builds a [`Client`]: where Graph is, how to get tokens, how to retry.
///
/// ```
/// use std::time::Duration;
/// use msgraph_calls::{auth::StaticToken, Client, RetryPolicy};
///
/// let client = Client::builder()
///     .base_url("http://127.0.0.1:8080/v1.0") // a local stand-in; the default is Cloud::Global
///     .token(StaticToken::new("token"))
///     .retry(RetryPolicy::default().max_attempts(3))
///     .timeout(Duration::from_secs(10))
///     .user_agent("my-bot/1.0")
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080/v1.0");
/// ```
#[must_use]
pub struct ClientBuilder {
    target: Target,
    token: Option<Arc<dyn DynTokenProvider>>,
    retry: RetryPolicy,
    timeout: Duration,
    user_agent: String,
    max_body: usize,
    http: Option<reqwest::Client>,
}

/// The most of a success response's body the client reads unless
/// [`ClientBuilder::max_response_body`] says otherwise: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;

enum Target {
    Cloud(Cloud),
    BaseUrl(String),
}

impl Client {
    /// A builder with the defaults: the global cloud, [`RetryPolicy::default`], a 30 s timeout
    /// per attempt. A token provider is required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            target: Target::Cloud(Cloud::Global),
            token: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            user_agent: concat!("msgraph-calls/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_body: DEFAULT_MAX_RESPONSE_BODY,
            http: None,
        }
    }

    /// The API root requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.api.baseurl()
    }

    /// The generated progenitor client, for the generated operation methods
    /// (`OUT_DIR/operations.rs`).
    pub(crate) fn api(&self) -> &GeneratedClient {
        &self.api
    }

    /// Where the operation methods get their tokens: the provider, asked for this view's
    /// tenant.
    pub(crate) fn token_provider(&self) -> TokenSource<'_> {
        TokenSource {
            provider: &*self.token,
            tenant: self.tenant.as_deref(),
        }
    }

    /// A view of this client that acts in `tenant`: every request it sends carries a token
    /// from [`TokenProvider::token_for_tenant`] for that tenant. For a bot that several
    /// tenants installed: one client (one connection pool, one provider, one retry policy),
    /// a view per call's tenant (the `tenantId` of its notifications). Cheap: a view shares
    /// everything with the client but the tenant, and can be made per request.
    ///
    /// `tenant` is a tenant id (a GUID) or a domain name (`contoso.onmicrosoft.com`): ASCII
    /// letters, digits, `-` and `.`, at most 256 characters (token endpoints take it as a path
    /// segment); anything else is [`Error::InvalidId`] with `parameter` `"tenant"`.
    ///
    /// ```
    /// use msgraph_calls::{auth::StaticToken, Client, Error};
    ///
    /// let client = Client::builder()
    ///     .base_url("http://127.0.0.1:8080/v1.0")
    ///     .token(StaticToken::new("t"))
    ///     .build()
    ///     .unwrap();
    /// let view = client.for_tenant("72F988BF-86F1-41AF-91AB-2D7CD011DB47").unwrap();
    /// assert_eq!(view.tenant(), Some("72f988bf-86f1-41af-91ab-2d7cd011db47"));
    /// assert_eq!(client.tenant(), None);
    /// assert!(matches!(client.for_tenant("../common"), Err(Error::InvalidId { parameter: "tenant", .. })));
    /// ```
    pub fn for_tenant(&self, tenant: &str) -> Result<Client, Error> {
        check_tenant(tenant)?;
        Ok(Client {
            api: self.api.clone(),
            token: self.token.clone(),
            tenant: Some(Arc::from(tenant.to_ascii_lowercase())),
        })
    }

    /// The tenant of a per-tenant view ([`Client::for_tenant`]), lower-cased; `None` for a
    /// client that sends the token of [`TokenProvider::token`].
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// Hangs up `call_id` and reports a call that had already ended as
    /// [`HangUp::AlreadyEnded`] rather than as an error: what a bot cleaning up usually wants.
    ///
    /// ```no_run
    /// # async fn demo(client: msgraph_calls::Client) -> Result<(), msgraph_calls::Error> {
    /// let outcome = client.hang_up("57dab8b1-894c-409a-b240-bd8beae78896").await?;
    /// println!("{outcome:?}");
    /// # Ok(()) }
    /// ```
    pub async fn hang_up(&self, call_id: &str) -> Result<HangUp, Error> {
        match self.delete_call(call_id).await {
            Ok(()) => Ok(HangUp::Ended),
            Err(Error::NotFound(_)) => Ok(HangUp::AlreadyEnded),
            Err(e) => Err(e),
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("tenant", &self.tenant)
            .field("retry", &self.api.inner().retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sends requests to `cloud`'s Graph (`<root>/v1.0`). The default is [`Cloud::Global`].
    pub fn cloud(mut self, cloud: Cloud) -> ClientBuilder {
        self.target = Target::Cloud(cloud);
        self
    }

    /// Sends requests to `base_url` instead of a cloud: the full API base with its version
    /// segment (`/v1.0` or `/beta`), such as `http://127.0.0.1:8080/v1.0` for a local
    /// stand-in, or a proxy. `https`, or plain `http` on a loopback address only: the token
    /// must not travel in clear text. [`ClientBuilder::build`] refuses anything else.
    pub fn base_url(mut self, base_url: impl Into<String>) -> ClientBuilder {
        self.target = Target::BaseUrl(base_url.into());
        self
    }

    /// Where tokens come from: [`StaticToken`](crate::auth::StaticToken), an Azure SDK
    /// credential (feature `azure-identity`), or your own [`TokenProvider`].
    pub fn token(mut self, provider: impl TokenProvider) -> ClientBuilder {
        self.token = Some(Arc::new(provider));
        self
    }

    /// How to retry; [`RetryPolicy::none`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> ClientBuilder {
        self.retry = policy;
        self
    }

    /// The longest wait for one attempt's response. Default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = timeout;
        self
    }

    /// The most of a success response's body that is read, in bytes
    /// ([`DEFAULT_MAX_RESPONSE_BODY`], 16 MiB, unless set): a larger body fails the operation
    /// with [`Error::BodyTooLarge`] once that much has arrived, rather than filling memory.
    /// Graph's largest answers are participant pages of large meetings, well under a
    /// megabyte. Bodies of any other status (an error, an unexpected 200 or 302) are read up to
    /// 64 KiB whatever this says.
    ///
    /// ```
    /// let builder = msgraph_calls::Client::builder().max_response_body(64 * 1024 * 1024);
    /// ```
    pub fn max_response_body(mut self, bytes: usize) -> ClientBuilder {
        self.max_body = bytes;
        self
    }

    /// The `User-Agent` header. Default `msgraph-calls/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> ClientBuilder {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses `http` for the requests, to share its connection pool or proxy settings. Build it
    /// from [`http_client_builder`]: this crate builds reqwest with rustls and no default
    /// crypto provider, so a bare `reqwest::Client::new()` works only where the program
    /// installed one itself; and that builder follows no redirects, which a client of your own
    /// should keep (a followed redirect re-sends the request and its token elsewhere). Its
    /// proxies are yours: [`http_client_builder`] sends only `https` to a proxy, never a plain
    /// `http` request to a loopback stand-in, whose token a proxy would read.
    pub fn http_client(mut self, http: reqwest::Client) -> ClientBuilder {
        self.http = Some(http);
        self
    }

    /// The client, or what is wrong with the configuration. Nothing is sent.
    ///
    /// ```
    /// use msgraph_calls::{auth::StaticToken, Client, Cloud, Error};
    ///
    /// let err = Client::builder().cloud(Cloud::China).token(StaticToken::new("t")).build().unwrap_err();
    /// assert!(matches!(err, Error::UnsupportedCloud { cloud: Cloud::China }));
    /// assert!(matches!(Client::builder().build(), Err(Error::Config { .. })));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let base_url = match &self.target {
            Target::Cloud(cloud) if !cloud.offers_calls() => {
                return Err(Error::UnsupportedCloud { cloud: *cloud })
            }
            Target::Cloud(cloud) => cloud.api_base(),
            Target::BaseUrl(url) => check_base_url(url)?.to_owned(),
        };
        let token = self.token.ok_or_else(|| Error::Config {
            reason: "no token provider; call .token(..) with StaticToken or your own TokenProvider"
                .into(),
        })?;
        let user_agent =
            HeaderValue::try_from(self.user_agent.as_str()).map_err(|_| Error::Config {
                reason: format!(
                    "the user agent {:?} is not a valid header value",
                    self.user_agent
                ),
            })?;
        let http = match self.http {
            Some(http) => http,
            None => http_client_builder()?
                .connect_timeout(Duration::from_secs(15))
                .build()
                .map_err(|e| Error::Config {
                    reason: format!("the HTTP client cannot be built: {e}"),
                })?,
        };
        let hooks = Hooks {
            retry: self.retry,
            timeout: self.timeout,
            user_agent,
            max_body: self.max_body,
        };
        Ok(Client {
            api: GeneratedClient::new_with_client(&base_url, http, hooks),
            token,
            tenant: None,
        })
    }
}

/// A `reqwest::ClientBuilder` with this crate's TLS (rustls, the `ring` provider, the
/// platform's certificate roots, HTTP/1.1 through ALPN) that follows no redirects.
///
/// Proxies: the environment's proxy for `https` (`HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`,
/// `all_proxy`, minus `NO_PROXY`'s hosts) carries `https` requests, end to end encrypted
/// (`CONNECT`), except to loopback. `HTTP_PROXY` is not read: plain `http` goes only to a
/// loopback address (a stand-in for Graph, a local key endpoint), and a proxy would read its
/// bearer token, or swap its keys, in clear text.
///
/// ```
/// let http = msgraph_calls::client::http_client_builder().unwrap().pool_max_idle_per_host(8).build().unwrap();
/// let client = msgraph_calls::Client::builder()
///     .http_client(http)
///     .token(msgraph_calls::auth::StaticToken::new("t"))
///     .build()
///     .unwrap();
/// # drop(client);
/// ```
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
    crate::http::client_builder().map_err(|reason| Error::Config { reason })
}

/// A tenant id or domain name: what a token endpoint takes as a path segment
/// (`login.microsoftonline.com/{tenant}/oauth2/v2.0/token`), so nothing that could leave it.
fn check_tenant(tenant: &str) -> Result<(), Error> {
    let invalid = |reason| Error::InvalidId {
        parameter: "tenant",
        reason,
    };
    if tenant.is_empty() {
        return Err(invalid("it is empty"));
    }
    if tenant.len() > 256 {
        return Err(invalid("it is longer than 256 characters"));
    }
    if !tenant
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(invalid(
            "a tenant is a GUID or a domain name: ASCII letters, digits, `-` and `.` only",
        ));
    }
    if tenant.starts_with('.') || tenant.ends_with('.') || tenant.contains("..") {
        return Err(invalid("a domain name has no empty label"));
    }
    Ok(())
}

fn check_base_url(base_url: &str) -> Result<&str, Error> {
    let invalid = |reason: &str| Error::Config {
        reason: format!("base URL {base_url:?}: {reason}"),
    };
    // https, or http on this machine only: the bearer token must not travel in clear text.
    let url = crate::http::check_https_or_loopback(base_url).map_err(|e| invalid(&e))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials do not belong in the URL"));
    }
    // Graph's API versions are path segments (`/v1.0`, `/beta`: DC concepts/versioning-and-support.md); without one,
    // requests go where Graph has no calls.
    let last = url.path().trim_end_matches('/').rsplit('/').next();
    if !matches!(last, Some("v1.0" | "beta")) {
        return Err(invalid(
            "it must end with Graph's version segment, `/v1.0` (or `/beta`), such as https://graph.microsoft.com/v1.0",
        ));
    }
    Ok(base_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_plain_http_roots() {
        assert_eq!(
            check_base_url("https://graph.microsoft.com/v1.0/").unwrap(),
            "https://graph.microsoft.com/v1.0"
        );
        for bad in [
            "graph.microsoft.com",
            "ftp://x/v1.0",
            "https://x/v1.0?a=b",
            "https://u:p@x/v1.0",
        ] {
            assert!(
                matches!(check_base_url(bad), Err(Error::Config { .. })),
                "{bad}"
            );
        }
    }
}
