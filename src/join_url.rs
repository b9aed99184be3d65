//! Teams meeting join links, read into what Graph's `POST /communications/calls` needs to join
//! the meeting (application-post-calls.md, "Join scheduled meeting"):
//! - the classic link, `https://teams.microsoft.com/l/meetup-join/<thread id>/<message id>?context={"Tid":"<tenant>","Oid":"<organizer>"}`,
//!   gives `chatInfo` (`threadId`, `messageId`) and an `organizerMeetingInfo` (the organizer's
//!   user id in its tenant), and the call's `tenantId`;
//! - the short link, `https://teams.microsoft.com/meet/<meeting id>?p=<passcode>`, gives a
//!   `joinMeetingIdMeetingInfo` (`joinMeetingId`, `passcode`).
//!
//! Anything else is a [`JoinUrlError`] saying what is wrong; nothing is guessed.
//! [`JoinInfo::chat_info`], [`JoinInfo::meeting_info`] and [`JoinInfo::tenant_id`] are the
//! parts of a [`CreateCallRequest`](crate::types::CreateCallRequest) that joins the meeting.

use std::fmt;

use crate::generated::model::{ChatInfo, Identity, IdentitySet, MeetingInfo};

/// The hosts Teams serves join links from: the global service and the US Government clouds.
const TEAMS_HOSTS: &[&str] = &[
    "teams.microsoft.com",
    "gov.teams.microsoft.us",
    "dod.teams.microsoft.us",
    "teams.microsoft.us",
];

/// What a Teams join link says about the meeting.
///
/// ```
/// use msgraph_calls::join_url::{parse, JoinInfo};
///
/// let link = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm%40thread.v2/0?context=%7b%22Tid%22%3a%22aa67bd4c-8475-432d-bd41-39f255720e0a%22%2c%22Oid%22%3a%225810cede-f3cc-42eb-b2c1-e9bd5d53ec96%22%7d";
/// let JoinInfo::Organizer { thread_id, message_id, tenant_id, organizer_id } = parse(link)? else {
///     panic!("a classic link")
/// };
/// assert_eq!(thread_id, "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2");
/// assert_eq!(message_id, "0");
/// assert_eq!(tenant_id, "aa67bd4c-8475-432d-bd41-39f255720e0a");
/// assert_eq!(organizer_id, "5810cede-f3cc-42eb-b2c1-e9bd5d53ec96");
///
/// let short = parse("https://teams.microsoft.com/meet/1234567?p=psw123")?;
/// assert_eq!(short, JoinInfo::MeetingId { join_meeting_id: "1234567".into(), passcode: Some("psw123".into()) });
/// # Ok::<(), msgraph_calls::join_url::JoinUrlError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinInfo {
    /// A classic `meetup-join` link: the meeting's chat thread and its organizer.
    Organizer {
        /// `chatInfo.threadId`, such as `19:meeting_...@thread.v2`.
        thread_id: String,
        /// `chatInfo.messageId`, `0` for a meeting's own chat.
        message_id: String,
        /// The organizer's tenant (`Tid`): the call's `tenantId`.
        tenant_id: String,
        /// The organizer's user id (`Oid`).
        organizer_id: String,
    },
    /// A short `meet` link: the meeting id and its passcode.
    MeetingId {
        /// `joinMeetingIdMeetingInfo.joinMeetingId`.
        join_meeting_id: String,
        /// `joinMeetingIdMeetingInfo.passcode`, when the link has one (`p=`).
        passcode: Option<String>,
    },
}

impl JoinInfo {
    /// The `chatInfo` of a create-call body that joins this meeting; a short link has none.
    ///
    /// ```
    /// let join = msgraph_calls::join_url::parse("https://teams.microsoft.com/meet/1234567?p=psw123")?;
    /// assert!(join.chat_info().is_none());
    /// # Ok::<(), msgraph_calls::join_url::JoinUrlError>(())
    /// ```
    pub fn chat_info(&self) -> Option<ChatInfo> {
        match self {
            JoinInfo::Organizer {
                thread_id,
                message_id,
                ..
            } => Some(ChatInfo {
                odata_type: Some("#microsoft.graph.chatInfo".to_owned()),
                thread_id: Some(thread_id.clone()),
                message_id: Some(message_id.clone()),
                ..ChatInfo::default()
            }),
            JoinInfo::MeetingId { .. } => None,
        }
    }

    /// The `meetingInfo` of a create-call body that joins this meeting: an
    /// `organizerMeetingInfo` (the organizer in its tenant) for a classic link, a
    /// `joinMeetingIdMeetingInfo` for a short one.
    ///
    /// ```
    /// let join = msgraph_calls::join_url::parse("https://teams.microsoft.com/meet/1234567?p=psw123")?;
    /// let info = join.meeting_info();
    /// assert_eq!(info.odata_type.as_deref(), Some("#microsoft.graph.joinMeetingIdMeetingInfo"));
    /// assert_eq!(info.join_meeting_id.as_deref(), Some("1234567"));
    /// # Ok::<(), msgraph_calls::join_url::JoinUrlError>(())
    /// ```
    pub fn meeting_info(&self) -> MeetingInfo {
        match self {
            JoinInfo::Organizer {
                tenant_id,
                organizer_id,
                ..
            } => {
                let mut user = Identity {
                    id: Some(organizer_id.clone()),
                    ..Identity::default()
                };
                // Graph's join example gives the organizer's tenant on the identity.
                user.extra.insert(
                    "tenantId".to_owned(),
                    serde_json::Value::String(tenant_id.clone()),
                );
                MeetingInfo {
                    odata_type: Some("#microsoft.graph.organizerMeetingInfo".to_owned()),
                    organizer: Some(Box::new(IdentitySet {
                        user: Some(Box::new(user)),
                        ..IdentitySet::default()
                    })),
                    ..MeetingInfo::default()
                }
            }
            JoinInfo::MeetingId {
                join_meeting_id,
                passcode,
            } => MeetingInfo {
                odata_type: Some("#microsoft.graph.joinMeetingIdMeetingInfo".to_owned()),
                join_meeting_id: Some(join_meeting_id.clone()),
                passcode: passcode.clone(),
                ..MeetingInfo::default()
            },
        }
    }

    /// The `tenantId` of a create-call body: the organizer's tenant, from a classic link. A
    /// short link does not say it; Graph's join-by-meeting-id example still sends the bot's
    /// tenant (application-post-calls.md), which the caller knows.
    pub fn tenant_id(&self) -> Option<&str> {
        match self {
            JoinInfo::Organizer { tenant_id, .. } => Some(tenant_id),
            JoinInfo::MeetingId { .. } => None,
        }
    }
}

impl fmt::Debug for JoinInfo {
    /// Every field but the passcode, shown as `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinInfo::Organizer {
                thread_id,
                message_id,
                tenant_id,
                organizer_id,
            } => f
                .debug_struct("Organizer")
                .field("thread_id", thread_id)
                .field("message_id", message_id)
                .field("tenant_id", tenant_id)
                .field("organizer_id", organizer_id)
                .finish(),
            JoinInfo::MeetingId {
                join_meeting_id,
                passcode,
            } => f
                .debug_struct("MeetingId")
                .field("join_meeting_id", join_meeting_id)
                .field("passcode", &passcode.as_ref().map(|_| "<redacted>"))
                .finish(),
        }
    }
}

/// Why a link is not a Teams join link this crate can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinUrlError {
    reason: String,
}

impl JoinUrlError {
    fn new(reason: impl Into<String>) -> Self {
        JoinUrlError {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for JoinUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a Teams join link: {}", self.reason)
    }
}

impl std::error::Error for JoinUrlError {}

/// Reads a Teams join link; see [`JoinInfo`].
///
/// ```
/// let err = msgraph_calls::join_url::parse("https://example.com/l/meetup-join/x/0").unwrap_err();
/// assert!(err.to_string().contains("teams.microsoft.com"), "{err}");
/// ```
pub fn parse(link: &str) -> Result<JoinInfo, JoinUrlError> {
    let url = reqwest::Url::parse(link.trim())
        .map_err(|e| JoinUrlError::new(format!("not a URL ({e})")))?;
    if url.scheme() != "https" {
        return Err(JoinUrlError::new("a join link is https"));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !TEAMS_HOSTS.contains(&host.as_str()) {
        return Err(JoinUrlError::new(format!(
            "the host is {}, not one of {}",
            crate::wire::escape(&host),
            TEAMS_HOSTS.join(", ")
        )));
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    match segments.as_slice() {
        ["l", "meetup-join", thread, message, ..] => classic(&url, thread, message),
        ["meet", id] | ["meet", id, ""] => short(&url, id),
        _ => Err(JoinUrlError::new(
            "the path is neither /l/meetup-join/<thread>/<message> nor /meet/<meeting id>",
        )),
    }
}

fn classic(url: &reqwest::Url, thread: &str, message: &str) -> Result<JoinInfo, JoinUrlError> {
    let thread_id = decode(thread)?;
    let message_id = decode(message)?;
    if !is_thread_id(&thread_id) {
        return Err(JoinUrlError::new(
            "the thread id is not a Teams chat thread (19:...@thread.v2: letters, digits, `_`, `-`, `.`, `=`)",
        ));
    }
    if message_id.is_empty() || !message_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(JoinUrlError::new("the message id is not a number"));
    }
    let context = url
        .query_pairs()
        .find(|(name, _)| name == "context")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| JoinUrlError::new("the link has no context (the tenant and organizer)"))?;
    #[derive(serde::Deserialize)]
    struct Context {
        #[serde(rename = "Tid")]
        tenant: Option<String>,
        #[serde(rename = "Oid")]
        organizer: Option<String>,
    }
    let context: Context = serde_json::from_str(&context)
        .map_err(|_| JoinUrlError::new("the context is not JSON with Tid and Oid"))?;
    let tenant_id = context
        .tenant
        .filter(|t| !t.is_empty())
        .ok_or_else(|| JoinUrlError::new("the context has no tenant (Tid)"))?;
    let organizer_id = context
        .organizer
        .filter(|o| !o.is_empty())
        .ok_or_else(|| JoinUrlError::new("the context has no organizer (Oid)"))?;
    // Both are Entra ID object ids: GUIDs, and nothing else reaches the request body.
    if !is_guid(&tenant_id) {
        return Err(JoinUrlError::new("the tenant (Tid) is not a GUID"));
    }
    if !is_guid(&organizer_id) {
        return Err(JoinUrlError::new("the organizer (Oid) is not a GUID"));
    }
    Ok(JoinInfo::Organizer {
        thread_id,
        message_id,
        tenant_id,
        organizer_id,
    })
}

fn short(url: &reqwest::Url, id: &str) -> Result<JoinInfo, JoinUrlError> {
    let join_meeting_id = decode(id)?;
    if join_meeting_id.is_empty() || !join_meeting_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(JoinUrlError::new("the meeting id is not a number"));
    }
    let passcode = url
        .query_pairs()
        .find(|(name, _)| name == "p")
        .map(|(_, value)| value.into_owned())
        .filter(|p| !p.is_empty());
    Ok(JoinInfo::MeetingId {
        join_meeting_id,
        passcode,
    })
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hexadecimal digits, either case.
fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A Teams chat thread id as join links carry them: `19:`, a body of letters, digits, `_`,
/// `-`, `.` and `=`, then `@thread.` and a suffix of letters and digits (`v2`, `tacv2`,
/// `skype`); at most 512 characters. No `/`, `%`, space or control character gets through.
fn is_thread_id(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("19:") else {
        return false;
    };
    let Some((body, suffix)) = rest.rsplit_once("@thread.") else {
        return false;
    };
    text.len() <= 512
        && !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.=".contains(&b))
        && !body.contains("..")
        && !suffix.is_empty()
        && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A path segment, percent-decoded; text that does not decode to UTF-8 is refused.
fn decode(segment: &str) -> Result<String, JoinUrlError> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes
                .get(index + 1..index + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| JoinUrlError::new("a path segment has a broken %-escape"))?;
            out.push(hex);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| JoinUrlError::new("a path segment is not UTF-8"))
}

#[cfg(test)]
mod tests;
