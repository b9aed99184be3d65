//! What a store keeps of one call ([`CallRecord`]), and how one notification changes it: the
//! pure part of call sessions, the same on every store and every instance.
//!
//! What Graph does to notifications, and what is done about it here:
//! - No notification carries an id, and Graph may send one twice. Applying is idempotent
//!   where it can be (a state the call is already in, a roster with nothing new, a content
//!   sharing session already known), and where it cannot, the record remembers what it saw:
//!   the last tone's `sequenceId`, the operations that finished.
//! - "Call establishing/established notifications may arrive out of order" (call-answer.md): a
//!   state never moves back (establishing after established is ignored), and nothing moves a
//!   terminated call.
//! - A full roster (`updated` on `.../participants`) older than the one applied, by
//!   `rosterSequenceNumber`, is ignored.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::ids::{normal_id, Target};
use crate::notifications::{ChangeType, CommsNotification, ResourceData};
use crate::resources::{
    Call, CallState, CommsOperation, ContentSharingSession, OperationStatus, Participant,
    ResultInfo, ToneInfo,
};

/// How many finished operations a record remembers, to drop a completion Graph sends twice.
const FINISHED_KEPT: usize = 32;

/// How many completions that matched no awaited operation a record keeps for their waiter.
const ORPHANS_KEPT: usize = 4;

/// Everything a call's session needs, as a store keeps it: the latest snapshot, the roster,
/// the operations awaited, and what dedup remembers. Serializable, so that a remote store
/// keeps it as JSON.
///
/// ```
/// use msgraph_calls::sessions::CallRecord;
///
/// let record = CallRecord::default();
/// assert!(record.state().is_none());
/// let json = serde_json::to_string(&record).unwrap();
/// let back: CallRecord = serde_json::from_str(&json).unwrap();
/// assert_eq!(back.version(), record.version());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// Every property Graph sent of the call, each as last sent; `state` as the session has it.
    call: Call,
    /// The state, moved only forward.
    state: Option<CallState>,
    roster: BTreeMap<String, Participant>,
    /// The highest `rosterSequenceNumber` of a roster applied.
    roster_sequence: Option<i64>,
    /// Operations awaited, by `clientContext`.
    pending: BTreeMap<String, PendingOperation>,
    /// The `clientContext`s and operation ids (normal form) of the last operations finished.
    finished: VecDeque<String>,
    /// Completions that matched no awaited operation (a completion that came before Graph's
    /// response to its request), by operation id in normal form, for the waiter to find.
    orphans: VecDeque<(Option<String>, CommsOperation)>,
    /// The highest `@odata.etag` version of the call applied.
    last_etag: Option<u64>,
    /// The `sequenceId` of the last tone.
    last_tone: Option<i64>,
    /// Content sharing sessions going on, by id.
    sharing: BTreeMap<String, ContentSharingSession>,
    termination: Option<Box<Termination>>,
    /// The count of changes written, which a store may use to compare and swap.
    version: u64,
    /// The events of the change being made, as JSON, for a shared store to pass to the other
    /// instances with its write: never stored.
    #[serde(skip)]
    news: Option<String>,
}

/// An operation a session awaits, as a store keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct PendingOperation {
    /// The method that started it (`play_prompt`).
    pub(crate) name: String,
    /// Its id from Graph's response, in normal form, once known.
    pub(crate) id: Option<String>,
    /// Its waiter gave up (timed out): the completion is late when it comes.
    pub(crate) abandoned: bool,
}

/// How a call ended, as its session knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Termination {
    /// Graph's `resultInfo` of the terminated call, when it sent one.
    pub result_info: Option<ResultInfo>,
    /// What told the session.
    pub cause: EndedBy,
}

impl Termination {
    /// Why the call ended, from the termination catalog, when Graph said (`resultInfo`).
    ///
    /// ```
    /// use msgraph_calls::sessions::{EndedBy, Termination};
    ///
    /// let ended = Termination::new(None, EndedBy::KeepAliveNotFound);
    /// assert!(ended.explain().is_none());
    /// assert!(ended.to_string().contains("keepAlive"));
    /// ```
    pub fn explain(&self) -> Option<crate::termination::Explanation> {
        self.result_info.as_ref()?.explain()
    }

    /// A termination, as a store or a test makes one.
    ///
    /// ```
    /// let t = msgraph_calls::sessions::Termination::new(None, msgraph_calls::sessions::EndedBy::Notification);
    /// assert!(t.result_info.is_none());
    /// ```
    pub fn new(result_info: Option<ResultInfo>, cause: EndedBy) -> Termination {
        Termination { result_info, cause }
    }
}

impl std::fmt::Display for Termination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.cause, self.explain()) {
            (EndedBy::Notification, Some(why)) => write!(f, "the call ended: {why}"),
            (EndedBy::Notification, None) => {
                f.write_str("the call ended (Graph's notification gave no resultInfo)")
            }
            (EndedBy::KeepAliveNotFound, _) => f.write_str(
                "the call ended without a notification: keepAlive answered 404 (Graph no longer knows the call)",
            ),
            (EndedBy::NotFound { operation }, _) => write!(
                f,
                "the call ended without a notification: {operation} answered 404 (Graph no longer knows the call)"
            ),
        }
    }
}

/// What told a session its call had ended.
///
/// ```
/// use msgraph_calls::sessions::{EndedBy, Termination};
///
/// let lost = Termination::new(None, EndedBy::NotFound { operation: "get_call".into() });
/// assert_eq!(
///     lost.to_string(),
///     "the call ended without a notification: get_call answered 404 (Graph no longer knows the call)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EndedBy {
    /// Graph's notification: the call `terminated`, or `deleted`.
    Notification,
    /// The scheduled keepAlive answered `404`, and no notification of the end came within two
    /// seconds: the call had ended without one (call-keepalive.md: "the bot should clean
    /// up").
    KeepAliveNotFound,
    /// An operation on the call, or the check of a silent call (`get_call`), answered `404`.
    NotFound {
        /// The operation (`get_call`, `play_prompt`, ...).
        operation: String,
    },
}

/// Something that happened to a call, as its session tells it: each once, in the order the
/// call's notifications were applied.
///
/// ```
/// use msgraph_calls::resources::CallState;
/// use msgraph_calls::sessions::Event;
///
/// fn says(event: &Event) -> String {
///     match event {
///         Event::StateChanged { to: CallState::Established, .. } => "up".into(),
///         Event::ParticipantJoined(p) => format!("{:?} joined", p.id),
///         Event::ToneReceived(tone) => format!("pressed {:?}", tone.tone),
///         Event::OperationFinished { operation, late, .. } => format!("{:?} (late: {late})", operation.status),
///         Event::Terminated(why) => why.to_string(),
///         _ => String::new(),
///     }
/// }
/// let up = Event::StateChanged { from: Some(CallState::Establishing), to: CallState::Established };
/// assert_eq!(says(&up), "up");
/// ```
///
/// Events serialize (to send them to the other instances of a fleet, or to log them), each as
/// an object with one property named after its kind:
///
/// ```
/// use msgraph_calls::resources::CallState;
/// use msgraph_calls::sessions::Event;
///
/// let up = Event::StateChanged { from: None, to: CallState::Established };
/// let json = serde_json::to_string(&up).unwrap();
/// assert_eq!(json, r#"{"stateChanged":{"from":null,"to":"established"}}"#);
/// assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), up);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum Event {
    /// The call's state moved forward (`to` is `Established` once the call is up).
    StateChanged {
        /// The state before, when the session knew one.
        from: Option<CallState>,
        /// The state now.
        to: CallState,
    },
    /// A participant entered the roster.
    ParticipantJoined(Box<Participant>),
    /// A participant left the roster.
    ParticipantLeft(Box<Participant>),
    /// A participant changed: muted, on hold, media, lobby, metadata...
    ParticipantChanged {
        /// As it was.
        before: Box<Participant>,
        /// As it is.
        after: Box<Participant>,
    },
    /// The caller pressed a key (`subscribe_to_tone`).
    ToneReceived(Box<ToneInfo>),
    /// An operation finished: its last notification, or Graph's response when that already
    /// said `completed` or `failed`.
    OperationFinished {
        /// The operation as Graph last described it (status, resultInfo, completionReason,
        /// recordingLocation...).
        operation: Box<CommsOperation>,
        /// The session method that started it, when the record knew it was awaited.
        started_by: Option<String>,
        /// The `clientContext` it was awaited by, else the one it carries.
        client_context: Option<String>,
        /// Its waiter had given up (timed out) before it finished.
        late: bool,
    },
    /// Someone started sharing content.
    ContentSharingStarted(Box<ContentSharingSession>),
    /// A content sharing session ended.
    ContentSharingEnded(Box<ContentSharingSession>),
    /// The call ended; no event follows.
    Terminated(Box<Termination>),
    /// A notification about the call that no other event tells (a kind of resource this crate
    /// does not model yet): kept whole.
    Other(Box<CommsNotification>),
}

/// What applying one notification found, beside its events.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) events: EventList,
    /// The notification brought a call in (`created`, state `incoming`) to a record that had
    /// none.
    pub(crate) incoming: bool,
    /// The record changed: a store writes it.
    pub(crate) changed: bool,
    /// The record's version once written, when it was.
    pub(crate) version: Option<u64>,
}

/// The events of one notification, in order: most notifications make one, which is kept
/// without an allocation of its own.
#[derive(Debug, Default)]
pub(crate) struct EventList {
    first: Option<Event>,
    rest: Vec<Event>,
}

impl EventList {
    pub(crate) fn push(&mut self, event: Event) {
        if self.first.is_none() {
            self.first = Some(event);
        } else {
            self.rest.push(event);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Event> {
        self.first.iter().chain(self.rest.iter())
    }
}

impl IntoIterator for EventList {
    type Item = Event;
    type IntoIter = std::iter::Chain<std::option::IntoIter<Event>, std::vec::IntoIter<Event>>;

    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter().chain(self.rest)
    }
}

/// The version in a call's `@odata.etag` (`W/"5445"` -> 5445), when it holds one.
fn etag(call: &Call) -> Option<u64> {
    let tag = call.extra.get("@odata.etag")?.as_str()?;
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    tag.trim_matches('"').parse().ok()
}

/// What dedup remembers of a finished operation: its id in normal form, else its
/// `clientContext` (marked apart, so that the two never meet).
fn finished_mark(id: Option<&str>, context: Option<&str>) -> Option<String> {
    match (id, context) {
        (Some(id), _) => Some(id.to_owned()),
        (None, Some(context)) => Some(format!("clientContext:{context}")),
        (None, None) => None,
    }
}

/// Where a call stands, for ordering: a state never moves to a lower rank.
fn rank(state: &CallState) -> u8 {
    match state {
        CallState::Incoming => 0,
        CallState::Establishing => 1,
        CallState::Terminating => 3,
        CallState::Terminated => 4,
        // established, hold, transferring, redirecting, and what Graph adds: the call is up.
        _ => 2,
    }
}

/// Whether a session waiting for `target` has reached it, given the state `now`: `Some(true)`
/// when reached (or passed), `Some(false)` when it never will (the call ended first), `None`
/// while it may still come.
pub(crate) fn reached(target: &CallState, now: Option<&CallState>) -> Option<bool> {
    let now = now?;
    if now == target {
        return Some(true);
    }
    let ending = |s: &CallState| matches!(s, CallState::Terminating | CallState::Terminated);
    if ending(now) && !ending(target) {
        return Some(false);
    }
    (rank(now) > rank(target)).then_some(true)
}

/// Participants are keyed by id in normal form, or, when Graph sends none (`"id": null` in its
/// own roster examples), by identity.
pub(crate) fn participant_key(participant: &Participant) -> String {
    if let Some(id) = participant.id.as_deref().filter(|id| !id.is_empty()) {
        return normal_id(id).into_owned();
    }
    let identity = participant
        .info
        .as_ref()
        .and_then(|info| info.identity.as_ref());
    let Some(identity) = identity else {
        return "identity:unknown".to_owned();
    };
    for (kind, who) in [
        ("user", &identity.user),
        ("application", &identity.application),
        ("phone", &identity.phone),
        ("device", &identity.device),
    ] {
        if let Some(id) = who.as_ref().and_then(|w| w.id.as_deref()) {
            return format!("identity:{kind}:{}", normal_id(id));
        }
    }
    // An identity of a kind this crate does not name (guest, acsUser, ...): its JSON.
    let kept = serde_json::to_string(&identity.extra).unwrap_or_default();
    format!("identity:other:{kept}")
}

impl CallRecord {
    /// Every property Graph sent of the call, each as last sent, `state` as the session has it
    /// (never moved back).
    ///
    /// ```
    /// assert!(msgraph_calls::sessions::CallRecord::default().call().id.is_none());
    /// ```
    pub fn call(&self) -> &Call {
        &self.call
    }

    /// The call's state, moved only forward; `None` before Graph said one.
    ///
    /// ```
    /// assert!(msgraph_calls::sessions::CallRecord::default().state().is_none());
    /// ```
    pub fn state(&self) -> Option<&CallState> {
        self.state.as_ref()
    }

    /// The roster, in the order of the participants' keys.
    ///
    /// ```
    /// assert_eq!(msgraph_calls::sessions::CallRecord::default().roster().count(), 0);
    /// ```
    pub fn roster(&self) -> impl Iterator<Item = &Participant> {
        self.roster.values()
    }

    /// How the call ended, once it has.
    ///
    /// ```
    /// assert!(msgraph_calls::sessions::CallRecord::default().termination().is_none());
    /// ```
    pub fn termination(&self) -> Option<&Termination> {
        self.termination.as_deref()
    }

    /// The count of changes written to this record: a remote store compares it to swap.
    ///
    /// ```
    /// assert_eq!(msgraph_calls::sessions::CallRecord::default().version(), 0);
    /// ```
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The `clientContext`s of the operations awaited.
    ///
    /// ```
    /// assert_eq!(msgraph_calls::sessions::CallRecord::default().pending_operations().count(), 0);
    /// ```
    pub fn pending_operations(&self) -> impl Iterator<Item = &str> {
        self.pending.keys().map(String::as_str)
    }

    /// Counts the change, for a store's compare and swap.
    pub(crate) fn bump(&mut self) {
        self.version += 1;
    }

    /// Sets the count of changes to the one the store holds, so that the next change is
    /// counted from it.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn set_version(&mut self, version: u64) {
        self.version = version;
    }

    /// Sets what the change being made did, for [`take_news`](CallRecord::take_news).
    pub(crate) fn set_news(&mut self, news: Option<String>) {
        self.news = news;
    }

    /// What the change being made did to the call, as a JSON array of [`Event`]s, when the
    /// registry's store is shared (it has a [`feed`](super::CallStore::feed)): the store takes
    /// it and sends it to the other instances with its write (never stored).
    ///
    /// ```
    /// let mut record = msgraph_calls::sessions::CallRecord::default();
    /// assert_eq!(record.take_news(), None);
    /// ```
    pub fn take_news(&mut self) -> Option<String> {
        self.news.take()
    }

    /// Applies one notification about this call (`target` is what its `resourceUrl` names
    /// under the call) and says what happened.
    pub(crate) fn apply(
        &mut self,
        notification: &CommsNotification,
        target: Target<'_>,
    ) -> Outcome {
        let mut out = Outcome::default();
        if self.termination.is_some() {
            return out;
        }
        let deleted = notification.change_type == Some(ChangeType::Deleted);
        // What the notification is about comes from its resource first: Graph's own invite
        // example sends its roster on `.../operations/participants` (participant-invite.md).
        match (&notification.resource_data, target) {
            (Some(ResourceData::Call(call)), _) => self.apply_call(call, notification, &mut out),
            (None, Target::Call) if deleted => {
                self.end(None, EndedBy::Notification, &mut out);
            }
            (Some(ResourceData::Operation(operation)), Target::Operation(id)) => {
                self.apply_operation(operation, id, &mut out)
            }
            (Some(ResourceData::Operation(operation)), _) => {
                self.apply_operation(operation, None, &mut out)
            }
            (Some(ResourceData::Participant(p)), _) => {
                if deleted {
                    self.leave([p.as_ref()], &mut out);
                } else {
                    self.upsert([p.as_ref()], &mut out);
                }
            }
            (Some(ResourceData::Many(items)), _)
                if !items.is_empty()
                    && items
                        .iter()
                        .all(|i| matches!(i, ResourceData::Participant(_))) =>
            {
                let participants = items.iter().filter_map(|i| match i {
                    ResourceData::Participant(p) => Some(p.as_ref()),
                    _ => None,
                });
                match notification.change_type {
                    Some(ChangeType::Deleted) => self.leave(participants, &mut out),
                    Some(ChangeType::Created) => self.upsert(participants, &mut out),
                    // `updated` on the roster carries the whole roster.
                    _ => self.replace_roster(participants.collect(), &mut out),
                }
            }
            // An empty `updated` roster on the roster's own URL: everyone left.
            (Some(ResourceData::Many(items)), Target::Participants)
                if items.is_empty() && notification.change_type == Some(ChangeType::Updated) =>
            {
                self.replace_roster(Vec::new(), &mut out)
            }
            (Some(ResourceData::ContentSharingSession(session)), _) => {
                self.apply_sharing(session, deleted, &mut out)
            }
            // call-answer.md: a content sharing session named by its URL alone.
            (None, Target::ContentSharing(Some(id))) => {
                let session = ContentSharingSession {
                    id: Some(id.to_owned()),
                    ..ContentSharingSession::default()
                };
                self.apply_sharing(&session, deleted, &mut out)
            }
            (Some(ResourceData::Many(items)), _)
                if !items.is_empty()
                    && items
                        .iter()
                        .all(|i| matches!(i, ResourceData::ContentSharingSession(_))) =>
            {
                for item in items {
                    if let ResourceData::ContentSharingSession(session) = item {
                        self.apply_sharing(session, deleted, &mut out);
                    }
                }
            }
            _ => out
                .events
                .push(Event::Other(Box::new(notification.clone()))),
        }
        out
    }

    fn apply_call(&mut self, call: &Call, notification: &CommsNotification, out: &mut Outcome) {
        let created = notification.change_type == Some(ChangeType::Created);
        let still_incoming = matches!(self.state, None | Some(CallState::Incoming));
        if created && still_incoming && call.state == Some(CallState::Incoming) {
            out.incoming = true;
        }
        if let Some(tone) = &call.tone_info {
            let sequence = tone.sequence_id.as_ref().and_then(|s| s.get());
            let seen = matches!((sequence, self.last_tone), (Some(s), Some(last)) if s <= last);
            if !seen {
                if sequence.is_some() {
                    self.last_tone = sequence;
                }
                out.events.push(Event::ToneReceived(tone.clone()));
            }
        }
        // An `@odata.etag` older than one applied (Graph's examples carry `W/"5445"`) is a
        // late copy: the call is not taken back to what it says.
        let deleted = notification.change_type == Some(ChangeType::Deleted);
        match (etag(call), self.last_etag) {
            (Some(version), Some(applied)) if version < applied && !deleted => return,
            (Some(version), _) => self.last_etag = Some(version),
            (None, _) => {}
        }
        self.call.merge(call);
        self.call.state = self.state.clone();
        out.changed = true;
        if let Some(state) = &call.state {
            self.move_to(state, out);
        }
        let ended = self.state == Some(CallState::Terminated) || deleted;
        if ended {
            self.end(
                call.result_info.as_deref().cloned(),
                EndedBy::Notification,
                out,
            );
        }
    }

    /// Moves the state forward to `state`, or not at all.
    fn move_to(&mut self, state: &CallState, out: &mut Outcome) {
        let forward = match &self.state {
            None => true,
            Some(now) if now == state => false,
            Some(now) => rank(state) > rank(now) || (rank(state) == 2 && rank(now) == 2),
        };
        if !forward {
            return;
        }
        out.events.push(Event::StateChanged {
            from: self.state.clone(),
            to: state.clone(),
        });
        self.state = Some(state.clone());
        self.call.state = Some(state.clone());
        out.changed = true;
    }

    /// Ends the call (once): the state terminated, what was awaited dropped.
    pub(crate) fn end(
        &mut self,
        result_info: Option<ResultInfo>,
        cause: EndedBy,
        out: &mut Outcome,
    ) {
        if self.termination.is_some() {
            return;
        }
        self.move_to(&CallState::Terminated, out);
        let termination = Termination { result_info, cause };
        self.termination = Some(Box::new(termination.clone()));
        self.pending.clear();
        out.events.push(Event::Terminated(Box::new(termination)));
        out.changed = true;
    }

    fn apply_operation(&mut self, operation: &CommsOperation, id: Option<&str>, out: &mut Outcome) {
        let ended = matches!(
            operation.status,
            Some(OperationStatus::Completed | OperationStatus::Failed)
        );
        let id = id
            .or(operation.id.as_deref())
            .map(|id| normal_id(id).into_owned());
        let context = operation.client_context.clone();
        // What dedup remembers of a finished operation: its id, else its clientContext (Graph's
        // invite completion has neither an id nor one in its URL: participant-invite.md).
        let mark = finished_mark(id.as_deref(), context.as_deref());
        if mark
            .as_ref()
            .is_some_and(|m| self.finished.iter().any(|f| f == m))
        {
            return;
        }
        // The pending operation, by clientContext, else by id.
        let key = context
            .clone()
            .filter(|c| self.pending.contains_key(c))
            .or_else(|| {
                let id = id.as_ref()?;
                self.pending
                    .iter()
                    .find(|(_, p)| p.id.as_ref() == Some(id))
                    .map(|(k, _)| k.clone())
            });
        if !ended {
            if let (Some(key), Some(id)) = (&key, &id) {
                if let Some(pending) = self.pending.get_mut(key) {
                    if pending.id.is_none() {
                        pending.id = Some(id.clone());
                        out.changed = true;
                    }
                }
            }
            return;
        }
        let pending = key.as_ref().and_then(|k| self.pending.remove(k));
        if pending.is_none() {
            if self.orphans.len() == ORPHANS_KEPT {
                self.orphans.pop_front();
            }
            self.orphans.push_back((id.clone(), operation.clone()));
        }
        if let Some(mark) = mark {
            self.remember_finished(mark);
        }
        out.changed = true;
        out.events.push(Event::OperationFinished {
            operation: Box::new(operation.clone()),
            late: pending.as_ref().is_some_and(|p| p.abandoned),
            started_by: pending.map(|p| p.name),
            client_context: key.or(context),
        });
    }

    fn remember_finished(&mut self, mark: String) {
        if self.finished.len() == FINISHED_KEPT {
            self.finished.pop_front();
        }
        self.finished.push_back(mark);
    }

    /// Graph answered the request of the operation `name` awaited as `context`: it is pending
    /// with its id, or, when the answer already says completed or failed, finished (no
    /// notification follows: resources/commsoperation.md). A completion that came before the
    /// answer is returned, for the waiter.
    pub(crate) fn answered(
        &mut self,
        context: &str,
        name: &str,
        response: &CommsOperation,
        out: &mut Outcome,
    ) -> Option<CommsOperation> {
        let id = response.id.as_deref().map(|id| normal_id(id).into_owned());
        // A completion that came first: by id, else (one without an id) by clientContext.
        let orphan = self
            .orphans
            .iter()
            .position(|(orphan_id, operation)| match orphan_id {
                Some(orphan_id) => id.as_ref() == Some(orphan_id),
                None => operation.client_context.as_deref() == Some(context),
            });
        if let Some(at) = orphan {
            out.changed = true;
            return self.orphans.remove(at).map(|(_, operation)| operation);
        }
        // A context used again names a new operation: what finished under it before is no
        // reason to drop this one's completion.
        let reused = finished_mark(None, Some(context));
        self.finished.retain(|f| Some(f) != reused.as_ref());
        let finished_already = id
            .as_ref()
            .is_some_and(|id| self.finished.iter().any(|f| f == id));
        if finished_already {
            return None;
        }
        self.pending.insert(
            context.to_owned(),
            PendingOperation {
                name: name.to_owned(),
                id: id.clone(),
                abandoned: false,
            },
        );
        out.changed = true;
        let done = matches!(
            response.status,
            Some(OperationStatus::Completed | OperationStatus::Failed)
        );
        if done {
            let mut operation = response.clone();
            if operation.client_context.is_none() {
                operation.client_context = Some(context.to_owned());
            }
            self.apply_operation(&operation, None, out);
        }
        None
    }

    /// The request of the operation awaited as `context` failed: nothing is awaited.
    pub(crate) fn unexpect(&mut self, context: &str, out: &mut Outcome) {
        out.changed |= self.pending.remove(context).is_some();
    }

    /// The waiter of `context` gave up: its completion, when it comes, is late.
    pub(crate) fn abandon(&mut self, context: &str, out: &mut Outcome) {
        if let Some(pending) = self.pending.get_mut(context) {
            pending.abandoned = true;
            out.changed = true;
        }
    }

    /// A newer snapshot read from Graph (`get_call`, `create_call`'s response): its properties
    /// taken, its state applied as a notification's would be.
    pub(crate) fn refresh(&mut self, call: &Call, out: &mut Outcome) {
        if self.termination.is_some() {
            return;
        }
        self.call.merge(call);
        self.call.state = self.state.clone();
        out.changed = true;
        if let Some(state) = &call.state {
            self.move_to(state, out);
        }
        if self.state == Some(CallState::Terminated) {
            self.end(
                call.result_info.as_deref().cloned(),
                EndedBy::Notification,
                out,
            );
        }
    }

    fn upsert<'a>(
        &mut self,
        participants: impl IntoIterator<Item = &'a Participant>,
        out: &mut Outcome,
    ) {
        for p in participants {
            self.put(participant_key(p), p, out);
        }
    }

    /// One participant as the roster now has it: joined, changed, or the same, kept as last
    /// sent. A participant whose only change is its `rosterSequenceNumber` (every roster moves
    /// it) yields no event, and is not copied: only its number is.
    fn put(&mut self, key: String, p: &Participant, out: &mut Outcome) {
        match self.roster.get_mut(&key) {
            Some(before) => {
                let kept = std::mem::replace(
                    &mut before.roster_sequence_number,
                    p.roster_sequence_number.clone(),
                );
                if *before == *p {
                    out.changed |= kept != p.roster_sequence_number;
                    return;
                }
                before.roster_sequence_number = kept;
                out.events.push(Event::ParticipantChanged {
                    before: Box::new(before.clone()),
                    after: Box::new(p.clone()),
                });
                *before = p.clone();
                out.changed = true;
            }
            None => {
                out.events
                    .push(Event::ParticipantJoined(Box::new(p.clone())));
                self.roster.insert(key, p.clone());
                out.changed = true;
            }
        }
    }

    fn leave<'a>(
        &mut self,
        participants: impl IntoIterator<Item = &'a Participant>,
        out: &mut Outcome,
    ) {
        for p in participants {
            if let Some(gone) = self.roster.remove(&participant_key(p)) {
                out.events.push(Event::ParticipantLeft(Box::new(gone)));
                out.changed = true;
            }
        }
    }

    /// A full roster: diffed against the one applied, unless it is older.
    fn replace_roster(&mut self, participants: Vec<&Participant>, out: &mut Outcome) {
        let sequence = participants
            .iter()
            .filter_map(|p| p.roster_sequence_number.as_ref()?.get())
            .max();
        if let (Some(new), Some(applied)) = (sequence, self.roster_sequence) {
            if new < applied {
                return;
            }
        }
        if sequence.is_some() && sequence != self.roster_sequence {
            self.roster_sequence = sequence;
            out.changed = true;
        }
        let mut next: Vec<(String, &Participant)> = participants
            .iter()
            .map(|p| (participant_key(p), *p))
            .collect();
        next.sort_by(|a, b| a.0.cmp(&b.0));
        let left: Vec<String> = self
            .roster
            .keys()
            .filter(|k| next.binary_search_by(|(n, _)| n.as_str().cmp(k)).is_err())
            .cloned()
            .collect();
        for key in left {
            if let Some(gone) = self.roster.remove(&key) {
                out.events.push(Event::ParticipantLeft(Box::new(gone)));
                out.changed = true;
            }
        }
        for (key, p) in next {
            self.put(key, p, out);
        }
    }

    fn apply_sharing(&mut self, session: &ContentSharingSession, deleted: bool, out: &mut Outcome) {
        let key = session
            .id
            .as_deref()
            .map(|id| normal_id(id).into_owned())
            .unwrap_or_default();
        if deleted {
            if let Some(gone) = self.sharing.remove(&key) {
                out.events.push(Event::ContentSharingEnded(Box::new(gone)));
                out.changed = true;
            }
        } else if let std::collections::btree_map::Entry::Vacant(entry) = self.sharing.entry(key) {
            entry.insert(session.clone());
            out.events
                .push(Event::ContentSharingStarted(Box::new(session.clone())));
            out.changed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;
    use crate::sessions::ids;

    const CALL: &str = "/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896";

    fn notification(change: &str, url: &str, data: Value) -> CommsNotification {
        serde_json::from_value(
            json!({"changeType": change, "resourceUrl": url, "resourceData": data}),
        )
        .unwrap()
    }

    fn state(state: &str) -> CommsNotification {
        let change = if state == "terminated" {
            "deleted"
        } else {
            "updated"
        };
        notification(
            change,
            CALL,
            json!({"@odata.type": "#microsoft.graph.call", "state": state,
            "resultInfo": if state == "terminated" { json!({"code": 200, "subcode": 5001}) } else { Value::Null }}),
        )
    }

    /// A full roster of `size` participants (the first two without ids, as in Graph's
    /// examples), numbered `sequence`.
    fn roster(sequence: i64, size: usize) -> CommsNotification {
        let people: Vec<Value> = (0..size)
            .map(|n| {
                let id = if n < 2 {
                    Value::Null
                } else {
                    json!(format!("P{n}"))
                };
                json!({"@odata.type": "#microsoft.graph.participant", "id": id,
                       "rosterSequenceNumber": sequence, "isMuted": n % 2 == 0 && sequence > 3,
                       "info": {"identity": {"user": {"id": format!("u{n}")}}}})
            })
            .collect();
        notification(
            "updated",
            &format!("{CALL}/participants"),
            Value::Array(people),
        )
    }

    fn tone(sequence: i64) -> CommsNotification {
        notification(
            "updated",
            CALL,
            json!({"@odata.type": "#microsoft.graph.call", "state": "established",
            "toneInfo": {"sequenceId": sequence, "tone": "tone1"}}),
        )
    }

    fn completion(context: &str) -> CommsNotification {
        notification(
            "deleted",
            &format!("{CALL}/operations/0FE0623FD62842EDB4BD8AC290072CC5"),
            json!({"@odata.type": "#microsoft.graph.playPromptOperation", "status": "completed", "clientContext": context}),
        )
    }

    /// A call's notifications in the order Graph meant them.
    fn in_order() -> Vec<CommsNotification> {
        let mut all = vec![
            state("incoming"),
            state("establishing"),
            state("established"),
        ];
        for sequence in 1..=5 {
            all.push(roster(sequence, 2 + sequence as usize % 4));
        }
        all.extend([tone(1), completion("menu"), tone(2), state("terminated")]);
        all
    }

    fn run(notifications: &[CommsNotification]) -> (CallRecord, Vec<Event>) {
        let mut record = CallRecord::default();
        let mut events = Vec::new();
        for n in notifications {
            let (_, target) = ids::target(n.resource_url.as_deref().unwrap()).unwrap();
            events.extend(record.apply(n, target).events);
        }
        (record, events)
    }

    proptest! {
        /// Any duplication of a call's notifications, and any order of its full rosters, ends in
        /// the same state and roster as in order, and no event twice.
        #[test]
        fn duplicates_and_reordered_rosters_change_nothing(
            copies in proptest::collection::vec((0usize..12, 0usize..14), 0..12),
            order in Just((0..5).collect::<Vec<usize>>()).prop_shuffle(),
        ) {
            let original = in_order();
            let (expected, _) = run(&original);
            // The rosters (positions 3 to 7) in another order, in the rosters' places.
            let mut perturbed = original.clone();
            for (slot, from) in order.iter().enumerate() {
                perturbed[3 + slot] = original[3 + from].clone();
            }
            // Copies of any notifications, each placed after its original, before the end.
            for (which, offset) in copies {
                let which = which % original.len();
                let position = perturbed.iter().position(|n| *n == original[which]).unwrap();
                let at = (position + 1 + offset).min(perturbed.len() - 1);
                perturbed.insert(at, original[which].clone());
            }
            let (record, events) = run(&perturbed);
            prop_assert_eq!(record.state(), expected.state());
            prop_assert_eq!(record.roster().collect::<Vec<_>>(), expected.roster().collect::<Vec<_>>());
            prop_assert_eq!(record.termination(), expected.termination());
            let shown: Vec<String> = events.iter().map(|e| format!("{e:?}")).collect();
            let unique: std::collections::HashSet<&String> = shown.iter().collect();
            prop_assert_eq!(unique.len(), shown.len(), "an event twice: {:#?}", shown);
            let ends = events.iter().filter(|e| matches!(e, Event::Terminated(_))).count();
            prop_assert_eq!(ends, 1);
        }
    }

    #[test]
    fn in_order_a_call_tells_each_thing_once() {
        let (record, events) = run(&in_order());
        assert_eq!(record.state(), Some(&CallState::Terminated));
        // Keyed by identity where Graph sent no id: the roster of sequence 5 (3 people).
        assert_eq!(record.roster().count(), 3);
        let tones = events
            .iter()
            .filter(|e| matches!(e, Event::ToneReceived(_)))
            .count();
        let finished = events
            .iter()
            .filter(|e| matches!(e, Event::OperationFinished { .. }))
            .count();
        assert_eq!((tones, finished), (2, 1));
        assert!(matches!(events.last(), Some(Event::Terminated(t)) if t.explain().is_some()));
    }

    /// Every notification of Graph's doc pages is understood: none is left as `Other`.
    #[test]
    fn every_doc_example_is_understood() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/notifications");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        assert!(files.len() >= 15);
        for file in files {
            let batch = crate::notifications::from_slice(&std::fs::read(&file).unwrap()).unwrap();
            let mut record = CallRecord::default();
            for n in batch.notifications() {
                let (_, target) = ids::target(n.resource_url.as_deref().unwrap()).unwrap();
                let out = record.apply(n, target);
                assert!(!out.events.is_empty(), "{}: no event", file.display());
                for event in out.events {
                    assert!(
                        !matches!(event, Event::Other(_)),
                        "{}: {event:?}",
                        file.display()
                    );
                }
            }
        }
    }

    #[test]
    fn a_late_copy_of_an_older_state_does_not_take_the_call_back() {
        let versioned = |state: &str, version: u32| {
            notification(
                "updated",
                CALL,
                json!({"@odata.type": "#microsoft.graph.call",
                "state": state, "@odata.etag": format!("W/\"{version}\"")}),
            )
        };
        let (record, events) = run(&[
            versioned("established", 10),
            versioned("hold", 11),
            versioned("established", 10),
        ]);
        assert_eq!(record.state(), Some(&CallState::Hold));
        assert_eq!(events.len(), 2);
        // Without a version, a call moves between its up states as told.
        let (record, _) = run(&[state("established"), state("hold"), state("established")]);
        assert_eq!(record.state(), Some(&CallState::Established));
    }

    #[test]
    fn a_client_context_used_again_is_a_new_operation() {
        let mut record = CallRecord::default();
        let mut out = Outcome::default();
        let running = |id: &str| -> CommsOperation {
            serde_json::from_value(json!({"id": id, "status": "running", "clientContext": "menu"}))
                .unwrap()
        };
        let done = |id: &str| {
            notification(
                "deleted",
                &format!("{CALL}/operations/{id}"),
                json!({"@odata.type": "#microsoft.graph.playPromptOperation", "status": "completed", "clientContext": "menu"}),
            )
        };
        for id in [
            "0FE0623FD62842EDB4BD8AC290072CC5",
            "1FE0623FD62842EDB4BD8AC290072CC5",
        ] {
            assert!(record
                .answered("menu", "play_prompt", &running(id), &mut out)
                .is_none());
            let n = done(id);
            let (_, target) = ids::target(n.resource_url.as_deref().unwrap()).unwrap();
            let events: Vec<Event> = record.apply(&n, target).events.into_iter().collect();
            assert!(
                matches!(
                    &events[..],
                    [Event::OperationFinished {
                        started_by: Some(_),
                        ..
                    }]
                ),
                "{events:?}"
            );
            // The same completion again is a duplicate.
            assert!(record.apply(&n, target).events.is_empty());
        }
    }

    #[test]
    fn establishing_after_established_does_not_move_the_state_back() {
        let (record, events) = run(&[state("established"), state("establishing")]);
        assert_eq!(record.state(), Some(&CallState::Established));
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn an_older_roster_does_not_undo_a_newer_one() {
        let (record, _) = run(&[roster(4, 5), roster(3, 2)]);
        assert_eq!(record.roster().count(), 5);
    }

    #[test]
    fn a_deleted_roster_removes_who_left() {
        let left = notification(
            "deleted",
            &format!("{CALL}/participants"),
            json!([
            {"@odata.type": "#microsoft.graph.participant", "id": "P3"}]),
        );
        let (record, events) = run(&[roster(1, 4), left]);
        assert_eq!(record.roster().count(), 3);
        assert!(
            matches!(events.last(), Some(Event::ParticipantLeft(p)) if p.id.as_deref() == Some("P3"))
        );
    }
}
