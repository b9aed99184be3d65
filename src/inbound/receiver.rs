//! The callback receiver for any HTTP framework: headers and body in, a status and what Graph
//! said out.

use super::rejection::Rejection;
use super::validator::{Validator, VerifiedClaims};
use crate::notifications::{self, CommsNotifications, NotificationError};

/// Checks and reads a callback request: the token first, then the body. Cheap to clone.
///
/// The body is read only once the token has been accepted, so an unauthenticated sender never
/// reaches the JSON reader. Limit the body's size in your HTTP framework (Graph's batches are a
/// few kilobytes; rosters of large meetings, some hundreds).
///
/// A 503 ([`Rejection::KeysUnavailable`], [`Rejection::KeysRefreshing`]) says when Graph
/// should come back: send [`Rejection::retry_after`] as `Retry-After`. It is not the
/// sender's fault: the token names a key this validator cannot fetch yet (none fetched so far,
/// or the least gap between fetches still running after another token's unknown `kid`), and a
/// 401 would refuse Graph's own callback signed with a key it just started using. A request
/// waits for a key fetch only while few others do ([`MAX_FETCH_WAITERS`](super::MAX_FETCH_WAITERS)),
/// so a flood of forged tokens holds neither connections nor bodies behind a slow key
/// endpoint.
///
/// ```no_run
/// use msgraph_calls::inbound::{Receiver, Received, Validator};
///
/// # async fn demo(headers: http::HeaderMap, body: Vec<u8>) -> Result<u16, Box<dyn std::error::Error>> {
/// let receiver = Receiver::new(Validator::builder("bot app id").build()?);
/// let received = receiver.receive(&headers, &body).await;
/// if let Received::Accepted { batch, .. } = &received {
///     for notification in batch.notifications() {
///         println!("{:?}", notification.call_id());
///     }
/// }
/// Ok(received.status().as_u16()) // 202, 400, 401 or 503
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Receiver {
    validator: Validator,
}

impl Receiver {
    /// A receiver that checks tokens with `validator`.
    ///
    /// ```
    /// # use msgraph_calls::inbound::{Receiver, Validator};
    /// let receiver = Receiver::new(Validator::builder("app").build_offline(br#"{"keys":[]}"#).unwrap());
    /// ```
    pub fn new(validator: Validator) -> Receiver {
        Receiver { validator }
    }

    /// The validator the receiver checks tokens with.
    ///
    /// ```
    /// # use msgraph_calls::inbound::{Receiver, Validator};
    /// # let receiver = Receiver::new(Validator::builder("app").build_offline(br#"{"keys":[]}"#).unwrap());
    /// let validator = receiver.validator();
    /// ```
    pub fn validator(&self) -> &Validator {
        &self.validator
    }

    /// Checks the request's `Authorization` header, then decodes its body.
    ///
    /// ```
    /// # use msgraph_calls::inbound::{Receiver, Validator};
    /// # let receiver = Receiver::new(Validator::builder("app").build_offline(br#"{"keys":[]}"#).unwrap());
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // No token: 401, and the body is not read.
    /// let received = receiver.receive(&http::HeaderMap::new(), b"{").await;
    /// assert_eq!(received.status(), http::StatusCode::UNAUTHORIZED);
    /// # });
    /// ```
    pub async fn receive(&self, headers: &http::HeaderMap, body: &[u8]) -> Received {
        let claims = match self.validator.validate(headers).await {
            Ok(claims) => claims,
            Err(rejection) => return Received::Unauthorized(rejection),
        };
        match read_body(&claims, body) {
            Ok(batch) => Received::Accepted { claims, batch },
            Err(error) => Received::Unreadable { claims, error },
        }
    }
}

/// Decodes the body of a callback whose token has been accepted: any JSON object, what could
/// not be read in it listed in its problems (paths escaped, values never logged).
pub(super) fn read_body(
    claims: &VerifiedClaims,
    body: &[u8],
) -> Result<CommsNotifications, NotificationError> {
    let batch = notifications::from_slice(body).inspect_err(|error| {
        tracing::debug!(%error, tenant = %claims.tenant_id, "callback body unreadable");
    })?;
    if tracing::enabled!(tracing::Level::DEBUG) {
        for problem in batch.all_problems() {
            tracing::debug!(%problem, tenant = %claims.tenant_id, "callback value kept unread");
        }
    }
    Ok(batch)
}

/// What a callback request turned out to be.
///
/// ```
/// # fn demo(received: msgraph_calls::inbound::Received) {
/// use msgraph_calls::inbound::Received;
///
/// match &received {
///     Received::Accepted { claims, batch } => { /* act on batch */ }
///     Received::Unauthorized(rejection) => eprintln!("refused: {rejection}"),
///     Received::Unreadable { error, .. } => eprintln!("unreadable: {error}"),
///     _ => {}
/// }
/// let status = received.status();
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Received {
    /// Signed by Graph and readable: answer 202 Accepted.
    Accepted {
        /// Who sent it.
        claims: VerifiedClaims,
        /// What it says.
        batch: CommsNotifications,
    },
    /// The token was refused: answer 401 Unauthorized (503, with the
    /// [`Rejection::retry_after`], when the token's key could not be fetched yet).
    Unauthorized(Rejection),
    /// Signed by Graph, but the body could not be read: answer 400 Bad Request.
    Unreadable {
        /// Who sent it.
        claims: VerifiedClaims,
        /// Where and why the body could not be read.
        error: NotificationError,
    },
}

impl Received {
    /// The status to answer Graph with: 202, 401 (503 for [`Rejection::KeysUnavailable`] and
    /// [`Rejection::KeysRefreshing`]) or
    /// 400.
    ///
    /// ```
    /// use msgraph_calls::inbound::{Received, Rejection};
    ///
    /// assert_eq!(Received::Unauthorized(Rejection::Expired).status().as_u16(), 401);
    /// ```
    pub fn status(&self) -> http::StatusCode {
        match self {
            Received::Accepted { .. } => http::StatusCode::ACCEPTED,
            Received::Unauthorized(rejection) => rejection.status(),
            Received::Unreadable { .. } => http::StatusCode::BAD_REQUEST,
        }
    }
}
