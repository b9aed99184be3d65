//! Hanging up calls: `DELETE /communications/calls/{id}`.
//!
//! [`Client`] wraps the client progenitor generates from `schema/openapi.yaml`. The generated
//! client builds the request and reads the response; this file adds what Graph needs and the
//! generator does not do: the bearer token, call ids that cannot leave their path segment, and
//! errors that keep the status and body of responses that are not Graph's JSON.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderValue, AUTHORIZATION};

use crate::error::{Error, GraphError};
use crate::generated;
use crate::types::ODataError;

/// The longest call id sent; Graph's ids are GUIDs and similar, far shorter.
pub const MAX_CALL_ID_LEN: usize = 512;
/// How much of an unexpected body an [`Error::UnexpectedResponse`] keeps.
const BODY_PREFIX: usize = 512;

/// A client for Graph's hang-up endpoint.
///
/// Cheap to clone: clones share the connection pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), msgraph_calls::Error> {
/// use msgraph_calls::Client;
///
/// let token = std::env::var("GRAPH_TOKEN").unwrap_or_default();
/// let client = Client::new("https://graph.microsoft.com/v1.0", token)?;
/// client.delete_call("57dab8b1-894c-409a-b240-bd8beae78896").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    api: generated::Client,
}

/// What the generated client carries for the hooks below: the `Authorization` header value.
#[derive(Clone)]
pub(crate) struct Hooks {
    authorization: HeaderValue,
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("authorization", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// A client for `base_url`, the API root with its version segment
    /// (`https://graph.microsoft.com/v1.0`, or a local stand-in such as
    /// `http://127.0.0.1:8080/v1.0`), sending `token` as `Authorization: Bearer <token>`.
    ///
    /// TLS is rustls with the `ring` provider and the platform's certificate roots.
    ///
    /// ```
    /// let client = msgraph_calls::Client::new("http://127.0.0.1:8080/v1.0", "token").unwrap();
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8080/v1.0");
    /// assert!(!format!("{client:?}").contains("token\""));
    /// ```
    pub fn new(base_url: &str, token: impl Into<String>) -> Result<Client, Error> {
        let http = http_client_builder()?
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(Error::Transport)?;
        Client::with_http_client(base_url, token, http)
    }

    /// The same as [`Client::new`] with a `reqwest::Client` of your own, to share its
    /// connection pool or to set its proxy and timeouts. Start from [`http_client_builder`]:
    /// this crate builds reqwest with rustls and no default crypto provider, so a bare
    /// `reqwest::Client::new()` only works where the program installed one itself.
    ///
    /// ```
    /// let http = msgraph_calls::client::http_client_builder().unwrap().pool_max_idle_per_host(8).build().unwrap();
    /// let client = msgraph_calls::Client::with_http_client("https://graph.microsoft.com/v1.0/", "t", http).unwrap();
    /// assert_eq!(client.base_url(), "https://graph.microsoft.com/v1.0");
    /// ```
    pub fn with_http_client(
        base_url: &str,
        token: impl Into<String>,
        http: reqwest::Client,
    ) -> Result<Client, Error> {
        let base_url = check_base_url(base_url)?;
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", token.into()))
            .map_err(|_| Error::InvalidToken)?;
        authorization.set_sensitive(true);
        Ok(Client {
            api: generated::Client::new_with_client(base_url, http, Hooks { authorization }),
        })
    }

    /// The API root requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.api.baseurl()
    }

    /// Hangs up the call `call_id`: `DELETE {base}/communications/calls/{call_id}`.
    ///
    /// Returns `Ok(())` on Graph's `204 No Content`. An id that is empty, `.` or `..`, longer
    /// than [`MAX_CALL_ID_LEN`], or holds a control character or `\` is refused before anything
    /// is sent; any other character is percent-encoded, so the id stays one path segment.
    ///
    /// ```
    /// # async fn demo() {
    /// let client = msgraph_calls::Client::new("http://127.0.0.1:9/v1.0", "token").unwrap();
    /// let err = client.delete_call("..").await.unwrap_err();
    /// assert!(matches!(err, msgraph_calls::Error::InvalidCallId { .. }));
    /// # }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo());
    /// ```
    pub async fn delete_call(&self, call_id: &str) -> Result<(), Error> {
        check_call_id(call_id)?;
        let unreadable = Arc::new(Mutex::new(None));
        let result = UNREADABLE_BODY
            .scope(
                unreadable.clone(),
                self.api.communication_delete_call(call_id),
            )
            .await;
        let unreadable = unreadable.lock().ok().and_then(|mut slot| slot.take());
        match result {
            Ok(_) => Ok(()),
            Err(e) => Err(convert_error(e, unreadable)),
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("token", &"<redacted>")
            .finish()
    }
}

/// A `reqwest::ClientBuilder` with this crate's TLS: rustls, the `ring` provider, the
/// platform's certificate roots, HTTP/2 and HTTP/1.1 offered through ALPN.
///
/// ```
/// let http = msgraph_calls::client::http_client_builder().unwrap().build().unwrap();
/// # drop(http);
/// ```
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
    Ok(reqwest::Client::builder().tls_backend_preconfigured(tls_config()?))
}

fn tls_config() -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| {
        Error::InvalidBaseUrl {
            reason: format!("no TLS roots: {e}"),
        }
    })?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::InvalidBaseUrl {
            reason: format!("TLS setup: {e}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn check_base_url(base_url: &str) -> Result<&str, Error> {
    let invalid = |reason: &str| Error::InvalidBaseUrl {
        reason: format!("{reason}: {base_url:?}"),
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
/// generated client encodes neither.
pub(crate) fn check_call_id(call_id: &str) -> Result<(), Error> {
    let reason = if call_id.is_empty() {
        "it is empty"
    } else if call_id == "." || call_id == ".." {
        "`.` and `..` are not ids"
    } else if call_id.len() > MAX_CALL_ID_LEN {
        "it is longer than 512 bytes"
    } else if call_id.chars().any(char::is_control) {
        "it holds a control character"
    } else if call_id.contains('\\') {
        "it holds a backslash"
    } else {
        return Ok(());
    };
    Err(Error::InvalidCallId { reason })
}

/// An error response whose body is not Graph's JSON, kept by the `exec` hook for the caller:
/// the generated client reports such a body without its status.
struct UnreadableBody {
    status: u16,
    body: bytes::Bytes,
}

tokio::task_local! {
    static UNREADABLE_BODY: Arc<Mutex<Option<UnreadableBody>>>;
}

fn convert_error(
    error: progenitor_client::Error<ODataError>,
    unreadable: Option<UnreadableBody>,
) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::ErrorResponse(response) => {
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            Error::Graph(Box::new(GraphError {
                status: response.status().as_u16(),
                request_id: header("request-id"),
                client_request_id: header("client-request-id"),
                body: response.into_inner(),
            }))
        }
        E::InvalidResponsePayload(bytes, _) => {
            let (status, body) = match unreadable {
                Some(kept) => (kept.status, kept.body),
                None => (0, bytes),
            };
            Error::UnexpectedResponse {
                status,
                body: body_prefix(&body),
            }
        }
        E::UnexpectedResponse(response) => Error::UnexpectedResponse {
            status: response.status().as_u16(),
            body: String::new(),
        },
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
            Error::Transport(e)
        }
        E::InvalidRequest(reason) | E::Custom(reason) => Error::InvalidBaseUrl { reason },
    }
}

fn body_prefix(body: &[u8]) -> String {
    let end = body.len().min(BODY_PREFIX);
    String::from_utf8_lossy(&body[..end]).into_owned()
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
        headers.insert(AUTHORIZATION, self.inner().authorization.clone());
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        let status = response.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return Ok(response);
        }
        // Buffer the error body: when it is not Graph's JSON, keep it and its status for
        // `delete_call`, then hand the generated client the same response again.
        let version = response.version();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        if serde_json::from_slice::<ODataError>(&body).is_err() {
            let _ = UNREADABLE_BODY.try_with(|slot| {
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(UnreadableBody {
                        status: status.as_u16(),
                        body: body.clone(),
                    });
                }
            });
        }
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http() -> reqwest::Client {
        http_client_builder().unwrap().build().unwrap()
    }

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
                matches!(check_base_url(bad), Err(Error::InvalidBaseUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_token_that_is_not_a_header_value_is_refused_without_echo() {
        let err =
            Client::with_http_client("http://127.0.0.1:1/v1.0", "sec\nret", http()).unwrap_err();
        assert!(matches!(err, Error::InvalidToken));
        assert!(!format!("{err} {err:?}").contains("sec"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let client =
            Client::with_http_client("http://127.0.0.1:1/v1.0", "s3cr3t-t0ken", http()).unwrap();
        let shown = format!("{client:?} {:?}", client.api);
        assert!(!shown.contains("s3cr3t-t0ken"), "{shown}");
    }
}
