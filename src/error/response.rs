//! [`ErrorResponse`]: what Graph (or something in front of it) answered instead of success.

use std::fmt;
use std::time::Duration;

use super::RequestIds;
use crate::generated::types::{InnerError, ODataError};

/// A response Graph (or something in front of it) gave instead of the operation's success.
///
/// Its `Debug` hides the query string and user info of any URL in `body`.
#[derive(Clone, PartialEq)]
pub struct ErrorResponse {
    /// The HTTP status.
    pub status: u16,
    /// Graph's JSON error body, when the body was one.
    pub graph: Option<ODataError>,
    /// The start of the body (at most 512 bytes, lossily decoded) when it was not Graph's JSON.
    pub body: String,
    /// The `request-id` response header, or the one in Graph's `innerError`.
    pub request_id: Option<String>,
    /// The `client-request-id` this crate sent.
    pub client_request_id: String,
    /// The `Date` response header.
    pub date_header: Option<String>,
    /// The last `Retry-After` Graph sent, read as a wait.
    pub retry_after: Option<Duration>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether Graph may have carried the operation out: a 504, or a 503 without
    /// `Retry-After`, to an operation that is not idempotent (not retried for that reason), or
    /// a success status whose body could not be read.
    pub outcome_unknown: bool,
}

impl fmt::Debug for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorResponse")
            .field("status", &self.status)
            .field("graph", &self.graph)
            .field("body", &crate::wire::RedactedText(&self.body))
            .field("request_id", &self.request_id)
            .field("client_request_id", &self.client_request_id)
            .field("date_header", &self.date_header)
            .field("retry_after", &self.retry_after)
            .field("attempts", &self.attempts)
            .field("outcome_unknown", &self.outcome_unknown)
            .finish()
    }
}

impl ErrorResponse {
    /// Graph's error code (`error.code`, such as `"itemNotFound"`), when the body was Graph's.
    pub fn code(&self) -> Option<&str> {
        self.graph.as_ref().map(|g| g.error.code.as_str())
    }

    /// Graph's error message (`error.message`): for logs, not for display to end users.
    pub fn message(&self) -> Option<&str> {
        self.graph.as_ref().map(|g| g.error.message.as_str())
    }

    /// The date of the error as Graph wrote it in `innerError.date`, else the `Date` header.
    pub fn date(&self) -> Option<&str> {
        self.inner_errors()
            .find_map(|inner| inner.date.as_deref())
            .or(self.date_header.as_deref())
    }

    /// Graph's `innerError`, then each one nested in it.
    ///
    /// ```
    /// # let body = r#"{"error": {"code": "c", "message": "m",
    /// #     "innerError": {"request-id": "a", "innerError": {"code": "deeper"}}}}"#;
    /// # let response = msgraph_calls::ErrorResponse {
    /// #     status: 500, graph: serde_json::from_str(body).ok(), body: String::new(), request_id: None,
    /// #     client_request_id: String::new(), date_header: None, retry_after: None, attempts: 1,
    /// #     outcome_unknown: false };
    /// assert_eq!(response.inner_errors().count(), 2);
    /// ```
    pub fn inner_errors(&self) -> impl Iterator<Item = &InnerError> {
        let first = self
            .graph
            .as_ref()
            .and_then(|g| g.error.inner_error.as_ref());
        std::iter::successors(first, |inner| (*inner.inner_error).as_ref())
    }

    /// The ids of the request.
    pub fn ids(&self) -> RequestIds {
        RequestIds {
            client_request_id: self.client_request_id.clone(),
            attempts: self.attempts,
            outcome_unknown: false,
        }
    }
}
