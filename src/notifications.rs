//! What Graph POSTs to the bot's callback URL: `commsNotifications` batches.
//!
//! The types are generated from `schema/openapi.yaml` ([`crate::types`]) and re-exported here.
//! Every Graph type is open: properties the schema does not name are kept in `extra`, so a body
//! read with [`from_slice`] and written again with `serde_json` keeps them.
//!
//! ```
//! use msgraph_calls::notifications::{self, CallState};
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
//! let call = batch.value[0].call().expect("a call notification");
//! assert_eq!(call.state, Some(CallState::Terminated));
//! let reason = call.result_info.as_ref().and_then(|r| r.reason()).unwrap();
//! assert_eq!(reason.message(), "The conversation has ended.");
//! # Ok::<(), notifications::NotificationError>(())
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::termination::{self, Category, TerminationReason};
pub use crate::types::{
    Call, CallDirection, CallMediaState, CallState, ChangeType, CommsNotification,
    CommsNotifications, Identity, IdentitySet, InvitationParticipantInfo, MediaDirection,
    MediaState, MediaStream, Modality, Participant, ParticipantInfo, ResultInfo, Tone, ToneInfo,
};

/// Reads a callback body.
///
/// Errors say where the body went wrong: the JSON path, line and column. Input that is not
/// JSON, or has anything but white space after the JSON value, is refused.
///
/// ```
/// let err = msgraph_calls::notifications::from_slice(br#"{"value": [{"changeType": 5}]}"#).unwrap_err();
/// assert_eq!(err.path(), "value[0].changeType");
/// assert_eq!((err.line(), err.column()), (1, 27));
/// ```
pub fn from_slice(body: &[u8]) -> Result<CommsNotifications, NotificationError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let batch: CommsNotifications = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        NotificationError::new(path, e.into_inner())
    })?;
    de.end()
        .map_err(|e| NotificationError::new(String::new(), e))?;
    Ok(batch)
}

/// Why a callback body could not be read, and where.
#[derive(Debug)]
pub struct NotificationError {
    path: String,
    source: serde_json::Error,
}

impl NotificationError {
    fn new(path: String, source: serde_json::Error) -> Self {
        // serde_path_to_error writes `.` for the root.
        let path = if path == "." { String::new() } else { path };
        NotificationError { path, source }
    }

    /// The JSON path of the value that was wrong, such as `value[0].resourceData.state`;
    /// empty when the problem is the body as a whole (not JSON, trailing characters).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line in the body where the problem was found.
    pub fn line(&self) -> usize {
        self.source.line()
    }

    /// The 1-based column in the body where the problem was found.
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

/// The `resourceData` of a notification: one entity, or an array of them (a roster).
///
/// Graph sends it as an undeclared property of the open `commsNotification`; its kind is told by
/// `@odata.type` (compared without regard to case). An entity of a kind this crate does not
/// model is kept as JSON in [`ResourceData::Other`], never refused.
///
/// ```
/// use msgraph_calls::notifications::ResourceData;
///
/// let roster: ResourceData = serde_json::from_str(
///     r##"[{"@odata.type": "#microsoft.graph.participant", "id": "p1"}]"##,
/// ).unwrap();
/// assert!(matches!(&roster, ResourceData::Many(items) if matches!(items[0], ResourceData::Participant(_))));
///
/// let other: ResourceData = serde_json::from_str(r##"{"@odata.type": "#microsoft.graph.newThing"}"##).unwrap();
/// assert!(matches!(other, ResourceData::Other(_)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ResourceData {
    /// `#microsoft.graph.call`.
    Call(Box<Call>),
    /// `#microsoft.graph.participant`.
    Participant(Box<Participant>),
    /// An array of entities, such as a participants roster.
    Many(Vec<ResourceData>),
    /// Any other entity or value, kept as it came.
    Other(Value),
}

const CALL_TYPE: &str = "#microsoft.graph.call";
const PARTICIPANT_TYPE: &str = "#microsoft.graph.participant";

impl ResourceData {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .map(ResourceData::from_value)
                .collect::<Result<_, _>>()
                .map(ResourceData::Many),
            Value::Object(ref map) => {
                let kind = map
                    .get("@odata.type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if kind.eq_ignore_ascii_case(CALL_TYPE) {
                    serde_json::from_value(value).map(|c| ResourceData::Call(Box::new(c)))
                } else if kind.eq_ignore_ascii_case(PARTICIPANT_TYPE) {
                    serde_json::from_value(value).map(|p| ResourceData::Participant(Box::new(p)))
                } else {
                    Ok(ResourceData::Other(value))
                }
            }
            other => Ok(ResourceData::Other(other)),
        }
    }
}

impl<'de> Deserialize<'de> for ResourceData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        ResourceData::from_value(value).map_err(serde::de::Error::custom)
    }
}

impl Serialize for ResourceData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ResourceData::Call(call) => call.serialize(serializer),
            ResourceData::Participant(participant) => participant.serialize(serializer),
            ResourceData::Many(items) => items.serialize(serializer),
            ResourceData::Other(value) => value.serialize(serializer),
        }
    }
}

impl CommsNotification {
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

impl ResultInfo {
    /// The table's row for this result's `(code, subcode)`, when both are integers and Graph
    /// documents the pair.
    ///
    /// ```
    /// let info: msgraph_calls::notifications::ResultInfo =
    ///     serde_json::from_str(r#"{"code": "200", "subcode": 5001}"#).unwrap();
    /// assert_eq!(info.reason().unwrap().message(), "The conversation has ended.");
    /// ```
    pub fn reason(&self) -> Option<&'static TerminationReason> {
        let (code, subcode) = self.pair()?;
        termination::lookup(code, subcode)
    }

    /// The category of this result, known pair or not; `None` when `code` is missing or not
    /// an integer.
    ///
    /// ```
    /// use msgraph_calls::termination::Category;
    /// let info: msgraph_calls::notifications::ResultInfo =
    ///     serde_json::from_str(r#"{"code": 500, "subcode": 7106}"#).unwrap();
    /// assert_eq!(info.category(), Some(Category::ServiceError));
    /// ```
    pub fn category(&self) -> Option<Category> {
        let code = self.code.as_ref()?.get()?;
        let subcode = self.subcode.as_ref().and_then(|s| s.get());
        Some(match subcode {
            Some(subcode) => Category::of(code, subcode),
            None => Category::from_code(code),
        })
    }

    fn pair(&self) -> Option<(i32, i32)> {
        Some((self.code.as_ref()?.get()?, self.subcode.as_ref()?.get()?))
    }
}
