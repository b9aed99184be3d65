//! A way out for what the crate does not model yet: a request of your own (Graph's beta, an
//! operation `schema/openapi.yaml` lacks) sent through the same path as every generated
//! operation: the client's token (of its tenant), `client-request-id`, retries within the
//! [`RetryPolicy`](crate::RetryPolicy) as the request's idempotence allows, typed errors,
//! capped body reading, and path segments that cannot leave their place.
//!
//! ```no_run
//! # async fn demo(client: msgraph_calls::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use msgraph_calls::raw::RawRequest;
//!
//! // An operation of Graph's beta: GET /beta/communications/calls/{id}/participants?$top=5
//! let request = RawRequest::get(["communications", "calls", "57dab8b1-894c-409a-b240-bd8beae78896", "participants"])
//!     .query("$top", "5")
//!     .version("beta");
//! let response = client.send_raw(&request).await?;
//! let page: serde_json::Value = response.json()?;
//! # Ok(()) }
//! ```
//!
//! What this module sends is the caller's to get right: the crate checks where it goes and how
//! it travels, not what it says. When a raw request you send is an operation of Graph's v1.0,
//! ask for it in `schema/openapi.yaml`: there it gets its types, its method and its tests.

use std::fmt;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};

use crate::client::Client;
use crate::error::Error;
use crate::generated::types::ODataError;
use crate::transport::{self, Operation};

/// Every 2xx status: a raw request documents none, so any success is read under the
/// client's [`max_response_body`](crate::client::ClientBuilder::max_response_body).
const ANY_SUCCESS: [u16; 100] = {
    let mut all = [0u16; 100];
    let mut i = 0;
    while i < 100 {
        all[i] = 200 + i as u16;
        i += 1;
    }
    all
};

/// A request the crate does not model: a method, a path relative to Graph's version root
/// given as its segments, query parameters, an optional JSON body, and whether sending it
/// twice does no more than sending it once (which decides its retries).
///
/// Each segment is one path segment: ASCII letters, digits, `-`, `.`, `_`, `~` (as ids), and
/// `$`, `'`, `(`, `)`, `,`, `=`, `:`, `@` (OData's `$count`, `calls('{id}')`,
/// `microsoft.graph.answer`); never empty, `.` or `..`, and never `/`, `?`, `#`, `%` or
/// anything a front end could decode into one: anything else is [`Error::InvalidId`] with
/// `parameter` `"path segment"`, before anything is sent. Query values are percent-encoded.
///
/// ```
/// use msgraph_calls::raw::RawRequest;
///
/// let add = RawRequest::post(["communications", "calls", "57dab8b1-894c-409a-b240-bd8beae78896", "addLargeGalleryView"])
///     .json(&serde_json::json!({"clientContext": "785f4929-92ca-497b-863f-c778c77c9758"}))
///     .unwrap();
/// assert!(!add.is_idempotent());
/// assert_eq!(add.path(), "communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/addLargeGalleryView");
/// ```
#[derive(Clone)]
#[must_use]
pub struct RawRequest {
    method: Method,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    body: Option<serde_json::Value>,
    idempotent: bool,
    version: Option<String>,
}

impl RawRequest {
    /// A request of `method` to the path made of `segments`; `idempotent` says whether Graph
    /// may be sent it again after a lost connection, a 504 or a 503 without `Retry-After` (it
    /// is sent again after a failed connection, a 429 and a 503 with `Retry-After` in any
    /// case: Graph did not act on those).
    pub fn new<S: Into<String>>(
        method: Method,
        segments: impl IntoIterator<Item = S>,
        idempotent: bool,
    ) -> RawRequest {
        RawRequest {
            method,
            segments: segments.into_iter().map(Into::into).collect(),
            query: Vec::new(),
            body: None,
            idempotent,
            version: None,
        }
    }

    /// A `GET`, idempotent.
    pub fn get<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> RawRequest {
        RawRequest::new(Method::GET, segments, true)
    }

    /// A `POST` (an action, a creation), not idempotent: Graph may have acted on one whose
    /// answer was lost, and it is not sent again then.
    pub fn post<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> RawRequest {
        RawRequest::new(Method::POST, segments, false)
    }

    /// A `PATCH`, idempotent (the same update applied twice leaves the same resource).
    pub fn patch<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> RawRequest {
        RawRequest::new(Method::PATCH, segments, true)
    }

    /// A `DELETE`, idempotent.
    pub fn delete<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> RawRequest {
        RawRequest::new(Method::DELETE, segments, true)
    }

    /// Says whether the request may be sent again after Graph may have acted on it.
    pub fn idempotent(mut self, idempotent: bool) -> RawRequest {
        self.idempotent = idempotent;
        self
    }

    /// Adds a query parameter (`$top`, `$filter`, ...); its value is percent-encoded.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> RawRequest {
        self.query.push((name.into(), value.into()));
        self
    }

    /// The JSON body, sent with `Content-Type: application/json`; or the reason `body` does
    /// not serialize.
    pub fn json(mut self, body: &impl serde::Serialize) -> Result<RawRequest, serde_json::Error> {
        self.body = Some(serde_json::to_value(body)?);
        Ok(self)
    }

    /// Sends the request to another version of Graph than the client's (`"beta"` or
    /// `"v1.0"`), on the same host: the client's base URL with its last segment replaced.
    pub fn version(mut self, version: impl Into<String>) -> RawRequest {
        self.version = Some(version.into());
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path below the version root, its segments joined by `/` (as given; they are checked
    /// when the request is sent).
    pub fn path(&self) -> String {
        self.segments.join("/")
    }

    /// Whether the request may be sent again after Graph may have acted on it.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The URL the request goes to from a client whose base URL is `base`, or why it cannot go.
    fn url(&self, base: &str) -> Result<Url, Error> {
        let mut url = Url::parse(base).map_err(|e| Error::Config {
            reason: format!("the client's base URL does not parse: {e}"),
        })?;
        if let Some(version) = &self.version {
            if !matches!(version.as_str(), "v1.0" | "beta") {
                return Err(Error::Config {
                    reason: "a raw request's version is one of Graph's, `v1.0` or `beta`".into(),
                });
            }
        }
        if self.segments.is_empty() {
            return Err(Error::InvalidId {
                parameter: "path segment",
                reason: "a request names at least one segment below the version root",
            });
        }
        for segment in &self.segments {
            crate::ids::check_raw_segment(segment)?;
        }
        {
            let mut path = url.path_segments_mut().map_err(|()| Error::Config {
                reason: "the client's base URL cannot have a path".into(),
            })?;
            path.pop_if_empty();
            if let Some(version) = &self.version {
                path.pop().push(version);
            }
            path.extend(&self.segments);
        }
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        Ok(url)
    }
}

impl fmt::Debug for RawRequest {
    /// The method, path, query names and idempotence; the body as JSON with secret-named
    /// values and URL queries hidden, as the request types show theirs; no query value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Body<'a>(&'a serde_json::Value);
        impl fmt::Debug for Body<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                crate::wire::debug_as_json("Body", self.0, f)
            }
        }
        let query: Vec<&str> = self.query.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &crate::wire::RedactedText(&self.path()))
            .field("query", &query)
            .field("body", &self.body.as_ref().map(Body))
            .field("idempotent", &self.idempotent)
            .field("version", &self.version)
            .finish()
    }
}

/// Graph's success answer to a [`RawRequest`]: its status, headers and body, read whole under
/// the client's [`max_response_body`](crate::client::ClientBuilder::max_response_body). An
/// error status is an [`Error`], as for every generated operation.
#[derive(Clone)]
pub struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl RawResponse {
    /// The status, a 2xx.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body as it came (empty for a 204).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body read as `T` (`serde_json::Value`, a type of this crate, one of yours), or why
    /// it does not read so.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

impl fmt::Debug for RawResponse {
    /// The status, Graph's `request-id` and the body's length: a body is Graph's resource (a
    /// call's callback URL, a meeting's passcode), not a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field(
                "request_id",
                &crate::http::header(&self.headers, crate::http::REQUEST_ID),
            )
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Client {
    /// Sends `request` through the crate's own path (this client's token and tenant, a fresh
    /// `client-request-id`, retries as the request's idempotence allows, typed errors, the
    /// body read under its cap) and returns Graph's success answer. For Graph's beta and what
    /// the crate does not model yet ([`raw`](crate::raw)).
    ///
    /// An invalid segment or version is refused before anything is sent ([`Error::InvalidId`],
    /// [`Error::Config`]); an error status is the [`Error`] a generated operation would give
    /// ([`Error::NotFound`], [`Error::Throttled`], ...).
    ///
    /// ```no_run
    /// # async fn demo(client: msgraph_calls::Client) -> Result<(), msgraph_calls::Error> {
    /// use msgraph_calls::raw::RawRequest;
    ///
    /// let call = "57dab8b1-894c-409a-b240-bd8beae78896";
    /// let sessions = client
    ///     .send_raw(&RawRequest::get(["communications", "calls", call, "contentSharingSessions"]))
    ///     .await?;
    /// assert_eq!(sessions.status(), 200);
    /// # Ok(()) }
    /// ```
    pub async fn send_raw(&self, request: &RawRequest) -> Result<RawResponse, Error> {
        let url = request.url(self.base_url())?;
        self.send_url(
            request.method.clone(),
            url,
            request.body.as_ref(),
            request.idempotent,
        )
        .await
    }

    /// Sends a request to `url` (already checked) through the crate's path.
    pub(crate) async fn send_url(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        idempotent: bool,
    ) -> Result<RawResponse, Error> {
        let api = self.api();
        let mut builder = api
            .client()
            .request(method.clone(), url)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| Error::Config {
                reason: format!("the request body does not serialize: {e}"),
            })?;
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(bytes);
        }
        let span = |client_request_id: &str| {
            tracing::debug_span!(
                "msgraph_calls.send_raw",
                method = %method,
                client_request_id = %client_request_id
            )
        };
        let sent = Box::pin(async move {
            let info = OperationInfo {
                operation_id: "send_raw",
            };
            let mut request = builder.build()?;
            api.pre(&mut request, &info).await?;
            let response = api.exec(request, &info).await?;
            let status = response.status().as_u16();
            match status {
                200..=299 => {
                    let headers = response.headers().clone();
                    let body = response
                        .bytes()
                        .await
                        .map_err(progenitor_client::Error::ResponseBodyError)?;
                    Ok(RawResponse {
                        status,
                        headers,
                        body,
                    })
                }
                400..=599 => Err(progenitor_client::Error::ErrorResponse(
                    ResponseValue::<ODataError>::from_response(response).await?,
                )),
                _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
            }
        });
        let operation = Operation {
            name: "send_raw",
            idempotent,
            success: &ANY_SUCCESS,
        };
        transport::perform(self.token_provider(), operation, span, sent).await
    }
}
