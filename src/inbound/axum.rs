//! Graph's callbacks in an axum application (feature `axum`): the [`Callback`] extractor checks
//! the token, reads the body and answers Graph itself when either fails.
//!
//! ```no_run
//! use axum::{extract::FromRef, http::StatusCode, routing::post, Router};
//! use msgraph_calls::inbound::{axum::Callback, Receiver, Validator};
//!
//! #[derive(Clone)]
//! struct Bot {
//!     receiver: Receiver,
//! }
//!
//! impl FromRef<Bot> for Receiver {
//!     fn from_ref(bot: &Bot) -> Receiver {
//!         bot.receiver.clone()
//!     }
//! }
//!
//! // Reached only with a token signed by Graph and a body that reads: otherwise the extractor
//! // has already answered 401 (503 while Graph's keys cannot be fetched), 400 or 413.
//! async fn on_callback(Callback { claims, batch, .. }: Callback) -> StatusCode {
//!     for notification in batch.notifications() {
//!         println!("{:?} from tenant {}", notification.call_id(), claims.tenant_id);
//!     }
//!     StatusCode::ACCEPTED
//! }
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let bot = Bot { receiver: Receiver::new(Validator::builder("bot app id").build()?) };
//! let app: Router = Router::new().route("/api/calls", post(on_callback)).with_state(bot);
//! # Ok(()) }
//! ```
//!
//! The body is read with axum's `Bytes` extractor, so it honours `DefaultBodyLimit` (2 MB unless
//! the application sets another), and only after the token has been accepted.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};

use super::receiver::read_body;
use super::receiver::Receiver;
use super::rejection::Rejection;
use super::validator::VerifiedClaims;
use crate::notifications::{CommsNotifications, NotificationError};

/// A callback from Graph, its token checked and its body decoded.
///
/// Needs a [`Receiver`] in the router's state (through [`FromRef`]). See the [module
/// documentation](self) for a whole router.
#[derive(Debug)]
#[non_exhaustive]
pub struct Callback {
    /// Who sent it.
    pub claims: VerifiedClaims,
    /// What it says.
    pub batch: CommsNotifications,
}

impl<S> FromRequest<S> for Callback
where
    Receiver: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = CallbackRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::from_ref(state);
        let claims = receiver
            .validator()
            .validate(request.headers())
            .await
            .map_err(CallbackRejection::Unauthorized)?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| CallbackRejection::Body(e.into_response()))?;
        let batch = read_body(&claims, &body).map_err(CallbackRejection::Unreadable)?;
        Ok(Callback { claims, batch })
    }
}

/// Why [`Callback`] answered instead of the handler.
///
/// ```
/// use axum::response::IntoResponse;
/// use msgraph_calls::inbound::{axum::CallbackRejection, Rejection};
///
/// let response = CallbackRejection::Unauthorized(Rejection::Expired).into_response();
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers()["www-authenticate"], "Bearer error=\"invalid_token\"");
///
/// // No keys to check with yet: Graph is asked to try again.
/// let response = CallbackRejection::Unauthorized(Rejection::KeysUnavailable).into_response();
/// assert_eq!(response.status(), 503);
/// assert_eq!(response.headers()["retry-after"], "10");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CallbackRejection {
    /// The token was refused: 401, with no body (503 while Graph's keys cannot be fetched).
    Unauthorized(Rejection),
    /// The body could not be read from the connection, or is over the body limit: axum's own
    /// answer (400 or 413).
    Body(Response),
    /// Signed by Graph, but not a readable batch: 400, with where and why in the body.
    Unreadable(NotificationError),
}

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        match self {
            CallbackRejection::Unauthorized(rejection) => {
                let status = rejection.status();
                let mut response = status.into_response();
                let headers = response.headers_mut();
                if status == StatusCode::UNAUTHORIZED {
                    headers.insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Bearer error=\"invalid_token\""),
                    );
                } else if let Some(wait) = rejection.retry_after() {
                    headers.insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
                }
                response
            }
            CallbackRejection::Body(response) => response,
            CallbackRejection::Unreadable(error) => {
                (StatusCode::BAD_REQUEST, error.to_string()).into_response()
            }
        }
    }
}
