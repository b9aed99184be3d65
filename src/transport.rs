//! The one path every request of the generated client takes, through progenitor's hooks: the
//! bearer token, `client-request-id` and `User-Agent` on every attempt (and no `api-version`,
//! which progenitor sends and Graph does not use), retries of 429, 503, 504 and failed
//! connections within the [`RetryPolicy`] (a request sent on a connection that was then lost is
//! sent again only when it is idempotent), and the error response kept for the [`Error`].

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, USER_AGENT};
use tracing::Instrument;

use crate::auth::{TokenError, TokenSource};
use crate::error::{Error, KeptResponse, Oversized, Record};
use crate::generated::client::Client as GeneratedClient;
use crate::generated::types::ODataError;
use crate::http::{header, REQUEST_ID};
use crate::ids::new_client_request_id;
use crate::retry::{parse_retry_after, RetryPolicy};

const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
const RETRY_ATTEMPT: HeaderName = HeaderName::from_static("retry-attempt");

/// The configuration the generated client carries to the hooks below.
#[derive(Clone, Debug)]
pub(crate) struct Hooks {
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) user_agent: HeaderValue,
    /// The most of a success body that is read.
    pub(crate) max_body: usize,
}

/// The operation a generated method runs: its name (the `x-rust-name` of
/// `schema/openapi.yaml`), whether it may be sent again after a lost connection (its
/// `x-idempotent`), and the success statuses its spec documents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation {
    pub(crate) name: &'static str,
    pub(crate) idempotent: bool,
    pub(crate) success: &'static [u16],
}

/// What one operation shares with the hooks while the generated client runs it.
struct CallContext {
    authorization: HeaderValue,
    client_request_id: String,
    started: Instant,
    idempotent: bool,
    success: &'static [u16],
    record: Mutex<Record>,
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

/// Runs one operation of the generated client: asks `token` for a token (of its tenant), gives the operation a
/// fresh `client-request-id`, runs `request` in the span `span` makes from that id, with the
/// retries `operation` allows, and turns what failed into an [`Error`].
pub(crate) async fn perform<T>(
    token: TokenSource<'_>,
    operation: Operation,
    span: impl FnOnce(&str) -> tracing::Span,
    request: impl Future<Output = Result<T, progenitor_client::Error<ODataError>>>,
) -> Result<T, Error> {
    let token = token.token().await.map_err(Error::Token)?;
    let mut authorization =
        HeaderValue::try_from(format!("Bearer {}", token.secret())).map_err(|_| {
            Error::Token(TokenError::new(
                "the token holds characters an HTTP header cannot carry",
            ))
        })?;
    authorization.set_sensitive(true);

    let call = Arc::new(CallContext {
        authorization,
        client_request_id: new_client_request_id(),
        started: Instant::now(),
        idempotent: operation.idempotent,
        success: operation.success,
        record: Mutex::new(Record::default()),
    });
    let span = span(&call.client_request_id);
    tracing::trace!(parent: &span, operation = operation.name, "sending");
    let result = CALL.scope(call.clone(), request).instrument(span).await;
    let record = call
        .record
        .lock()
        .map(|mut r| std::mem::take(&mut *r))
        .unwrap_or_default();
    // A body over its cap was not read to its end: whatever the generated client made of the
    // empty body it was handed, the error says what happened.
    if record.oversized.is_some() {
        return Err(Error::body_too_large(&call.client_request_id, record));
    }
    match result {
        Ok(value) => Ok(value),
        Err(e) => Err(Error::from_generated(e, &call.client_request_id, record).await),
    }
}

fn retryable(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// Whether a status Graph answered with says it did not act on the request, so that even an
/// operation that is not idempotent may be sent again: 429 (throttled before acting), or 503
/// with `Retry-After` (Graph's "try again later"). A 504, or a 503 without `Retry-After`, may
/// come from a gateway after Graph acted.
fn graph_did_not_act(status: reqwest::StatusCode, retry_after: Option<Duration>) -> bool {
    status.as_u16() == 429 || (status.as_u16() == 503 && retry_after.is_some())
}

impl ClientHooks<Hooks> for GeneratedClient {
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

    /// Sends the request, and again while the retry policy allows it and a retry cannot
    /// repeat what Graph did: after a connection that failed before the request left, after
    /// 429 and after 503 with `Retry-After`; for an idempotent operation also after 503, 504
    /// and a connection lost once the request was sent.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let Ok(call) = CALL.try_with(Arc::clone) else {
            return self.client().execute(request).await;
        };
        let max_body = self.inner().max_body;
        let policy = &self.inner().retry;
        let idempotent = call.idempotent;
        let mut attempt: u32 = 1;
        loop {
            // A request whose body is a stream cannot be cloned; it is sent once.
            let Some(mut this) = request.try_clone() else {
                call.update(|r| r.attempts = attempt);
                let response = self.client().execute(request).await?;
                return keep_body(&call, response, max_body).await;
            };
            if attempt > 1 {
                this.headers_mut()
                    .insert(RETRY_ATTEMPT, HeaderValue::from(attempt - 1));
            }
            call.update(|r| {
                r.attempts = attempt;
                r.outcome_unknown = false;
            });
            let outcome = self.client().execute(this).await;
            let retry_after = match &outcome {
                Ok(response) => {
                    tracing::debug!(
                        attempt,
                        status = response.status().as_u16(),
                        request_id = header(response.headers(), REQUEST_ID),
                        "response"
                    );
                    let status = response.status().as_u16();
                    call.update(|r| r.last_status = Some(status));
                    if !retryable(response.status()) {
                        return keep_body(&call, outcome?, max_body).await;
                    }
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    call.update(|r| r.retry_after = retry_after);
                    if !idempotent && !graph_did_not_act(response.status(), retry_after) {
                        tracing::debug!(attempt, "not retried: Graph may have acted on it");
                        call.update(|r| r.outcome_unknown = true);
                        return keep_body(&call, outcome?, max_body).await;
                    }
                    retry_after
                }
                Err(e) if e.is_connect() => {
                    let error = crate::wire::RedactedText(&e.to_string());
                    tracing::debug!(attempt, error = ?error, "connection failed");
                    None
                }
                // Sent, and the connection lost before the response: Graph may have acted.
                // Only an operation that does the same when repeated is sent again.
                Err(e) if idempotent && e.is_request() && !e.is_timeout() => {
                    let error = crate::wire::RedactedText(&e.to_string());
                    tracing::debug!(attempt, error = ?error, "connection lost after the request was sent");
                    None
                }
                Err(_) => {
                    call.update(|r| r.outcome_unknown = true);
                    return outcome;
                }
            };
            let Some(wait) = policy.next_wait(attempt, retry_after, call.started.elapsed()) else {
                tracing::debug!(attempt, ?retry_after, "no retry left");
                return match outcome {
                    Ok(response) => keep_body(&call, response, max_body).await,
                    Err(e) => {
                        call.update(|r| r.outcome_unknown = !e.is_connect());
                        Err(e)
                    }
                };
            };
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
            drop(outcome);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// The most of a response's body that is read when its status is not one of the operation's
/// documented successes: Graph's error bodies are a few hundred bytes, and whatever answers in
/// its place must not make the client buffer without end.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

/// The start of an oversized body kept for the error.
const OVERSIZED_PREFIX: usize = 512;

/// Reads the final response's body under its cap (`max_body` for a success status the
/// operation documents, [`MAX_ERROR_BODY`] for any other), keeps what the error needs (an
/// error status's headers; or, when the body is over its cap, that fact and the body's start),
/// and hands the generated client the same response again, its body buffered (empty when it
/// was over the cap).
async fn keep_body(
    call: &CallContext,
    response: reqwest::Response,
    max_body: usize,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let cap = if call.success.contains(&status.as_u16()) {
        max_body
    } else {
        MAX_ERROR_BODY
    };
    let keep_error = |headers: &reqwest::header::HeaderMap| {
        if status.is_client_error() || status.is_server_error() {
            call.update(|r| {
                r.response = Some(KeptResponse {
                    status: status.as_u16(),
                    request_id: header(headers, REQUEST_ID),
                    date: header(headers, "date"),
                })
            });
        }
    };
    // No body (a 204, a `content-length: 0`): nothing to read or hand on again.
    if response.content_length() == Some(0) {
        keep_error(response.headers());
        return Ok(response);
    }
    let version = response.version();
    let headers = response.headers().clone();
    let (mut body, complete) = read_capped(response, cap).await?;
    if !complete {
        tracing::debug!(
            status = status.as_u16(),
            cap,
            "response body over its cap; not read further"
        );
        body.truncate(OVERSIZED_PREFIX);
        call.update(|r| {
            r.oversized = Some(Oversized {
                cap,
                status: status.as_u16(),
                prefix: std::mem::take(&mut body),
                request_id: header(&headers, REQUEST_ID),
                date: header(&headers, "date"),
            })
        });
    } else {
        keep_error(&headers);
    }
    let mut rebuilt = http::Response::new(bytes::Bytes::from(body));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    // The body handed on is the buffer, whatever the header said.
    rebuilt
        .headers_mut()
        .remove(reqwest::header::CONTENT_LENGTH);
    Ok(reqwest::Response::from(rebuilt))
}

/// The body of `response`, up to `cap` bytes, and whether that was all of it: at the first
/// byte past the cap, reading stops and the rest is left unread.
async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> reqwest::Result<(Vec<u8>, bool)> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}
