//! Builders for the hard parts of the operations' request bodies: who to invite or transfer to
//! (a user, an application, a phone number), the media configuration, prompts by URI, the call
//! options of an answer or a new call, and the client context. The bodies themselves are
//! generated from `schema/openapi.yaml` ([`crate::types`]), each with `new` for what Graph
//! requires and `with_` methods for the rest; these are conveniences for their parts, written
//! once for every operation that uses the part.
//!
//! ```
//! use msgraph_calls::resources::{IdentitySet, InvitationParticipantInfo};
//! use msgraph_calls::types::{MediaConfig, PlayPromptRequest, Prompt, TransferRequest};
//!
//! let to_a_phone =
//!     TransferRequest::new(InvitationParticipantInfo::to(IdentitySet::phone("+12345678901")?));
//! let welcome = PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/welcome.wav")])
//!     .with_client_context(msgraph_calls::bodies::client_context("ivr-42")?);
//! assert_eq!(MediaConfig::service_hosted().odata_type, "#microsoft.graph.serviceHostedMediaConfig");
//! # Ok::<(), msgraph_calls::bodies::BodyError>(())
//! ```

use std::fmt;

use crate::generated::model::{CallOptions, Identity, IdentitySet, InvitationParticipantInfo};
use crate::generated::types::{MediaConfig, MediaInfo, Prompt};

/// The longest client context Graph accepts (every operation's docs: "Max limit is 256 chars").
pub const MAX_CLIENT_CONTEXT_LEN: usize = 256;

/// A part of a body that Graph would refuse, refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    reason: String,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request body: {}", self.reason)
    }
}

impl std::error::Error for BodyError {}

/// A client context, checked: at most 256 characters, as Graph allows. Graph echoes it in the
/// operation's notifications, where a bot finds which request they answer.
///
/// ```
/// assert!(msgraph_calls::bodies::client_context(&"x".repeat(257)).is_err());
/// ```
pub fn client_context(context: &str) -> Result<String, BodyError> {
    if context.chars().count() > MAX_CLIENT_CONTEXT_LEN {
        return Err(BodyError {
            reason: format!(
                "a client context is at most {MAX_CLIENT_CONTEXT_LEN} characters, this one {}",
                context.chars().count()
            ),
        });
    }
    Ok(context.to_owned())
}

/// Adds a property the type does not name: one a doc page's example sends beyond the type's
/// table (`routingPolicies` of a redirect, `endpointType` of a transfer target, a user's
/// `tenantId`), or one Graph added since. Every request body of [`crate::types`] and every
/// resource of [`crate::resources`] has it. The value is any [`serde::Serialize`] (a string, a
/// number, `serde_json::json!(...)`, a type of this crate).
///
/// Refused, as a [`BodyError`] saying why: a name the type has a typed field for (set that
/// field, with its `with_` method: a key written twice is a body Graph refuses), a name already
/// added, a value that does not serialize, and a `clientContext` over
/// [`MAX_CLIENT_CONTEXT_LEN`] characters.
///
/// ```
/// use msgraph_calls::bodies::WithProperty;
/// use msgraph_calls::resources::{IdentitySet, InvitationParticipantInfo};
/// use msgraph_calls::types::TransferRequest;
///
/// let target = InvitationParticipantInfo::to(IdentitySet::user("550fae72-d251-43ec-868c-373732c2704f"))
///     .with_property("endpointType", "default")?;
/// let transfer = TransferRequest::new(target)
///     .with_property("clientContext", "9e90d1c1-f61e-43e7-9f75-d420159aae08")?;
/// let json = serde_json::to_value(&transfer).unwrap();
/// assert_eq!(json["transferTarget"]["endpointType"], "default");
/// assert_eq!(json["clientContext"], "9e90d1c1-f61e-43e7-9f75-d420159aae08");
///
/// // A property the type names is set with its typed field, never twice.
/// assert!(TransferRequest::new(InvitationParticipantInfo::default())
///     .with_property("transferTarget", serde_json::json!({}))
///     .is_err());
/// # Ok::<(), msgraph_calls::bodies::BodyError>(())
/// ```
pub trait WithProperty: Sized {
    /// The JSON names of the properties the type has typed fields for.
    const TYPED: &'static [&'static str];

    /// The map of the properties the type does not name (its `extra` field).
    fn extra_properties(&mut self) -> &mut serde_json::Map<String, serde_json::Value>;

    /// The same value with `name` set to `value` among the properties the type does not name,
    /// or why not (see the trait's docs).
    fn with_property(
        mut self,
        name: &str,
        value: impl serde::Serialize,
    ) -> Result<Self, BodyError> {
        let type_name = std::any::type_name::<Self>()
            .rsplit("::")
            .next()
            .unwrap_or_default();
        if Self::TYPED.contains(&name) {
            return Err(BodyError {
                reason: format!(
                    "`{name}` is a property {type_name} names: set it with its typed field \
                     (its `with_` method), so that it is written once"
                ),
            });
        }
        if self.extra_properties().contains_key(name) {
            return Err(BodyError {
                reason: format!("`{name}` was added to this {type_name} already"),
            });
        }
        let value = serde_json::to_value(value).map_err(|e| BodyError {
            reason: format!("the value of `{name}` does not serialize: {e}"),
        })?;
        if name == "clientContext" {
            if let serde_json::Value::String(context) = &value {
                client_context(context)?;
            }
        }
        self.extra_properties().insert(name.to_owned(), value);
        Ok(self)
    }
}

/// What every request body of [`crate::types`] is checked for before it is sent (the client's
/// methods call it; generated with each body).
pub(crate) trait CheckBody {
    /// The body as Graph would take it, or the property that would make Graph refuse it.
    fn check(&self) -> Result<(), crate::Error>;
}

/// The body check, from what the generated impl hands over: the typed `clientContext` (when the
/// body has one), the map of other properties (`extra`), and the JSON names of the typed
/// properties. Refused, as [`crate::Error::InvalidBody`] naming the property: a `clientContext`
/// over [`MAX_CLIENT_CONTEXT_LEN`] characters, typed or set in `extra` (transfer's examples send
/// one that its table does not name); and a property set both typed and in `extra`, which
/// serde would write twice on the wire and Graph refuses.
pub(crate) fn check_body(
    client_context: Option<&str>,
    extra: Option<&serde_json::Map<String, serde_json::Value>>,
    typed: &[&'static str],
) -> Result<(), crate::Error> {
    const FIELD: &str = "clientContext";
    let too_long = |context: &str| {
        let len = context.chars().count();
        (len > MAX_CLIENT_CONTEXT_LEN).then(|| crate::Error::InvalidBody {
            field: FIELD,
            reason: format!(
                "a client context is at most {MAX_CLIENT_CONTEXT_LEN} characters, this one {len}"
            ),
        })
    };
    if let Some(error) = client_context.and_then(too_long) {
        return Err(error);
    }
    let Some(extra) = extra.filter(|extra| !extra.is_empty()) else {
        return Ok(());
    };
    if let Some(name) = typed.iter().find(|name| extra.contains_key(**name)) {
        return Err(crate::Error::InvalidBody {
            field: name,
            reason: "set both with its typed field and in `extra`: it would be written twice, \
                     which Graph refuses; set it once"
                .into(),
        });
    }
    match extra.get(FIELD) {
        Some(serde_json::Value::String(context)) => too_long(context).map_or(Ok(()), Err),
        _ => Ok(()),
    }
}

fn identity(id: &str) -> Box<Identity> {
    Box::new(Identity {
        id: Some(id.to_owned()),
        ..Identity::default()
    })
}

impl IdentitySet {
    /// A Teams user, by their Microsoft Entra object id.
    ///
    /// ```
    /// let user = msgraph_calls::resources::IdentitySet::user("550fae72-d251-43ec-868c-373732c2704f");
    /// assert_eq!(serde_json::to_value(&user).unwrap()["user"]["id"], "550fae72-d251-43ec-868c-373732c2704f");
    /// ```
    pub fn user(id: &str) -> IdentitySet {
        IdentitySet {
            user: Some(identity(id)),
            ..IdentitySet::default()
        }
    }

    /// An application (a bot), by its application id.
    ///
    /// ```
    /// let bot = msgraph_calls::resources::IdentitySet::application("2891555a-92ff-42e6-80fa-6e1300c6b5c6");
    /// assert!(bot.application.is_some());
    /// ```
    pub fn application(id: &str) -> IdentitySet {
        IdentitySet {
            application: Some(identity(id)),
            ..IdentitySet::default()
        }
    }

    /// A phone number in E.164 (`+` and 7 to 15 digits), as Graph's PSTN examples send it
    /// (`identity.phone.id`, application-post-calls.md, call-transfer.md).
    ///
    /// ```
    /// use msgraph_calls::resources::IdentitySet;
    ///
    /// assert!(IdentitySet::phone("+12345678901").is_ok());
    /// assert!(IdentitySet::phone("12345678901").is_err());
    /// assert!(IdentitySet::phone("+1 234 567").is_err());
    /// ```
    pub fn phone(number: &str) -> Result<IdentitySet, BodyError> {
        let digits = number.strip_prefix('+').unwrap_or_default();
        let valid = (7..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !valid {
            return Err(BodyError {
                reason: "a phone number is E.164: `+`, then 7 to 15 digits, the first not 0"
                    .to_owned(),
            });
        }
        Ok(IdentitySet {
            odata_type: Some("#microsoft.graph.identitySet".to_owned()),
            phone: Some(Box::new(Identity {
                odata_type: Some("#microsoft.graph.identity".to_owned()),
                id: Some(number.to_owned()),
                ..Identity::default()
            })),
            ..IdentitySet::default()
        })
    }
}

impl InvitationParticipantInfo {
    /// Who to invite, redirect or transfer to.
    ///
    /// ```
    /// use msgraph_calls::resources::{IdentitySet, InvitationParticipantInfo};
    ///
    /// let target = InvitationParticipantInfo::to(IdentitySet::user("550fae72-d251-43ec-868c-373732c2704f"));
    /// assert!(target.identity.is_some());
    /// ```
    pub fn to(identity: IdentitySet) -> InvitationParticipantInfo {
        InvitationParticipantInfo {
            identity: Some(Box::new(identity)),
            ..InvitationParticipantInfo::default()
        }
    }
}

impl CallOptions {
    /// The options of an answer (`#microsoft.graph.incomingCallOptions`, as DC
    /// api/call-answer.md sends them); set the rest with their `with_` methods.
    ///
    /// ```
    /// use msgraph_calls::resources::{CallOptions, Modality};
    /// use msgraph_calls::types::{AnswerRequest, MediaConfig};
    ///
    /// let options = CallOptions::incoming().with_is_content_sharing_notification_enabled(true);
    /// let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
    ///     .with_call_options(options);
    /// let sent = serde_json::to_value(&answer).unwrap();
    /// assert_eq!(sent["callOptions"]["@odata.type"], "#microsoft.graph.incomingCallOptions");
    /// assert_eq!(sent["callOptions"]["isContentSharingNotificationEnabled"], true);
    /// ```
    pub fn incoming() -> CallOptions {
        CallOptions::of_kind("#microsoft.graph.incomingCallOptions")
    }

    /// The options of a call the bot creates (`#microsoft.graph.outgoingCallOptions`, as DC
    /// api/application-post-calls.md sends them); set the rest with their `with_` methods.
    ///
    /// ```
    /// let options = msgraph_calls::resources::CallOptions::outgoing();
    /// assert_eq!(options.odata_type.as_deref(), Some("#microsoft.graph.outgoingCallOptions"));
    /// ```
    pub fn outgoing() -> CallOptions {
        CallOptions::of_kind("#microsoft.graph.outgoingCallOptions")
    }

    fn of_kind(odata_type: &str) -> CallOptions {
        CallOptions {
            odata_type: Some(odata_type.to_owned()),
            ..CallOptions::default()
        }
    }
}

impl MediaConfig {
    /// Media hosted by Graph: what playing prompts, recording and collecting tones need.
    ///
    /// ```
    /// let media = msgraph_calls::types::MediaConfig::service_hosted();
    /// assert!(media.pre_fetch_media.is_empty());
    /// ```
    pub fn service_hosted() -> MediaConfig {
        MediaConfig::new("#microsoft.graph.serviceHostedMediaConfig")
    }

    /// Media hosted by Graph, with audio files it fetches ahead of playing them.
    pub fn service_hosted_prefetching(uris: &[&str]) -> MediaConfig {
        MediaConfig::service_hosted()
            .with_pre_fetch_media(uris.iter().map(|uri| MediaInfo::new(*uri)))
    }

    /// Media hosted by the bot (with the Real-time Media Platform), its session `blob`.
    ///
    /// ```
    /// let media = msgraph_calls::types::MediaConfig::app_hosted("<blob>");
    /// assert_eq!(media.odata_type, "#microsoft.graph.appHostedMediaConfig");
    /// ```
    pub fn app_hosted(blob: &str) -> MediaConfig {
        MediaConfig::new("#microsoft.graph.appHostedMediaConfig").with_blob(blob)
    }
}

impl Prompt {
    /// An audio file to play, by URI (a .wav file, single-channel, 16-bit, 16 kHz).
    ///
    /// ```
    /// let prompt = msgraph_calls::types::Prompt::media("https://cdn.contoso.com/beep.wav");
    /// assert_eq!(prompt.odata_type, "#microsoft.graph.mediaPrompt");
    /// ```
    pub fn media(uri: &str) -> Prompt {
        Prompt::new("#microsoft.graph.mediaPrompt").with_media_info(MediaInfo::new(uri))
    }
}
