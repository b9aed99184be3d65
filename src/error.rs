//! The one error type of the client, and how it is made from what the generated client and the
//! transport saw.

use std::fmt;
use std::time::Duration;

use crate::auth::TokenError;
use crate::cloud::Cloud;
use crate::generated::types::ODataError;

mod response;
use crate::http::{header, REQUEST_ID};
pub use response::ErrorResponse;

/// How much of an unexpected body an [`ErrorResponse`] keeps.
const BODY_PREFIX: usize = 512;

/// Why an operation failed. Branch on the variant, never on the text.
///
/// Every variant about a request carries its `client-request-id` (a fresh UUID per hang-up,
/// the same across its retries) and, when Graph answered with one, the `request-id`: the two
/// ids Graph's support asks for. No variant holds the bearer token.
///
/// ```
/// # async fn demo(client: &msgraph_calls::Client) {
/// use msgraph_calls::Error;
///
/// match client.delete_call("57dab8b1-894c-409a-b240-bd8beae78896").await {
///     Ok(()) => println!("hung up"),
///     Err(Error::NotFound(_)) => println!("the call had already ended"),
///     Err(Error::Throttled(e)) => println!("still throttled; Graph asked to wait {:?}", e.retry_after),
///     Err(e) => eprintln!("hang-up failed: {e} (client-request-id {:?})", e.client_request_id()),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An id in the path (a call id, a participant id) was refused before anything was sent;
    /// `reason` says why, without repeating the id.
    InvalidId {
        /// The path parameter, as `schema/openapi.yaml` names it (`call-id`, `participant-id`,
        /// `audioRoutingGroup-id`, ...), or `path segment` (a raw request's) or `tenant`.
        parameter: &'static str,
        /// What is wrong with the id.
        reason: &'static str,
    },
    /// A request body was refused before anything was sent: Graph would refuse it (a
    /// `clientContext` over 256 characters, typed or in `extra`; a property set both with its
    /// typed field and in `extra`, which would be written twice), or a call session could not
    /// follow it (a `clientContext` already awaited on the call).
    InvalidBody {
        /// The property, as Graph names it (`clientContext`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A list's `@odata.nextLink` pointed away from the client's own Graph (another host,
    /// scheme, port or version root, user info, an encoded separator); it was not followed and
    /// nothing was sent ([`crate::pages`]). `reason` says how it differs, without the link.
    UntrustedLink {
        /// How the link differs from the client's base URL.
        reason: String,
    },
    /// A list named a page it had already given, or ran past its page limit
    /// ([`crate::pages::Items::max_pages`]); nothing more was sent.
    EndlessList {
        /// The pages fetched before it stopped.
        pages: usize,
    },
    /// A page of a list after the first, answered with success, does not read as a page of
    /// its items ([`crate::pages`]).
    UnreadablePage {
        /// The page, counted from 1.
        page: usize,
        /// Why it does not read (with the JSON line and column).
        reason: String,
    },
    /// Graph does not offer its calling APIs in this cloud; nothing was sent.
    UnsupportedCloud {
        /// The cloud asked for.
        cloud: Cloud,
    },
    /// The client could not be built as configured; `reason` says what to change.
    Config {
        /// What is wrong.
        reason: String,
    },
    /// The token provider gave no usable token; nothing was sent.
    Token(TokenError),
    /// 404 with Graph's JSON error body: no such call (or participant). For a hang-up this usually means the
    /// call has already ended ([`Client::hang_up`](crate::client::Client::hang_up) reports it as
    /// [`HangUp::AlreadyEnded`](crate::client::HangUp::AlreadyEnded)). A 404 whose body is not
    /// Graph's (a proxy's page, a wrong base URL) is [`Error::UnexpectedResponse`].
    NotFound(Box<ErrorResponse>),
    /// 401: the token was refused (expired, wrong cloud, wrong audience).
    Unauthorized(Box<ErrorResponse>),
    /// 403: the app lacks the permission (`Calls.Initiate.All`) or the call is not its own.
    Forbidden(Box<ErrorResponse>),
    /// 429, 503 or 504, still, after the retries the policy allowed; at once when Graph's
    /// `Retry-After` asked for a longer wait than the policy allows, or when the operation is
    /// not idempotent and the status does not say Graph did not act (504, 503 without
    /// `Retry-After`: then [`Error::outcome_unknown`] is `true`). `retry_after` holds the
    /// last `Retry-After` Graph sent.
    Throttled(Box<ErrorResponse>),
    /// Any other error status with Graph's JSON error body.
    Graph(Box<ErrorResponse>),
    /// A status this crate did not expect (a 200 instead of 204, a redirect, which the crate's
    /// HTTP clients never follow), or an error status whose body is not Graph's JSON (an HTML
    /// 502 from a proxy, a 404 from a wrong base URL).
    UnexpectedResponse(Box<ErrorResponse>),
    /// A response whose body is over its cap: the client's
    /// [`max_response_body`](crate::client::ClientBuilder::max_response_body) for a success
    /// status the operation documents, 64 KiB for any other status. Reading stopped at the cap
    /// and the rest was left unread; `response.body` holds the body's first 512 bytes when the
    /// status was not a success (a success's body is Graph's resource, and is not kept).
    /// [`Error::outcome_unknown`] is `true` when the status was a success: Graph acted.
    BodyTooLarge {
        /// The cap that was reached, in bytes.
        cap: usize,
        /// The response, its body cut to its start.
        response: Box<ErrorResponse>,
    },
    /// No response within the client's timeout.
    Timeout(RequestIds),
    /// The request could not be sent or the response could not be read.
    Transport {
        /// The ids of the request.
        ids: RequestIds,
        /// What failed.
        source: reqwest::Error,
    },
}

/// The ids of a request, for logs and support cases, and what is known of its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIds {
    /// The `client-request-id` sent with every attempt of the operation.
    pub client_request_id: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// The last attempt was sent and no answer came (a lost connection, a timeout): Graph may
    /// have carried the operation out. Check (`get_call`, the callback) before sending an
    /// operation that is not idempotent again.
    pub outcome_unknown: bool,
}

impl Error {
    /// The `client-request-id` of the request, when one was sent.
    pub fn client_request_id(&self) -> Option<&str> {
        match self {
            Error::Timeout(ids) | Error::Transport { ids, .. } => Some(&ids.client_request_id),
            _ => self.response().map(|r| r.client_request_id.as_str()),
        }
    }

    /// Whether Graph may have carried the operation out although it failed: the request was
    /// sent and no answer came; or an operation that is not idempotent got a 504, or a 503
    /// without `Retry-After` (a gateway may answer so after Graph acted); or Graph answered
    /// with success and its body could not be read. Before resending an operation that is not
    /// idempotent, check (`get_call`, the callbacks) when this is `true`. An error before
    /// sending, or an error Graph answered with, is `false`.
    ///
    /// ```
    /// let refused = msgraph_calls::Error::InvalidId { parameter: "call-id", reason: "it is empty" };
    /// assert!(!refused.outcome_unknown());
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Timeout(ids) | Error::Transport { ids, .. } => ids.outcome_unknown,
            _ => self.response().is_some_and(|r| r.outcome_unknown),
        }
    }

    /// Graph's `request-id`, when Graph answered with one.
    pub fn request_id(&self) -> Option<&str> {
        self.response().and_then(|r| r.request_id.as_deref())
    }

    /// The HTTP status, when there was a response.
    pub fn status(&self) -> Option<u16> {
        self.response().map(|r| r.status)
    }

    /// The response, for the variants that have one.
    pub fn response(&self) -> Option<&ErrorResponse> {
        match self {
            Error::NotFound(r)
            | Error::Unauthorized(r)
            | Error::Forbidden(r)
            | Error::Throttled(r)
            | Error::Graph(r)
            | Error::UnexpectedResponse(r)
            | Error::BodyTooLarge { response: r, .. } => Some(r),
            _ => None,
        }
    }

    /// The error for a response whose body was over its cap, from what the transport kept.
    pub(crate) fn body_too_large(client_request_id: &str, record: Record) -> Error {
        let Some(oversized) = record.oversized else {
            return Error::Config {
                reason: "a body over its cap was reported without its response".into(),
            };
        };
        let success = (200..300).contains(&oversized.status);
        Error::BodyTooLarge {
            cap: oversized.cap,
            response: Box::new(ErrorResponse {
                status: oversized.status,
                graph: None,
                // A success's body is Graph's resource (a call, its callback URL, a meeting's
                // passcode): not kept for logs. Another status's start is kept to say what
                // answered.
                body: if success {
                    String::new()
                } else {
                    body_prefix(&oversized.prefix)
                },
                request_id: oversized.request_id,
                client_request_id: client_request_id.to_owned(),
                date_header: oversized.date,
                retry_after: record.retry_after,
                attempts: record.attempts.max(1),
                outcome_unknown: record.outcome_unknown || (200..300).contains(&oversized.status),
            }),
        }
    }

    /// The error for what the generated client returned, with what the transport saw
    /// (`record`) and the operation's `client-request-id`.
    pub(crate) async fn from_generated(
        error: progenitor_client::Error<ODataError>,
        client_request_id: &str,
        record: Record,
    ) -> Error {
        use progenitor_client::Error as E;
        // Graph answered with success, and what followed failed: it did act.
        let succeeded = record.last_status.is_some_and(|s| (200..300).contains(&s));
        let ids = RequestIds {
            client_request_id: client_request_id.to_owned(),
            attempts: record.attempts.max(1),
            outcome_unknown: record.outcome_unknown || succeeded,
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
                outcome_unknown: ids.outcome_unknown,
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
                let status = record
                    .response
                    .as_ref()
                    .map(|kept| kept.status)
                    .or(record.last_status)
                    .unwrap_or(0);
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
            E::CommunicationError(mut source)
            | E::ResponseBodyError(mut source)
            | E::InvalidUpgrade(mut source) => {
                // reqwest's message carries the URL: its query (a page's skip token, a raw
                // request's values) stays out of the error.
                if let Some(url) = source.url_mut() {
                    url.set_query(None);
                }
                if source.is_timeout() {
                    Error::Timeout(ids)
                } else {
                    Error::Transport { ids, source }
                }
            }
            E::InvalidRequest(reason) | E::Custom(reason) => Error::Config { reason },
        }
    }

    /// Sorts an error response into its variant by status and body.
    pub(crate) fn from_response(response: ErrorResponse) -> Error {
        let response = Box::new(response);
        match response.status {
            401 => Error::Unauthorized(response),
            403 => Error::Forbidden(response),
            // Only Graph's own error body says the call is gone; any other 404 says nothing of it.
            404 if response.graph.is_some() => Error::NotFound(response),
            429 | 503 | 504 => Error::Throttled(response),
            _ if response.graph.is_some() => Error::Graph(response),
            _ => Error::UnexpectedResponse(response),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidId { parameter, reason } => write!(f, "invalid {parameter}: {reason}"),
            Error::InvalidBody { field, reason } => {
                write!(f, "request body refused before sending, at {field}: {reason}")
            }
            Error::UntrustedLink { reason } => {
                write!(f, "next link not followed, nothing sent: {reason}")
            }
            Error::EndlessList { pages } => write!(
                f,
                "list not followed further after {pages} page(s): it names a page it gave already, or passes its page limit"
            ),
            Error::UnreadablePage { page, reason } => {
                write!(f, "page {page} of the list does not read: {reason}")
            }
            Error::UnsupportedCloud { cloud } => write!(
                f,
                "Graph does not offer its calling APIs in the {cloud} cloud (global, US Government L4 and L5 do)"
            ),
            Error::Config { reason } => write!(f, "client configuration: {reason}"),
            Error::Token(e) => write!(f, "{e}"),
            Error::NotFound(r) => write_response(f, "call not found (it may have ended already)", r),
            Error::Unauthorized(r) => write_response(f, "token refused", r),
            Error::Forbidden(r) => write_response(f, "forbidden", r),
            Error::Throttled(r) => write_response(f, "throttled or unavailable", r),
            Error::Graph(r) => write_response(f, "Graph error", r),
            Error::UnexpectedResponse(r) => write_response(f, "unexpected response", r),
            Error::BodyTooLarge { cap, response: r } => write!(
                f,
                "response body over the {cap}-byte cap: {}, the rest left unread (attempts {}, client-request-id {}{})",
                r.status,
                r.attempts,
                r.client_request_id,
                r.request_id
                    .as_deref()
                    .map(|id| format!(", request-id {id}"))
                    .unwrap_or_default()
            ),
            Error::Timeout(ids) => write!(
                f,
                "no response in time after {} attempt(s) (client-request-id {})",
                ids.attempts, ids.client_request_id
            ),
            Error::Transport { ids, source } => write!(
                f,
                "transport error after {} attempt(s): {source} (client-request-id {})",
                ids.attempts, ids.client_request_id
            ),
        }
    }
}

/// What the transport saw of one operation, for its error.
#[derive(Default)]
pub(crate) struct Record {
    /// How many attempts were made.
    pub(crate) attempts: u32,
    /// The last `Retry-After` Graph sent, read as a wait.
    pub(crate) retry_after: Option<Duration>,
    /// The last attempt was sent and lost (no response), or answered with a status after which
    /// Graph may have acted and which was not retried for that reason.
    pub(crate) outcome_unknown: bool,
    /// The status of the last response, success or not.
    pub(crate) last_status: Option<u16>,
    /// The last error response, its body buffered: the generated client reports a body that is
    /// not Graph's JSON without its status.
    pub(crate) response: Option<KeptResponse>,
    /// The final response, when its body was over its cap.
    pub(crate) oversized: Option<Oversized>,
}

/// A response whose body was over its cap: what the error says of it.
pub(crate) struct Oversized {
    pub(crate) cap: usize,
    pub(crate) status: u16,
    /// The body's first bytes.
    pub(crate) prefix: Vec<u8>,
    pub(crate) request_id: Option<String>,
    pub(crate) date: Option<String>,
}

/// The parts of an error response the generated client may not hand back.
pub(crate) struct KeptResponse {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) date: Option<String>,
}

fn body_prefix(body: &[u8]) -> String {
    let end = body.len().min(BODY_PREFIX);
    String::from_utf8_lossy(&body[..end]).into_owned()
}

fn write_response(f: &mut fmt::Formatter<'_>, what: &str, r: &ErrorResponse) -> fmt::Result {
    write!(f, "{what}: {}", r.status)?;
    match (r.code(), r.message()) {
        (Some(code), Some(message)) => write!(f, " {code}: {message}")?,
        _ if r.body.is_empty() => f.write_str(" with an empty body")?,
        _ => write!(f, ", body: {}", r.body)?,
    }
    if let Some(wait) = r.retry_after {
        write!(f, ", Retry-After {}s", wait.as_secs())?;
    }
    write!(
        f,
        " (attempts {}, client-request-id {}",
        r.attempts, r.client_request_id
    )?;
    if let Some(id) = &r.request_id {
        write!(f, ", request-id {id}")?;
    }
    f.write_str(")")
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Token(e) => Some(e),
            Error::Transport { source, .. } => Some(source),
            _ => None,
        }
    }
}
