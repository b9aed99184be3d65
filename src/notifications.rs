//! What Graph POSTs to the bot's callback URL: `commsNotifications` batches.
//!
//! The types are generated from `schema/openapi.yaml` by build.rs (`OUT_DIR/model.rs`), every
//! one re-exported here. Every Graph type is open and every Graph enum evolvable: properties the
//! schema does not name are kept in `extra`, values an enum does not know yet in its `Other`
//! variant, so a body read with [`from_slice`] and written again with `serde_json` is the JSON
//! it was. [`ResourceData`], the changed resource, is generated from the `oneOf` of the schema
//! and its discriminator: an entity of a kind this crate does not model is kept as JSON in
//! `ResourceData::Other`.
//!
//! ```
//! use msgraph_calls::notifications::ResourceData;
//!
//! let roster: ResourceData = serde_json::from_str(
//!     r##"[{"@odata.type": "#microsoft.graph.participant", "id": "p1"}]"##,
//! ).unwrap();
//! assert!(matches!(&roster, ResourceData::Many(items) if matches!(items[0], ResourceData::Participant(_))));
//!
//! let other: ResourceData = serde_json::from_str(r##"{"@odata.type": "#microsoft.graph.newThing"}"##).unwrap();
//! assert!(matches!(other, ResourceData::Other(_)));
//! ```
//!
//! ```
//! use msgraph_calls::resources::CallState;
//! use msgraph_calls::notifications;
//!
//! let body = br##"{
//!   "@odata.type": "#microsoft.graph.commsNotifications",
//!   "value": [{
//!     "@odata.type": "#microsoft.graph.commsNotification",
//!     "changeType": "deleted",
//!     "resourceUrl": "/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896",
//!     "resourceData": {
//!       "@odata.type": "#microsoft.graph.call",
//!       "state": "terminated",
//!       "resultInfo": {"code": "200", "subcode": "5001", "message": "The conversation has ended."}
//!     }
//!   }]
//! }"##;
//! let batch = notifications::from_slice(body)?;
//! let call = batch.notifications()[0].call().expect("a call notification");
//! assert_eq!(call.state, Some(CallState::Terminated));
//! let reason = call.result_info.as_ref().and_then(|r| r.reason()).unwrap();
//! assert_eq!(reason.message(), "The conversation has ended.");
//! # Ok::<(), notifications::NotificationError>(())
//! ```

use std::fmt;

pub use crate::diag_code::DiagCode;
use crate::generated::model::{Call, Participant};
pub use crate::generated::model::{
    ChangeType, CommsNotification, CommsNotifications, ResourceData,
};
use crate::wire::{Budget, OVER_BUDGET};
pub use crate::wire::{Problem, DECODE_BASE_BYTES, DECODE_BYTES_PER_BODY_BYTE};

/// Reads a callback body.
///
/// Any JSON object is read. What Graph's schema does not promise is no reason to lose a
/// notification: a missing property reads as absent; a value of the wrong JSON type
/// (`"isMuted": "yes"`) is kept as it came in the `extra` of its object, its field absent, and
/// listed in the notification's [`problems`](CommsNotification::problems) with its JSON path;
/// an element of `value` that is not an object is kept, in its place, in the batch's `extra`
/// and listed in the batch's `problems`. Written back with `serde_json`, the batch is the JSON
/// it was read from.
///
/// Only a body that is not JSON, has anything but white space after its JSON value, or is not
/// a JSON object, is refused; the error says where (line, column, and the JSON path when the
/// body broke off inside a value).
///
/// Memory is bounded: decoding takes at most 10 bytes per byte of body, plus 64 KiB
/// ([`DECODE_BYTES_PER_BODY_BYTE`], [`DECODE_BASE_BYTES`]). Graph's own bodies take 2 to 4.3 (BENCHMARKS.md);
/// a body of many tiny values that would take more (`{"value": [{}, {}, ...]}`) is refused
/// before it does.
///
/// ```
/// let batch = msgraph_calls::notifications::from_slice(br#"{"value": [
///     {"changeType": 5, "resourceUrl": "/communications/calls/1"},
///     {"changeType": "deleted", "resourceUrl": "/communications/calls/2"}
/// ]}"#).unwrap();
/// let [odd, deleted] = batch.notifications() else { panic!() };
/// assert_eq!(odd.problems[0].path(), "value[0].changeType");
/// assert!(odd.change_type.is_none());
/// assert_eq!(deleted.call_id(), Some("2"));
///
/// let err = msgraph_calls::notifications::from_slice(br#"{"value": [{"changeType": "upd"#).unwrap_err();
/// assert_eq!(err.path(), "value[0].changeType");
/// assert_eq!((err.line(), err.column()), (1, 30));
/// ```
pub fn from_slice(body: &[u8]) -> Result<CommsNotifications, NotificationError> {
    let budget = Budget::for_body(body.len());
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut handed_up = Vec::new();
    // The fast path tracks no path; only a body that fails is read again to find where.
    let read = <CommsNotifications as crate::wire::ReadAny>::read_any(&mut de, &mut handed_up);
    if Budget::exhausted() {
        return Err(NotificationError::new(
            String::new(),
            <serde_json::Error as serde::de::Error>::custom(OVER_BUDGET),
        ));
    }
    drop(budget);
    match read {
        Ok(Ok(batch)) => match de.end() {
            Ok(()) => Ok(batch),
            Err(e) => Err(NotificationError::new(String::new(), e)),
        },
        Ok(Err(value)) => Err(NotificationError::new(
            String::new(),
            <serde_json::Error as serde::de::Error>::custom(format_args!(
                "a callback body is a JSON object, not {}",
                crate::wire::describe(&value)
            )),
        )),
        Err(_) => Err(locate_error(body)),
    }
}

impl CommsNotifications {
    /// Every problem of the batch: its own (a notification that is not an object, `value` not
    /// an array), then each notification's. Empty for a body that follows Graph's schema.
    ///
    /// ```
    /// let batch = msgraph_calls::notifications::from_slice(
    ///     br##"{"value": [7, {"changeType": "updated", "resourceUrl": "/communications/calls/1",
    ///                        "resourceData": {"@odata.type": "#microsoft.graph.call", "state": false}}]}"##,
    /// ).unwrap();
    /// let paths: Vec<String> = batch.all_problems().map(|p| p.path()).collect();
    /// assert_eq!(paths, ["value[0]", "value[1].resourceData.state"]);
    /// assert_eq!(batch.notifications().len(), 1);
    /// ```
    pub fn all_problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .chain(self.notifications().iter().flat_map(|n| n.problems.iter()))
    }
}

/// Reads a body that failed again, tracking the JSON path, for the error. The decoder fails
/// only where the body is not JSON (a value of the wrong type is a problem, not an error; the
/// budget is checked before), so the body is read again as any JSON: it breaks at the same
/// place, and the model's readers are not compiled again for the path-tracking deserializer.
fn locate_error(body: &[u8]) -> NotificationError {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, serde_json::Value>(&mut de) {
        Err(e) => {
            let path = escaped_path(e.path());
            NotificationError::new(path, e.into_inner())
        }
        Ok(_) => match de.end() {
            Err(e) => NotificationError::new(String::new(), e),
            Ok(()) => NotificationError::new(
                String::new(),
                <serde_json::Error as serde::de::Error>::custom("the body could not be read"),
            ),
        },
    }
}

/// A JSON path from serde_path_to_error, its property names escaped as in a [`Problem`]'s.
fn escaped_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => crate::wire::write_key(&mut out, key),
            Segment::Enum { variant } => crate::wire::write_key(&mut out, variant),
            Segment::Unknown => out.push_str("[?]"),
        }
    }
    out
}

/// Why a callback body could not be read, and where.
#[derive(Debug)]
pub struct NotificationError {
    path: String,
    source: serde_json::Error,
}

impl NotificationError {
    fn new(path: String, source: serde_json::Error) -> Self {
        NotificationError { path, source }
    }

    /// The JSON path where the body broke off, such as `value[0].resourceData.state`; empty
    /// when the problem is the body as a whole (not JSON, not an object, trailing characters,
    /// too costly to decode).
    /// Property names other than plain identifiers are quoted and escaped (see
    /// [`Problem::path`]).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line in the body where the problem was found; 0 when the body as a whole
    /// is refused (JSON but not an object, or too costly to decode).
    pub fn line(&self) -> usize {
        self.source.line()
    }

    /// The 1-based column in the body where the problem was found; 0 when the body as a
    /// whole is refused.
    pub fn column(&self) -> usize {
        self.source.column()
    }
}

impl fmt::Display for NotificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            "body"
        } else {
            self.path.as_str()
        };
        write!(f, "notification body unreadable at {at}: {}", self.source)
    }
}

impl std::error::Error for NotificationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl CommsNotifications {
    /// The notifications of the batch (`value`), empty when Graph sent none.
    ///
    /// ```
    /// let batch = msgraph_calls::notifications::from_slice(br#"{"value": []}"#).unwrap();
    /// assert!(batch.notifications().is_empty());
    /// ```
    pub fn notifications(&self) -> &[CommsNotification] {
        self.value.as_deref().unwrap_or_default()
    }
}

impl CommsNotification {
    /// The id of the call this notification is about, from `resourceUrl`:
    /// `/communications/calls/{id}` or the legacy `/app/calls/{id}`, with or without the
    /// leading slash, with or without a sub-resource after the id.
    ///
    /// ```
    /// let n: msgraph_calls::notifications::CommsNotification = serde_json::from_str(
    ///     r#"{"changeType": "updated", "resourceUrl": "/communications/calls/421f/participants"}"#,
    /// ).unwrap();
    /// assert_eq!(n.call_id(), Some("421f"));
    /// ```
    pub fn call_id(&self) -> Option<&str> {
        call_id_of(self.resource_url.as_deref()?)
    }

    /// The participants this notification carries: a roster, or a single participant.
    ///
    /// ```
    /// let n: msgraph_calls::notifications::CommsNotification = serde_json::from_str(
    ///     r##"{"changeType": "updated", "resourceUrl": "/communications/calls/1/participants",
    ///         "resourceData": [{"@odata.type": "#microsoft.graph.participant", "id": "a"},
    ///                          {"@odata.type": "#microsoft.graph.participant", "id": "b"}]}"##,
    /// ).unwrap();
    /// let ids: Vec<_> = n.participants().filter_map(|p| p.id.as_deref()).collect();
    /// assert_eq!(ids, ["a", "b"]);
    /// ```
    pub fn participants(&self) -> impl Iterator<Item = &Participant> {
        let items: &[ResourceData] = match &self.resource_data {
            Some(ResourceData::Many(items)) => items,
            Some(single) => std::slice::from_ref(single),
            None => &[],
        };
        items.iter().filter_map(|item| match item {
            ResourceData::Participant(participant) => Some(participant.as_ref()),
            _ => None,
        })
    }

    /// The call this notification is about, when its `resourceData` is a call.
    ///
    /// ```
    /// let n: msgraph_calls::notifications::CommsNotification = serde_json::from_str(
    ///     r##"{"changeType": "updated", "resourceUrl": "/communications/calls/1",
    ///         "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "terminating"}}"##,
    /// ).unwrap();
    /// assert!(n.call().is_some());
    /// ```
    pub fn call(&self) -> Option<&Call> {
        match &self.resource_data {
            Some(ResourceData::Call(call)) => Some(call),
            _ => None,
        }
    }
}

/// The call id in a resource URL; see [`CommsNotification::call_id`].
fn call_id_of(resource_url: &str) -> Option<&str> {
    let path = resource_url.trim_start_matches('/');
    let rest = ["communications/calls/", "app/calls/"]
        .iter()
        .find_map(|prefix| {
            path.get(..prefix.len())
                .filter(|p| p.eq_ignore_ascii_case(prefix))
                .map(|_| &path[prefix.len()..])
        })?;
    let id = rest.split(['/', '?']).next()?;
    (!id.is_empty()).then_some(id)
}
