//! The one error type of the hang-up client.

use std::fmt;

use crate::types::ODataError;

/// Why a request to Graph failed. Branch on the variant, never on the text.
///
/// No variant holds the bearer token, so neither `Debug` nor `Display` can show it.
///
/// ```
/// # async fn demo(client: &msgraph_calls::Client) {
/// use msgraph_calls::Error;
///
/// match client.delete_call("57dab8b1-894c-409a-b240-bd8beae78896").await {
///     Ok(()) => println!("hung up"),
///     Err(Error::Graph(e)) if e.status == 404 => println!("the call had already ended"),
///     Err(e) => eprintln!("hang-up failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The call id was refused before anything was sent; `reason` says why.
    InvalidCallId {
        /// What is wrong with the id.
        reason: &'static str,
    },
    /// The bearer token holds characters an HTTP header cannot carry.
    InvalidToken,
    /// The base URL cannot be used; `reason` says why.
    InvalidBaseUrl {
        /// What is wrong with the URL.
        reason: String,
    },
    /// Graph answered with an error status and its JSON error body.
    Graph(Box<GraphError>),
    /// Graph (or something in front of it) answered with a status this crate did not expect,
    /// or an error status without Graph's JSON error body (an empty 401, an HTML 502).
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 512 bytes, lossily decoded).
        body: String,
    },
    /// The request could not be sent or the response could not be read.
    Transport(reqwest::Error),
}

/// An error response from Graph: its status, its body, and the ids Graph's support asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    /// The HTTP status.
    pub status: u16,
    /// Graph's error body; `body.error.code` is what to branch on.
    pub body: ODataError,
    /// The `request-id` response header, when Graph sent one.
    pub request_id: Option<String>,
    /// The `client-request-id` response header, when Graph sent one.
    pub client_request_id: Option<String>,
}

impl GraphError {
    /// Graph's error code (`error.code`), such as `"itemNotFound"` or `"Forbidden"`.
    pub fn code(&self) -> &str {
        &self.body.error.code
    }

    /// Graph's error message (`error.message`): for logs, not for display to end users.
    pub fn message(&self) -> &str {
        &self.body.error.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidCallId { reason } => write!(f, "invalid call id: {reason}"),
            Error::InvalidToken => f.write_str("the bearer token cannot be sent in an HTTP header"),
            Error::InvalidBaseUrl { reason } => write!(f, "invalid base URL: {reason}"),
            Error::Graph(e) => {
                write!(
                    f,
                    "Graph answered {} {}: {}",
                    e.status,
                    e.code(),
                    e.message()
                )?;
                if let Some(id) = &e.request_id {
                    write!(f, " (request-id {id})")?;
                }
                Ok(())
            }
            Error::UnexpectedResponse { status, body } if body.is_empty() => {
                write!(f, "unexpected response {status} with an empty body")
            }
            Error::UnexpectedResponse { status, body } => {
                write!(f, "unexpected response {status}: {body}")
            }
            Error::Transport(e) => write!(f, "transport error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}
