//! Hanging up calls: `DELETE /communications/calls/{id}`.
//!
//! [`Client`] wraps the client progenitor generates from `schema/openapi.yaml`. The generated
//! client builds the request and reads the response; this file adds what Graph needs and the
//! generator does not do, through progenitor's hooks:
//! - the bearer token from a [`TokenProvider`], a `client-request-id` per hang-up, the
//!   `User-Agent`, and no `api-version` header (progenitor's, which Graph does not use);
//! - retries of 429, 503, 504 and failed connections, honouring `Retry-After` ([`RetryPolicy`]);
//! - call ids that cannot leave their path segment;
//! - errors that keep the status, body and ids of every failed response ([`Error`]).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, USER_AGENT};
use tracing::Instrument;

use crate::auth::{DynTokenProvider, TokenError, TokenProvider};
use crate::error::{Error, ErrorResponse, RequestIds};
use crate::generated;
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::types::ODataError;
use crate::Cloud;

/// The longest call id sent; Graph's ids are GUIDs and similar, far shorter.
pub const MAX_CALL_ID_LEN: usize = 512;
/// How much of an unexpected body an [`ErrorResponse`] keeps.
const BODY_PREFIX: usize = 512;
const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
const RETRY_ATTEMPT: HeaderName = HeaderName::from_static("retry-attempt");
const REQUEST_ID: &str = "request-id";

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
    api: generated::Client,
    token: Arc<dyn DynTokenProvider>,
}

/// What a hang-up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HangUp {
    /// Graph accepted the hang-up (`204 No Content`).
    Ended,
    /// Graph knows no such call (`404`): it has already ended.
    AlreadyEnded,
}

/// The configuration the generated client carries to the hooks below.
#[derive(Clone, Debug)]
pub(crate) struct Hooks {
    retry: RetryPolicy,
    timeout: Duration,
    user_agent: HeaderValue,
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
    http: Option<reqwest::Client>,
}

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
            http: None,
        }
    }

    /// The API root requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.api.baseurl()
    }

    /// Hangs up the call `call_id`: `DELETE {base}/communications/calls/{call_id}`.
    ///
    /// Returns `Ok(())` on Graph's `204 No Content`; a call that has already ended is
    /// [`Error::NotFound`] ([`Client::hang_up`] treats it as done). An id that is empty, `.` or
    /// `..`, longer than [`MAX_CALL_ID_LEN`], or holds a control character or `\` is refused
    /// before anything is sent; any other character is percent-encoded, so the id stays one
    /// path segment.
    ///
    /// ```
    /// # async fn demo() {
    /// use msgraph_calls::{auth::StaticToken, Client, Error};
    ///
    /// let client = Client::builder().token(StaticToken::new("token")).build().unwrap();
    /// let err = client.delete_call("..").await.unwrap_err();
    /// assert!(matches!(err, Error::InvalidCallId { .. }));
    /// # }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo());
    /// ```
    pub async fn delete_call(&self, call_id: &str) -> Result<(), Error> {
        check_call_id(call_id)?;
        let token = self.token.token_boxed().await.map_err(Error::Token)?;
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", token.secret()))
            .map_err(|_| {
                Error::Token(TokenError::new(
                    "the token holds characters an HTTP header cannot carry",
                ))
            })?;
        authorization.set_sensitive(true);

        let call = Arc::new(CallContext {
            authorization,
            client_request_id: new_client_request_id(),
            started: Instant::now(),
            record: Mutex::new(Record::default()),
        });
        let span = tracing::debug_span!(
            "msgraph_calls.delete_call",
            call_id,
            client_request_id = %call.client_request_id
        );
        // Boxed once: the generated future is large, and moving it through the wrappers
        // below would copy it at every layer.
        let request = Box::pin(self.api.communication_delete_call(call_id));
        let result = CALL.scope(call.clone(), request).instrument(span).await;
        let record = call
            .record
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default();
        match result {
            Ok(_) => Ok(()),
            Err(e) => Err(convert_error(e, &call.client_request_id, record).await),
        }
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
    /// segment, such as `http://127.0.0.1:8080/v1.0` for a local stand-in, or a proxy.
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

    /// The `User-Agent` header. Default `msgraph-calls/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> ClientBuilder {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses `http` for the requests, to share its connection pool or proxy settings. Build it
    /// from [`http_client_builder`]: this crate builds reqwest with rustls and no default
    /// crypto provider, so a bare `reqwest::Client::new()` works only where the program
    /// installed one itself.
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
        };
        Ok(Client {
            api: generated::Client::new_with_client(&base_url, http, hooks),
            token,
        })
    }
}

/// A `reqwest::ClientBuilder` with this crate's TLS: rustls, the `ring` provider, the
/// platform's certificate roots, HTTP/1.1 through ALPN.
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
    Ok(reqwest::Client::builder().tls_backend_preconfigured(tls_config()?))
}

fn tls_config() -> Result<rustls::ClientConfig, Error> {
    let config_error = |what: &str, e: &dyn fmt::Display| Error::Config {
        reason: format!("{what}: {e}"),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| config_error("the platform's TLS roots cannot be read", &e))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error("TLS setup", &e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn check_base_url(base_url: &str) -> Result<&str, Error> {
    let invalid = |reason: &str| Error::Config {
        reason: format!("base URL {base_url:?}: {reason}"),
    };
    let url = reqwest::Url::parse(base_url).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "the scheme must be https (or http for a local stand-in)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials do not belong in the URL"));
    }
    Ok(base_url.trim_end_matches('/'))
}

/// Refuses the ids that would not stay one path segment once percent-encoded by the generated
/// client: `.` and `..` are dot segments, `\` is a path separator to URL parsers, and the
/// generated client encodes neither; control characters and huge ids are never call ids.
pub(crate) fn check_call_id(call_id: &str) -> Result<(), Error> {
    let reason = if call_id.is_empty() {
        "it is empty"
    } else if call_id == "." || call_id == ".." {
        "`.` and `..` are not ids"
    } else if call_id.len() > MAX_CALL_ID_LEN {
        "it is longer than 512 bytes"
    } else if call_id.bytes().any(|b| b.is_ascii_control())
        || (!call_id.is_ascii() && call_id.chars().any(char::is_control))
    {
        "it holds a control character"
    } else if call_id.contains('\\') {
        "it holds a backslash"
    } else {
        return Ok(());
    };
    Err(Error::InvalidCallId { reason })
}

/// A random (version 4) UUID, as Graph's SDKs send in `client-request-id`.
fn new_client_request_id() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut id = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    id
}

/// What one hang-up shares with the hooks while the generated client runs it.
struct CallContext {
    authorization: HeaderValue,
    client_request_id: String,
    started: Instant,
    record: Mutex<Record>,
}

/// What the hooks saw, for the error.
#[derive(Default)]
struct Record {
    attempts: u32,
    retry_after: Option<Duration>,
    /// The last error response, its body buffered: the generated client reports a body that is
    /// not Graph's JSON without its status.
    response: Option<KeptResponse>,
}

struct KeptResponse {
    status: u16,
    request_id: Option<String>,
    date: Option<String>,
}

tokio::task_local! {
    static CALL: Arc<CallContext>;
}

impl CallContext {
    fn update(&self, f: impl FnOnce(&mut Record)) {
        if let Ok(mut record) = self.record.lock() {
            f(&mut record);
        }
    }
}

async fn convert_error(
    error: progenitor_client::Error<ODataError>,
    client_request_id: &str,
    record: Record,
) -> Error {
    use progenitor_client::Error as E;
    let ids = RequestIds {
        client_request_id: client_request_id.to_owned(),
        attempts: record.attempts.max(1),
    };
    let response = |status: u16,
                    graph: Option<ODataError>,
                    body: &[u8],
                    headers: Option<(Option<String>, Option<String>)>| {
        let kept = record.response.as_ref();
        let (request_id, date) = headers.unwrap_or_else(|| {
            (
                kept.and_then(|k| k.request_id.clone()),
                kept.and_then(|k| k.date.clone()),
            )
        });
        let request_id = request_id.or_else(|| {
            graph
                .as_ref()
                .and_then(|g| g.error.inner_error.as_ref())
                .and_then(|inner| inner.request_id.clone())
        });
        ErrorResponse {
            status,
            body: if graph.is_some() {
                String::new()
            } else {
                body_prefix(body)
            },
            graph,
            request_id,
            client_request_id: ids.client_request_id.clone(),
            date_header: date,
            retry_after: record.retry_after,
            attempts: ids.attempts,
        }
    };
    match error {
        E::ErrorResponse(value) => {
            let headers = (
                header(value.headers(), REQUEST_ID),
                header(value.headers(), "date"),
            );
            let status = value.status().as_u16();
            Error::from_response(response(
                status,
                Some(value.into_inner()),
                &[],
                Some(headers),
            ))
        }
        E::InvalidResponsePayload(bytes, _) => {
            let status = record.response.as_ref().map_or(0, |kept| kept.status);
            Error::from_response(response(status, None, &bytes, None))
        }
        E::UnexpectedResponse(unexpected) => {
            let status = unexpected.status().as_u16();
            let headers = (
                header(unexpected.headers(), REQUEST_ID),
                header(unexpected.headers(), "date"),
            );
            let body = unexpected.bytes().await.unwrap_or_default();
            Error::UnexpectedResponse(Box::new(response(status, None, &body, Some(headers))))
        }
        E::CommunicationError(source)
        | E::ResponseBodyError(source)
        | E::InvalidUpgrade(source) => {
            if source.is_timeout() {
                Error::Timeout(ids)
            } else {
                Error::Transport { ids, source }
            }
        }
        E::InvalidRequest(reason) | E::Custom(reason) => Error::Config { reason },
    }
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn body_prefix(body: &[u8]) -> String {
    let end = body.len().min(BODY_PREFIX);
    String::from_utf8_lossy(&body[..end]).into_owned()
}

fn retryable(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

impl ClientHooks<Hooks> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let headers = request.headers_mut();
        // progenitor sends the spec's info.version as `api-version`; Graph has no such header.
        headers.remove("api-version");
        headers.insert(USER_AGENT, self.inner().user_agent.clone());
        let _ = CALL.try_with(|call| {
            headers.insert(AUTHORIZATION, call.authorization.clone());
            if let Ok(id) = HeaderValue::try_from(call.client_request_id.as_str()) {
                headers.insert(CLIENT_REQUEST_ID, id);
            }
        });
        *request.timeout_mut() = Some(self.inner().timeout);
        Ok(())
    }

    /// Sends the request, and again while Graph throttles or the connection fails and the
    /// retry policy allows it.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let Ok(call) = CALL.try_with(Arc::clone) else {
            return self.client().execute(request).await;
        };
        let policy = &self.inner().retry;
        let mut attempt: u32 = 1;
        loop {
            // A DELETE has no body, so the request can always be cloned; if not, send it once.
            let Some(mut this) = request.try_clone() else {
                call.update(|r| r.attempts = attempt);
                return self.client().execute(request).await;
            };
            if attempt > 1 {
                this.headers_mut()
                    .insert(RETRY_ATTEMPT, HeaderValue::from(attempt - 1));
            }
            call.update(|r| r.attempts = attempt);
            let outcome = self.client().execute(this).await;
            let retry_after = match &outcome {
                Ok(response) => {
                    tracing::debug!(
                        attempt,
                        status = response.status().as_u16(),
                        request_id = header(response.headers(), REQUEST_ID),
                        "response"
                    );
                    if !retryable(response.status()) {
                        return keep_error_body(&call, outcome?).await;
                    }
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    call.update(|r| r.retry_after = retry_after);
                    retry_after
                }
                Err(e) if e.is_connect() => {
                    tracing::debug!(attempt, error = %e, "connection failed");
                    None
                }
                Err(_) => return outcome,
            };
            let wait = policy.wait(attempt, retry_after);
            let in_time = call.started.elapsed() + wait <= policy.deadline_after_start();
            if attempt >= policy.attempts() || !in_time {
                tracing::debug!(attempt, in_time, "no retry left");
                return match outcome {
                    Ok(response) => keep_error_body(&call, response).await,
                    Err(e) => Err(e),
                };
            }
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
            drop(outcome);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// Buffers an error response's body and keeps it with its status for the error, then hands
/// the generated client the same response again.
async fn keep_error_body(
    call: &CallContext,
    response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(response);
    }
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    call.update(|r| {
        r.response = Some(KeptResponse {
            status: status.as_u16(),
            request_id: header(&headers, REQUEST_ID),
            date: header(&headers, "date"),
        })
    });
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_that_would_leave_their_segment_are_refused() {
        for id in ["", ".", "..", "a\nb", "a\u{7f}", "..\\x", &"x".repeat(513)] {
            assert!(
                matches!(check_call_id(id), Err(Error::InvalidCallId { .. })),
                "{id:?}"
            );
        }
        for id in [
            "57dab8b1-894c-409a-b240-bd8beae78896",
            "...",
            "a/b",
            "a?b#c",
            "é",
            &"x".repeat(512),
        ] {
            assert!(check_call_id(id).is_ok(), "{id:?}");
        }
    }

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

    #[test]
    fn client_request_ids_are_version_4_uuids() {
        let id = new_client_request_id();
        assert_eq!(id.len(), 36);
        let parts: Vec<_> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(new_client_request_id(), id);
    }
}
