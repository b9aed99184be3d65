//! [`CallSession`]: one call as a bot sees it, and what it hands out: [`Events`], [`Pending`]
//! operations, [`IncomingCall`]s.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, oneshot};

use super::record::{Event, Termination};
use super::registry::{Inner, Local};
use super::store::StoreError;
use crate::resources::{Call, CallState, CommsOperation, OperationStatus, Participant};
use crate::types::{AnswerRequest, RedirectRequest, RejectRequest};
use crate::{Client, Error};

/// One call, followed: its latest snapshot, its state and roster, its events, and every
/// operation on it as a method whose end can be awaited (`play_prompt`, `subscribe_to_tone`,
/// `mute_participant`, ... generated from `schema/openapi.yaml`, see its `x-completion`).
///
/// Cheap to clone; every clone is the same call. Made by [`Calls`](super::Calls): from an
/// [`IncomingCall`] answered, from [`Calls::create_call`](super::Calls::create_call), or
/// [`Calls::session`](super::Calls::session) for a call the store knows.
///
/// ```no_run
/// use std::time::Duration;
/// use msgraph_calls::resources::CallState;
/// use msgraph_calls::types::{PlayPromptRequest, Prompt};
///
/// # async fn demo(session: msgraph_calls::sessions::CallSession) -> Result<(), Box<dyn std::error::Error>> {
/// session.wait_for(CallState::Established, Duration::from_secs(30)).await?;
/// let welcome = PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/welcome.wav")]);
/// let played = session.play_prompt(&welcome).await?.finished().await?;
/// println!("prompt {:?}: {:?}", played.status, played.result_info);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CallSession {
    pub(super) inner: Arc<Inner>,
    pub(super) local: Arc<Local>,
}

impl fmt::Debug for CallSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallSession")
            .field("id", &self.local.id)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl CallSession {
    /// The call's id, as Graph first spelled it to this session.
    ///
    /// ```no_run
    /// # fn demo(session: msgraph_calls::sessions::CallSession) {
    /// println!("{}", session.id());
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.local.id
    }

    /// The client the session sends its operations through.
    ///
    /// ```no_run
    /// # async fn demo(session: msgraph_calls::sessions::CallSession) -> Result<(), msgraph_calls::Error> {
    /// let participants = session.client().list_participants(session.id()).await?;
    /// # Ok(()) }
    /// ```
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The call's state as this session last applied it (never moved back); `None` before
    /// Graph said one.
    ///
    /// ```no_run
    /// # fn demo(session: msgraph_calls::sessions::CallSession) {
    /// if session.state() == Some(msgraph_calls::resources::CallState::Established) { /* ... */ }
    /// # }
    /// ```
    pub fn state(&self) -> Option<CallState> {
        self.local.state.get()
    }

    /// The latest snapshot of the call: every property Graph sent, each as last sent, the
    /// state as [`state`](Self::state) says. Read from the store.
    ///
    /// ```no_run
    /// # async fn demo(session: msgraph_calls::sessions::CallSession) -> Result<(), msgraph_calls::sessions::StoreError> {
    /// let call = session.snapshot().await?;
    /// println!("{:?} from {:?}", call.state, call.source);
    /// # Ok(()) }
    /// ```
    pub async fn snapshot(&self) -> Result<Call, StoreError> {
        Ok(self
            .inner
            .store
            .load(&self.local.key)
            .await?
            .map(|record| record.call().clone())
            .unwrap_or_default())
    }

    /// Who is in the call: the roster as the notifications built it (full rosters diffed,
    /// leavers removed), in a stable order.
    ///
    /// ```no_run
    /// # async fn demo(session: msgraph_calls::sessions::CallSession) -> Result<(), msgraph_calls::sessions::StoreError> {
    /// for participant in session.roster().await? {
    ///     println!("{:?} muted: {:?}", participant.id, participant.is_muted);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn roster(&self) -> Result<Vec<Participant>, StoreError> {
        Ok(self
            .inner
            .store
            .load(&self.local.key)
            .await?
            .map(|record| record.roster().cloned().collect())
            .unwrap_or_default())
    }

    /// How the call ended, once it has.
    ///
    /// ```no_run
    /// # async fn demo(session: msgraph_calls::sessions::CallSession) -> Result<(), msgraph_calls::sessions::StoreError> {
    /// if let Some(ended) = session.termination().await? {
    ///     println!("{ended}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn termination(&self) -> Result<Option<Termination>, StoreError> {
        Ok(self
            .inner
            .store
            .load(&self.local.key)
            .await?
            .and_then(|record| record.termination().cloned()))
    }

    /// The call's events from now on, in the order they happened; the stream ends after
    /// [`Event::Terminated`]. Bounded: a subscriber that falls behind by more than the
    /// registry's `event_capacity` is told how many it missed ([`Missed`]).
    ///
    /// ```no_run
    /// use msgraph_calls::sessions::Event;
    ///
    /// # async fn demo(session: msgraph_calls::sessions::CallSession) {
    /// let mut events = session.events();
    /// while let Some(event) = events.next().await {
    ///     match event {
    ///         Ok(Event::ParticipantJoined(p)) => println!("joined: {:?}", p.id),
    ///         Ok(Event::Terminated(why)) => println!("{why}"),
    ///         Ok(_) => {}
    ///         Err(missed) => println!("{missed}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn events(&self) -> Events {
        // Subscribed first, so that an ending published meanwhile is either received or seen.
        let receiver = self.local.subscribe();
        let done = matches!(self.state(), Some(CallState::Terminated));
        Events { receiver, done }
    }

    /// Waits until the call reaches `state` (or has passed it: waiting for `Establishing` on an
    /// established call returns at once), at most `timeout`.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use msgraph_calls::resources::CallState;
    ///
    /// # async fn demo(session: msgraph_calls::sessions::CallSession) -> Result<(), msgraph_calls::sessions::WaitError> {
    /// session.wait_for(CallState::Established, Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for(&self, state: CallState, timeout: Duration) -> Result<(), WaitError> {
        let waiting =
            self.local
                .state
                .wait_until(|now| match super::record::reached(&state, now) {
                    Some(true) => Some(Ok(())),
                    Some(false) => Some(Err(WaitError::Ended {
                        waited_for: state.clone(),
                    })),
                    None => None,
                });
        match tokio::time::timeout(timeout, waiting).await {
            Ok(result) => result,
            Err(_) => Err(WaitError::TimedOut {
                waited_for: state,
                after: timeout,
                state: self.state(),
            }),
        }
    }

    /// The waiter of an operation about to be sent, registered before it is: its
    /// `clientContext` filled in when it has none, checked when it has one.
    pub(crate) fn expect(
        &self,
        name: &'static str,
        context: &mut Option<String>,
    ) -> Result<Expected, Error> {
        let context = match context {
            Some(given) => {
                crate::bodies::client_context(given).map_err(|e| Error::InvalidBody {
                    field: "clientContext",
                    reason: e.to_string(),
                })?;
                given.clone()
            }
            None => {
                let made = crate::ids::new_client_request_id();
                *context = Some(made.clone());
                made
            }
        };
        let (sender, receiver) = oneshot::channel();
        if !self.local.wait(&context, sender) {
            return Err(Error::InvalidBody {
                field: "clientContext",
                reason: format!("an operation of this call awaited as {context:?} has not finished: give each operation its own"),
            });
        }
        Ok(Expected {
            name,
            context,
            receiver,
        })
    }

    /// Graph answered the operation `expected` awaits: a [`Pending`], resolved at once when
    /// the answer says it ended.
    /// `ends_on_404`: a `404` says the call is gone (an operation on the call itself, not on
    /// one of its participants).
    pub(crate) async fn started(
        &self,
        expected: Expected,
        result: Result<CommsOperation, Error>,
        ends_on_404: bool,
    ) -> Result<Pending, Error> {
        let Expected {
            name,
            context,
            receiver,
        } = expected;
        let response = match result {
            Ok(response) => response,
            Err(e) => {
                self.local.unwait(&context);
                self.inner.unexpect(&self.local, &context).await;
                if ends_on_404 {
                    self.note(name, &e).await;
                }
                return Err(e);
            }
        };
        self.inner
            .answered(&self.local, name, &context, &response)
            .await;
        Ok(Pending {
            session: self.clone(),
            name,
            context,
            response,
            receiver,
            timeout: self.inner.config.timeout_of(name),
        })
    }

    /// The result of an operation on the call: a `404` with Graph's error body ends the session
    /// (Graph no longer knows the call).
    pub(crate) async fn observe<T>(
        &self,
        name: &'static str,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        if let Err(e) = &result {
            self.note(name, e).await;
        }
        result
    }

    /// A `404` with Graph's error body to an operation on the call: the call is gone.
    async fn note(&self, name: &'static str, error: &Error) {
        if let Error::NotFound(_) = error {
            let cause = match name {
                "keep_alive" => super::record::EndedBy::KeepAliveNotFound,
                _ => super::record::EndedBy::NotFound {
                    operation: name.to_owned(),
                },
            };
            self.inner.end(&self.local, cause).await;
        }
    }
}

/// An operation's waiter, registered before its request is sent.
pub(crate) struct Expected {
    name: &'static str,
    context: String,
    receiver: oneshot::Receiver<Finish>,
}

/// What a waiter receives: the finished operation, or how the call ended first.
pub(crate) type Finish = Result<CommsOperation, Termination>;

/// An operation Graph accepted, to await to its end with [`finished`](Pending::finished).
///
/// ```no_run
/// use std::time::Duration;
/// use msgraph_calls::sessions::OperationError;
/// use msgraph_calls::types::ClientContextRequest;
///
/// # async fn demo(session: msgraph_calls::sessions::CallSession) -> Result<(), Box<dyn std::error::Error>> {
/// let pending = session.subscribe_to_tone(&ClientContextRequest::new()).await?;
/// println!("accepted: {:?}", pending.response().status);
/// match pending.finished_within(Duration::from_secs(5)).await {
///     Ok(done) => println!("{:?}", done.result_info),
///     Err(OperationError::Failed(op)) => println!("failed: {:?}", op.result_info),
///     Err(other) => println!("{other}"),
/// }
/// # Ok(()) }
/// ```
pub struct Pending {
    session: CallSession,
    name: &'static str,
    context: String,
    response: CommsOperation,
    receiver: oneshot::Receiver<Finish>,
    timeout: Duration,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("operation", &self.name)
            .field("call", &self.session.id())
            .field("client_context", &self.context)
            .field("status", &self.response.status)
            .finish_non_exhaustive()
    }
}

impl Pending {
    /// Graph's response to the request: the operation as it started.
    ///
    /// ```no_run
    /// # fn demo(pending: msgraph_calls::sessions::Pending) {
    /// println!("{:?}", pending.response().id);
    /// # }
    /// ```
    pub fn response(&self) -> &CommsOperation {
        &self.response
    }

    /// The `clientContext` the operation is awaited by (the caller's, or the one filled in).
    ///
    /// ```no_run
    /// # fn demo(pending: msgraph_calls::sessions::Pending) {
    /// println!("{}", pending.client_context());
    /// # }
    /// ```
    pub fn client_context(&self) -> &str {
        &self.context
    }

    /// Waits for the operation's end, at most the registry's timeout for this operation
    /// ([`CallsBuilder::operation_timeout`](super::CallsBuilder::operation_timeout)).
    ///
    /// ```no_run
    /// # async fn demo(pending: msgraph_calls::sessions::Pending) -> Result<(), msgraph_calls::sessions::OperationError> {
    /// let done = pending.finished().await?;
    /// # Ok(()) }
    /// ```
    pub async fn finished(self) -> Result<CommsOperation, OperationError> {
        let timeout = self.timeout;
        self.finished_within(timeout).await
    }

    /// Waits for the operation's end, at most `timeout`. A waiter that gives up is remembered:
    /// the completion, when it comes, is still an event of the session
    /// ([`Event::OperationFinished`] with `late: true`), never dropped.
    ///
    /// ```no_run
    /// # async fn demo(pending: msgraph_calls::sessions::Pending) -> Result<(), msgraph_calls::sessions::OperationError> {
    /// let done = pending.finished_within(std::time::Duration::from_secs(120)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn finished_within(
        self,
        timeout: Duration,
    ) -> Result<CommsOperation, OperationError> {
        let Pending {
            session,
            name,
            context,
            receiver,
            ..
        } = self;
        match tokio::time::timeout(timeout, receiver).await {
            Ok(Ok(Ok(operation))) => match operation.status {
                Some(OperationStatus::Failed) => Err(OperationError::Failed(Box::new(operation))),
                _ => Ok(operation),
            },
            Ok(Ok(Err(termination))) => Err(OperationError::CallEnded {
                operation: name,
                termination: Box::new(termination),
            }),
            Ok(Err(_)) => Err(OperationError::Dropped { operation: name }),
            Err(_) => {
                session.local.unwait(&context);
                session.inner.abandon(&session.local, &context).await;
                Err(OperationError::TimedOut {
                    operation: name,
                    client_context: context,
                    after: timeout,
                })
            }
        }
    }
}

/// Why an awaited operation did not finish well.
///
/// ```
/// use msgraph_calls::sessions::OperationError;
///
/// let e = OperationError::TimedOut {
///     operation: "play_prompt",
///     client_context: "welcome".into(),
///     after: std::time::Duration::from_secs(30),
/// };
/// assert_eq!(e.to_string(), "play_prompt (clientContext \"welcome\") did not finish within 30s");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum OperationError {
    /// Graph says the operation failed; its `resultInfo` says why.
    Failed(Box<CommsOperation>),
    /// No end within the timeout. Its completion, if it comes, is an event of the session.
    TimedOut {
        /// The operation (`play_prompt`).
        operation: &'static str,
        /// The `clientContext` it was awaited by.
        client_context: String,
        /// How long it was awaited.
        after: Duration,
    },
    /// The call ended before the operation did.
    CallEnded {
        /// The operation.
        operation: &'static str,
        /// How the call ended.
        termination: Box<Termination>,
    },
    /// The registry that followed the call was dropped.
    Dropped {
        /// The operation.
        operation: &'static str,
    },
}

impl fmt::Display for OperationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OperationError::Failed(op) => {
                write!(f, "the operation failed")?;
                if let Some(info) = &op.result_info {
                    let code = info
                        .code
                        .as_ref()
                        .map(|c| c.to_string())
                        .unwrap_or_default();
                    let sub = info
                        .subcode
                        .as_ref()
                        .map(|c| c.to_string())
                        .unwrap_or_default();
                    write!(f, ": {code}/{sub}")?;
                    if let Some(message) = &info.message {
                        write!(f, " {message}")?;
                    }
                }
                Ok(())
            }
            OperationError::TimedOut {
                operation,
                client_context,
                after,
            } => write!(
                f,
                "{operation} (clientContext {client_context:?}) did not finish within {}s",
                after.as_secs()
            ),
            OperationError::CallEnded {
                operation,
                termination,
            } => write!(f, "{operation} did not finish: {termination}"),
            OperationError::Dropped { operation } => write!(
                f,
                "{operation} did not finish: the registry following the call was dropped"
            ),
        }
    }
}

impl std::error::Error for OperationError {}

/// Why [`CallSession::wait_for`] returned without the state.
///
/// ```
/// use msgraph_calls::resources::CallState;
/// let e = msgraph_calls::sessions::WaitError::Ended { waited_for: CallState::Established };
/// assert_eq!(e.to_string(), "the call ended before it was established");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WaitError {
    /// Not within the time given.
    TimedOut {
        /// The state waited for.
        waited_for: CallState,
        /// How long.
        after: Duration,
        /// The state the call was in.
        state: Option<CallState>,
    },
    /// The call ended first.
    Ended {
        /// The state waited for.
        waited_for: CallState,
    },
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TimedOut {
                waited_for,
                after,
                state,
            } => write!(
                f,
                "the call was not {waited_for} within {}s (it was {})",
                after.as_secs(),
                state
                    .as_ref()
                    .map_or("in no known state", CallState::as_str)
            ),
            WaitError::Ended { waited_for } => {
                write!(f, "the call ended before it was {waited_for}")
            }
        }
    }
}

impl std::error::Error for WaitError {}

/// A session's events: see [`CallSession::events`].
///
/// ```no_run
/// # async fn demo(session: msgraph_calls::sessions::CallSession) {
/// let mut events = session.events();
/// if let Some(Ok(event)) = events.next().await {
///     println!("{event:?}");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct Events {
    receiver: broadcast::Receiver<Arc<Event>>,
    done: bool,
}

impl Events {
    /// The next event; `Err(Missed)` when this subscriber fell behind and events were
    /// dropped for it; `None` after [`Event::Terminated`].
    ///
    /// ```no_run
    /// # async fn demo(mut events: msgraph_calls::sessions::Events) {
    /// while let Some(event) = events.next().await { let _ = event; }
    /// # }
    /// ```
    pub async fn next(&mut self) -> Option<Result<Event, Missed>> {
        if self.done {
            return None;
        }
        match self.receiver.recv().await {
            Ok(event) => {
                let event = Arc::try_unwrap(event).unwrap_or_else(|shared| (*shared).clone());
                self.done = matches!(event, Event::Terminated(_));
                Some(Ok(event))
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => Some(Err(Missed(missed))),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// A subscriber fell behind: this many events were dropped for it (the others' streams hold
/// them); memory does not grow for a slow reader.
///
/// ```
/// assert_eq!(msgraph_calls::sessions::Missed(3).to_string(), "3 events of the call were missed: the subscriber fell behind");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missed(pub u64);

impl fmt::Display for Missed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} events of the call were missed: the subscriber fell behind",
            self.0
        )
    }
}

impl std::error::Error for Missed {}

/// A call coming in, claimed by this instance: answer, reject or redirect it within Graph's
/// 15 seconds (5 for policy recording bots; call-answer.md), or Graph drops it.
///
/// ```no_run
/// use msgraph_calls::resources::Modality;
/// use msgraph_calls::types::{AnswerRequest, MediaConfig};
///
/// # async fn demo(calls: msgraph_calls::sessions::Calls) -> Result<(), msgraph_calls::Error> {
/// let mut incoming = calls.incoming();
/// while let Some(call) = incoming.next().await {
///     let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted());
///     let session = call.answer(&answer).await?;
///     println!("answered {}", session.id());
/// }
/// # Ok(()) }
/// ```
pub struct IncomingCall {
    pub(super) session: CallSession,
    pub(super) call: Box<Call>,
}

impl fmt::Debug for IncomingCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IncomingCall")
            .field("id", &self.session.id())
            .field("call", &self.call)
            .finish()
    }
}

impl IncomingCall {
    /// The call as Graph's incoming notification described it (who calls, what for).
    ///
    /// ```no_run
    /// # fn demo(call: msgraph_calls::sessions::IncomingCall) {
    /// println!("{:?}", call.call().source);
    /// # }
    /// ```
    pub fn call(&self) -> &Call {
        &self.call
    }

    /// The call's session, to follow it whatever the bot does with it.
    ///
    /// ```no_run
    /// # fn demo(call: msgraph_calls::sessions::IncomingCall) {
    /// let mut events = call.session().events();
    /// # }
    /// ```
    pub fn session(&self) -> &CallSession {
        &self.session
    }

    /// Answers the call ([`Client::answer`](crate::Client::answer)); the session follows it.
    /// The call is `establishing`, then `established`:
    /// [`wait_for`](CallSession::wait_for) it.
    ///
    /// ```no_run
    /// # async fn demo(call: msgraph_calls::sessions::IncomingCall, body: msgraph_calls::types::AnswerRequest) -> Result<(), msgraph_calls::Error> {
    /// let session = call.answer(&body).await?;
    /// # Ok(()) }
    /// ```
    pub async fn answer(self, body: &AnswerRequest) -> Result<CallSession, Error> {
        let result = self.session.client().answer(self.session.id(), body).await;
        self.session.observe("answer", result).await?;
        Ok(self.session)
    }

    /// Rejects the call ([`Client::reject`](crate::Client::reject)); its session ends when
    /// Graph says the call terminated.
    ///
    /// ```no_run
    /// # async fn demo(call: msgraph_calls::sessions::IncomingCall) -> Result<(), msgraph_calls::Error> {
    /// use msgraph_calls::types::{RejectReason, RejectRequest};
    /// call.reject(&RejectRequest::new().with_reason(RejectReason::Busy)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn reject(self, body: &RejectRequest) -> Result<CallSession, Error> {
        let result = self.session.client().reject(self.session.id(), body).await;
        self.session.observe("reject", result).await?;
        Ok(self.session)
    }

    /// Redirects the call ([`Client::redirect`](crate::Client::redirect)).
    ///
    /// ```no_run
    /// # async fn demo(call: msgraph_calls::sessions::IncomingCall, body: msgraph_calls::types::RedirectRequest) -> Result<(), msgraph_calls::Error> {
    /// call.redirect(&body).await?;
    /// # Ok(()) }
    /// ```
    pub async fn redirect(self, body: &RedirectRequest) -> Result<CallSession, Error> {
        let result = self
            .session
            .client()
            .redirect(self.session.id(), body)
            .await;
        self.session.observe("redirect", result).await?;
        Ok(self.session)
    }
}
