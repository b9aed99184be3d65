//! Every example request of the doc pages of the crate's operations, built with the typed API
//! (`new`, the `with_` methods, the helpers of `msgraph_calls::bodies`, and `with_property` only
//! for a property the type does not name), serialized, and compared JSON-equal with the page's
//! body. One test per file of `tests/fixtures/doc-requests/`; its README says which page and
//! example each file is, and what was changed to make it JSON.

use std::collections::BTreeSet;

use msgraph_calls::bodies::{BodyError, WithProperty};
use msgraph_calls::resources::{
    CallDirection, CallOptions, ChatInfo, EndpointType, Identity, IdentitySet,
    InvitationParticipantInfo, MeetingInfo, Modality, ParticipantInfo, RecordingStatus, Tone,
};
use msgraph_calls::types::{
    AnswerRequest, AudioRoutingGroup, ChangeScreenSharingRoleRequest, ClientContextRequest,
    CreateCallRequest, InviteParticipantsRequest, MediaConfig, MediaInfo, PlayPromptRequest,
    Prompt, RecordResponseRequest, RedirectRequest, RejectReason, RejectRequest, RoutingMode,
    ScreenSharingRole, SendDtmfTonesRequest, StartHoldMusicRequest, TransferRequest,
    UpdateRecordingStatusRequest,
};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/doc-requests/");

/// Every fixture a test compares with; `every_doc_example_has_a_test` checks it is the folder.
const TESTED: &[&str] = &[
    "application-post-calls.1.json",
    "application-post-calls.2.json",
    "application-post-calls.3.json",
    "application-post-calls.4.json",
    "application-post-calls.5.json",
    "application-post-calls.6.json",
    "application-post-calls.7.json",
    "application-post-calls.8.json",
    "application-post-calls.9.json",
    "application-post-calls.10.json",
    "call-answer.0.json",
    "call-answer.1.json",
    "call-answer.2.json",
    "call-reject.1.json",
    "call-reject.2.json",
    "call-redirect.1.json",
    "call-redirect.2.json",
    "call-redirect.3.json",
    "call-transfer.1.json",
    "call-transfer.2.json",
    "call-transfer.3.json",
    "call-transfer.4.json",
    "call-transfer.5.json",
    "call-playprompt.1.json",
    "call-record.1.json",
    "call-cancelmediaprocessing.1.json",
    "call-subscribetotone.1.json",
    "call-senddtmftones.1.json",
    "call-mute.1.json",
    "call-unmute.1.json",
    "call-updaterecordingstatus.1.json",
    "call-changescreensharingrole.1.json",
    "participant-invite.1.json",
    "participant-invite.2.json",
    "participant-invite.3.json",
    "participant-mute.1.json",
    "participant-startholdmusic.1.json",
    "participant-stopholdmusic.1.json",
    "participant-delete.2.json",
    "call-addlargegalleryview.1.json",
    "call-post-audioroutinggroups.1.json",
    "call-post-audioroutinggroups.2.json",
    "audioroutinggroup-update.1.json",
];

const IDENTITY: &str = "#microsoft.graph.identity";
const IDENTITY_SET: &str = "#microsoft.graph.identitySet";
const INVITATION: &str = "#microsoft.graph.invitationParticipantInfo";
const MEDIA_PROMPT: &str = "#microsoft.graph.mediaPrompt";
const APP_HOSTED: &str = "#microsoft.graph.appHostedMediaConfig";
const CALLBACK: &str = "https://bot.contoso.com/callback";
const PHONE: &str = "+12345678901";
const HEIDI: &str = "550fae72-d251-43ec-868c-373732c2704f";
const REDIRECT_CALLBACK: &str =
    "https://bot.contoso.com/api/calls/24701998-1a73-4d42-8085-bf46ed0ae039";

/// The JSON of a fixture of `TESTED`.
fn fixture(name: &str) -> Value {
    assert!(TESTED.contains(&name), "{name} is not in TESTED");
    let path = format!("{DIR}{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An `identity` as most examples write it: typed, with its id.
fn identity(id: &str) -> Identity {
    Identity::default().with_odata_type(IDENTITY).with_id(id)
}

/// An `identitySet` as most examples write it: typed; its identities set with `with_`.
fn identity_set() -> IdentitySet {
    IdentitySet::default().with_odata_type(IDENTITY_SET)
}

/// A target or invitee as most examples write it: typed, around `identity`.
fn invitation(identity: IdentitySet) -> InvitationParticipantInfo {
    InvitationParticipantInfo::to(identity).with_odata_type(INVITATION)
}

/// The `source` of a created call: typed, around `identity`.
fn source(identity: IdentitySet) -> ParticipantInfo {
    ParticipantInfo::default()
        .with_odata_type("#microsoft.graph.participantInfo")
        .with_identity(identity)
}

/// A resource with each of `names` written as an explicit `null`, as some examples send them: a
/// field left `None` is not written, and a resource's `extra` holds the JSON of a named
/// property that its field cannot say (an explicit `null`), as reading the example would.
fn with_nulls<T: WithProperty>(mut value: T, names: &[&str]) -> T {
    for name in names {
        value
            .extra_properties()
            .insert((*name).to_owned(), Value::Null);
    }
    value
}

/// The service-hosted media of the join examples (5, 7, 8): two audio files fetched ahead.
fn join_media() -> MediaConfig {
    MediaConfig::service_hosted().with_pre_fetch_media([
        MediaInfo::new("https://cdn.contoso.com/beep.wav")
            .with_resource_id("f8971b04-b53e-418c-9222-c82ce681a582"),
        MediaInfo::new("https://cdn.contoso.com/cool.wav")
            .with_resource_id("86dc814b-c172-4428-9112-60f8ecae1edb"),
    ])
}

/// The chat of the meeting that create-call examples 5 and 6 join.
fn meeting_chat() -> ChatInfo {
    ChatInfo::default()
        .with_odata_type("#microsoft.graph.chatInfo")
        .with_thread_id("19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2")
        .with_message_id("0")
}

/// The meeting that create-call examples 5 and 6 join: Bob's, in `tenant`.
fn organizer_meeting(tenant: &str) -> Result<MeetingInfo, BodyError> {
    let bob = identity("5810cede-f3cc-42eb-b2c1-e9bd5d53ec96")
        .with_display_name("Bob")
        .with_property("tenantId", tenant)?;
    Ok(MeetingInfo::default()
        .with_odata_type("#microsoft.graph.organizerMeetingInfo")
        .with_organizer(identity_set().with_user(bob))
        .with_allow_conversation_without_host(true))
}

/// Create-call examples 3 and 4: TestBot calls user1 and user2.
fn group_call(subject: &str, media: MediaConfig) -> CreateCallRequest {
    let user = |id: &str, name: &str| {
        invitation(identity_set().with_user(identity(id).with_display_name(name)))
    };
    let bot = identity("dd3885da-f9ab-486b-bfae-85de3d445555").with_display_name("TestBot");
    CreateCallRequest::new(CALLBACK, media)
        .with_odata_type("#microsoft.graph.call")
        .with_direction(CallDirection::Outgoing)
        .with_subject(subject)
        .with_source(source(identity_set().with_application(bot)))
        .with_targets([
            user("98da8a1a-1b87-452c-a713-65d3f10b5555", "user1"),
            user("bf5aae9a-d11d-47a8-93b1-782504c95555", "user2"),
        ])
        .with_requested_modalities([Modality::Audio])
}

/// Create-call examples 9 and 10: a phone call from an application instance.
fn pstn_call(media: MediaConfig) -> Result<CreateCallRequest, BodyError> {
    let bot = identity("3d913abb-aec0-4964-8fa6-3c6850c4f278").with_display_name("Calling Bot");
    let from = source(identity_set().with_application_instance(bot));
    let from = with_nulls(
        from,
        &["countryCode", "endpointType", "region", "languageId"],
    );
    Ok(CreateCallRequest::new(CALLBACK, media)
        .with_odata_type("#microsoft.graph.call")
        .with_source(from)
        .with_targets([invitation(IdentitySet::phone(PHONE)?)])
        .with_requested_modalities([Modality::Audio])
        .with_tenant_id("aa67bd4c-8475-432d-bd41-39f255720e0a"))
}

/// Transfer examples 1 and 5: Heidi, untyped, on a default endpoint.
fn heidi() -> Result<InvitationParticipantInfo, BodyError> {
    let user = Identity::default()
        .with_id(HEIDI)
        .with_display_name("Heidi Steen");
    InvitationParticipantInfo::to(IdentitySet::default().with_user(user))
        .with_property("endpointType", EndpointType::Default)
}

/// An invitee of the invite examples: an Entra user, replacing the bot's peer-to-peer call.
fn aad_invitee(id: &str) -> Result<InvitationParticipantInfo, BodyError> {
    let user = identity(id).with_property("identityProvider", "AAD")?;
    Ok(invitation(identity_set().with_user(user))
        .with_replaces_call_id("a7ebfb2d-871e-419c-87af-27290b22e8db"))
}

/// application-post-calls.md, "Example 1: Create peer-to-peer VoIP call with service hosted
/// media".
#[test]
fn create_call_example_1_peer_to_peer_voip_with_service_hosted_media() {
    let john = identity("112f7296-5fa4-42ca-bae8-6a692b15d4b8").with_display_name("John");
    let options = CallOptions::outgoing().with_is_content_sharing_notification_enabled(true);
    let call = CreateCallRequest::new(CALLBACK, MediaConfig::service_hosted())
        .with_odata_type("#microsoft.graph.call")
        .with_targets([invitation(identity_set().with_user(john))])
        .with_requested_modalities([Modality::Audio])
        .with_call_options(options);
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.1.json"));
}

/// application-post-calls.md, "Example 2: Create peer-to-peer VoIP call with application hosted
/// media".
#[test]
fn create_call_example_2_peer_to_peer_voip_with_application_hosted_media() {
    let bot = identity("2891555a-92ff-42e6-80fa-6e1300c6b5c6").with_display_name("Calling Bot");
    let from = source(identity_set().with_application(bot));
    let from = with_nulls(from, &["region", "languageId"]);
    let john = identity("112f7296-5fa4-42ca-bae8-6a692b15d4b8").with_display_name("John");
    let media = MediaConfig::app_hosted("<Media Session Configuration>");
    let call = CreateCallRequest::new(CALLBACK, media)
        .with_odata_type("#microsoft.graph.call")
        .with_source(from)
        .with_targets([invitation(identity_set().with_user(john))])
        .with_requested_modalities([Modality::Audio]);
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.2.json"));
}

/// application-post-calls.md, "Example 3: Create a group call with service hosted media".
#[test]
fn create_call_example_3_group_call_with_service_hosted_media() -> Result<(), BodyError> {
    let media =
        MediaConfig::service_hosted().with_property("removeFromDefaultAudioGroup", false)?;
    let call = group_call("Create a group call with service hosted media", media);
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.3.json"));
    Ok(())
}

/// application-post-calls.md, "Example 4: Create a group call with application hosted media".
#[test]
fn create_call_example_4_group_call_with_application_hosted_media() -> Result<(), BodyError> {
    // The example sends no `blob`, which `MediaConfig::app_hosted` asks for.
    let media = MediaConfig::new(APP_HOSTED).with_property("removeFromDefaultAudioGroup", false)?;
    let call = group_call("Create a group call with application hosted media", media);
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.4.json"));
    Ok(())
}

/// application-post-calls.md, "Example 5: Join scheduled meeting with service hosted media".
#[test]
fn create_call_example_5_join_meeting_with_service_hosted_media() -> Result<(), BodyError> {
    let tenant = "86dc81db-c112-4228-9222-63f3esaa1edb";
    let call = CreateCallRequest::new(CALLBACK, join_media())
        .with_odata_type("#microsoft.graph.call")
        .with_requested_modalities([Modality::Audio])
        .with_chat_info(meeting_chat())
        .with_meeting_info(organizer_meeting(tenant)?)
        .with_tenant_id(tenant);
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.5.json"));
    Ok(())
}

/// application-post-calls.md, "Example 6: Join scheduled meeting with application hosted media".
#[test]
fn create_call_example_6_join_meeting_with_application_hosted_media() -> Result<(), BodyError> {
    let tenant = "aa67bd4c-8475-432d-bd41-39f255720e0a";
    // The example sends no `blob`, which `MediaConfig::app_hosted` asks for.
    let call = CreateCallRequest::new(CALLBACK, MediaConfig::new(APP_HOSTED))
        .with_odata_type("#microsoft.graph.call")
        .with_direction(CallDirection::Outgoing)
        .with_requested_modalities([Modality::Audio])
        .with_chat_info(meeting_chat())
        .with_meeting_info(organizer_meeting(tenant)?)
        .with_tenant_id(tenant);
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.6.json"));
    Ok(())
}

/// application-post-calls.md, "Example 7: Join a scheduled meeting with joinMeetingId and
/// passcode".
#[test]
fn create_call_example_7_join_meeting_with_join_meeting_id_and_passcode() {
    let meeting = MeetingInfo::default()
        .with_odata_type("#microsoft.graph.joinMeetingIdMeetingInfo")
        .with_join_meeting_id("1234567")
        .with_passcode("psw123");
    let call = CreateCallRequest::new(CALLBACK, join_media())
        .with_odata_type("#microsoft.graph.call")
        .with_requested_modalities([Modality::Audio])
        .with_meeting_info(meeting)
        .with_tenant_id("86dc81db-c112-4228-9222-63f3esaa1edb");
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.7.json"));
}

/// application-post-calls.md, "Example 8: Join a scheduled meeting with joinMeetingId".
#[test]
fn create_call_example_8_join_meeting_with_join_meeting_id() {
    let meeting = MeetingInfo::default()
        .with_odata_type("#microsoft.graph.joinMeetingIdMeetingInfo")
        .with_join_meeting_id("1234567");
    let meeting = with_nulls(meeting, &["passcode"]);
    let call = CreateCallRequest::new(CALLBACK, join_media())
        .with_odata_type("#microsoft.graph.call")
        .with_requested_modalities([Modality::Audio])
        .with_meeting_info(meeting)
        .with_tenant_id("86dc81db-c112-4228-9222-63f3esaa1edb");
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.8.json"));
}

/// application-post-calls.md, "Example 9: Create peer-to-peer PSTN call with service hosted
/// media".
#[test]
fn create_call_example_9_pstn_with_service_hosted_media() -> Result<(), BodyError> {
    let call = pstn_call(MediaConfig::service_hosted())?;
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.9.json"));
    Ok(())
}

/// application-post-calls.md, "Example 10: Create peer-to-peer PSTN call with application
/// hosted media".
#[test]
fn create_call_example_10_pstn_with_application_hosted_media() -> Result<(), BodyError> {
    let call = pstn_call(MediaConfig::app_hosted("<Media Session Configuration>"))?;
    let built = serde_json::to_value(&call).unwrap();
    assert_eq!(built, fixture("application-post-calls.10.json"));
    Ok(())
}

/// call-answer.md, the unnumbered example before "Example 1" ("The following example shows how
/// to call this API.").
#[test]
fn answer_first_example_app_hosted_media_with_call_options() {
    let options = CallOptions::incoming().with_is_content_sharing_notification_enabled(true);
    let media = MediaConfig::app_hosted("<Media Session Configuration Blob>");
    let answer = AnswerRequest::new([Modality::Audio], media)
        .with_callback_uri("callbackUri-value")
        .with_call_options(options)
        .with_participant_capacity(200.into());
    let built = serde_json::to_value(&answer).unwrap();
    assert_eq!(built, fixture("call-answer.0.json"));
}

/// call-answer.md, "Example 1: Answer a Peer-to-Peer VoIP call with service hosted media".
#[test]
fn answer_example_1_peer_to_peer_voip_with_service_hosted_media() {
    let media = MediaConfig::service_hosted().with_pre_fetch_media([
        MediaInfo::new("https://cdn.contoso.com/beep.wav")
            .with_resource_id("1D6DE2D4-CD51-4309-8DAA-70768651088E"),
        MediaInfo::new("https://cdn.contoso.com/cool.wav")
            .with_resource_id("1D6DE2D4-CD51-4309-8DAA-70768651088F"),
    ]);
    let answer = AnswerRequest::new([Modality::Audio], media)
        .with_callback_uri("https://bot.contoso.com/api/calls");
    let built = serde_json::to_value(&answer).unwrap();
    assert_eq!(built, fixture("call-answer.1.json"));
}

/// call-answer.md, "Example 2: Answer VOIP call with application hosted media".
#[test]
fn answer_example_2_voip_with_application_hosted_media() {
    let media = MediaConfig::app_hosted("<Media Session Configuration Blob>");
    let answer = AnswerRequest::new([Modality::Audio], media)
        .with_callback_uri("https://bot.contoso.com/api/calls");
    let built = serde_json::to_value(&answer).unwrap();
    assert_eq!(built, fixture("call-answer.2.json"));
}

/// call-reject.md, "Example 1: Reject an incoming call with 'Busy' reason".
#[test]
fn reject_example_1_busy() {
    let reject = RejectRequest::new().with_reason(RejectReason::Busy);
    let built = serde_json::to_value(&reject).unwrap();
    assert_eq!(built, fixture("call-reject.1.json"));
}

/// call-reject.md, "Example 2: Reject an incoming call with 'None' reason".
#[test]
fn reject_example_2_none() {
    let reject = RejectRequest::new().with_reason(RejectReason::None);
    let built = serde_json::to_value(&reject).unwrap();
    assert_eq!(built, fixture("call-reject.2.json"));
}

/// call-redirect.md, "Example 1: Forward a Call to a Target".
#[test]
fn redirect_example_1_forward_to_a_target() {
    let bot = identity("22bfd41f-550e-477d-8789-f6f7bd2a5e8b").with_display_name("test bot 2");
    let redirect = RedirectRequest::new([invitation(identity_set().with_application(bot))])
        .with_callback_uri(REDIRECT_CALLBACK);
    let built = serde_json::to_value(&redirect).unwrap();
    assert_eq!(built, fixture("call-redirect.1.json"));
}

/// call-redirect.md, "Example 2: Forward a call to multiple targets with simultaneous ring".
#[test]
fn redirect_example_2_simultaneous_ring_to_several_targets() -> Result<(), BodyError> {
    let user = |id: &str, name: &str| {
        invitation(identity_set().with_user(identity(id).with_display_name(name)))
    };
    let redirect = RedirectRequest::new([
        user("98da8a1a-1b87-452c-a713-65d3f10b1253", "test user"),
        user("bf5aae9a-d11d-47a8-93b1-782504c9c3f3", "test user 2"),
    ])
    .with_callback_uri(REDIRECT_CALLBACK)
    .with_property("routingPolicies", ["disableForwarding"])?;
    let built = serde_json::to_value(&redirect).unwrap();
    assert_eq!(built, fixture("call-redirect.2.json"));
    Ok(())
}

/// call-redirect.md, "Example 3: Forward a call to a PSTN number".
#[test]
fn redirect_example_3_forward_to_a_pstn_number() -> Result<(), BodyError> {
    let redirect = RedirectRequest::new([invitation(IdentitySet::phone(PHONE)?)])
        .with_callback_uri(REDIRECT_CALLBACK);
    let built = serde_json::to_value(&redirect).unwrap();
    assert_eq!(built, fixture("call-redirect.3.json"));
    Ok(())
}

/// call-transfer.md, "Example 1: Call transfer from a peer-to-peer call".
#[test]
fn transfer_example_1_from_a_peer_to_peer_call() -> Result<(), BodyError> {
    let transfer = TransferRequest::new(heidi()?);
    let built = serde_json::to_value(&transfer).unwrap();
    assert_eq!(built, fixture("call-transfer.1.json"));
    Ok(())
}

/// call-transfer.md, "Example 2: Consultative transfer from a peer-to-peer call".
#[test]
fn transfer_example_2_consultative_from_a_peer_to_peer_call() -> Result<(), BodyError> {
    let user = identity(HEIDI).with_display_name("Heidi Steen");
    let target = invitation(identity_set().with_user(user))
        .with_replaces_call_id("e5d39592-99bd-4db8-bca8-30fb894ec51d")
        .with_property("endpointType", EndpointType::Default)?;
    let transfer = TransferRequest::new(target);
    let built = serde_json::to_value(&transfer).unwrap();
    assert_eq!(built, fixture("call-transfer.2.json"));
    Ok(())
}

/// call-transfer.md, "Example 3: Call transfer from a peer-to-peer call to PSTN number".
#[test]
fn transfer_example_3_from_a_peer_to_peer_call_to_a_pstn_number() -> Result<(), BodyError> {
    // The example types the phone's identity, not the identity set around it.
    let phone = IdentitySet::default().with_phone(identity(PHONE));
    let target = InvitationParticipantInfo::to(phone)
        .with_property("endpointType", EndpointType::Default)?
        .with_property("languageId", "languageId-value")?
        .with_property("region", "region-value")?;
    let transfer = TransferRequest::new(target)
        .with_property("clientContext", "9e90d1c1-f61e-43e7-9f75-d420159aae08")?;
    let built = serde_json::to_value(&transfer).unwrap();
    assert_eq!(built, fixture("call-transfer.3.json"));
    Ok(())
}

/// call-transfer.md, "Example 4: Consultative transfer from a peer-to-peer call to PSTN number".
#[test]
fn transfer_example_4_consultative_to_a_pstn_number() -> Result<(), BodyError> {
    let target = invitation(IdentitySet::phone(PHONE)?)
        .with_replaces_call_id("e5d39592-99bd-4db8-bca8-30fb894ec51d")
        .with_property("endpointType", EndpointType::Default)?
        .with_property("languageId", "en-us")?
        .with_property("region", "amer")?;
    let transfer = TransferRequest::new(target)
        .with_property("clientContext", "9e90d1c1-f61e-43e7-9f75-d420159aae08")?;
    let built = serde_json::to_value(&transfer).unwrap();
    assert_eq!(built, fixture("call-transfer.4.json"));
    Ok(())
}

/// call-transfer.md, "Example 5: Call transfer from a group call".
#[test]
fn transfer_example_5_from_a_group_call() -> Result<(), BodyError> {
    let user = Identity::default()
        .with_id("751f6800-3180-414d-bd94-333364659951")
        .with_property("tenantId", "72f988bf-86f1-41af-91ab-2d7cd011db47")?;
    let transferee = ParticipantInfo::default()
        .with_identity(IdentitySet::default().with_user(user))
        .with_participant_id("909c6581-5130-43e9-88f3-fcb3582cde37");
    let transfer = TransferRequest::new(heidi()?).with_transferee(transferee);
    let built = serde_json::to_value(&transfer).unwrap();
    assert_eq!(built, fixture("call-transfer.5.json"));
    Ok(())
}

/// call-playprompt.md, "Example".
#[test]
fn play_prompt_example() {
    let beep = MediaInfo::new("https://cdn.contoso.com/beep.wav")
        .with_odata_type("#microsoft.graph.mediaInfo")
        .with_resource_id("1D6DE2D4-CD51-4309-8DAA-70768651088E");
    let play = PlayPromptRequest::new([Prompt::new(MEDIA_PROMPT).with_media_info(beep)])
        .with_client_context("d45324c1-fcb5-430a-902c-f20af696537c");
    let built = serde_json::to_value(&play).unwrap();
    assert_eq!(built, fixture("call-playprompt.1.json"));
}

/// call-record.md, "Example 1: Records a short audio response from the caller".
#[test]
fn record_response_example_1_short_audio_response() {
    let beep = MediaInfo::new("https://cdn.contoso.com/beep.wav")
        .with_resource_id("1D6DE2D4-CD51-4309-8DAA-70768651088E");
    let record = RecordResponseRequest::new()
        .with_barge_in_allowed(true)
        .with_client_context("d45324c1-fcb5-430a-902c-f20af696537c")
        .with_prompts([Prompt::new(MEDIA_PROMPT).with_media_info(beep)])
        .with_max_record_duration_in_seconds(10.into())
        .with_initial_silence_timeout_in_seconds(5.into())
        .with_max_silence_timeout_in_seconds(2.into())
        .with_play_beep(true)
        .with_stop_tones(["#", "1", "*"]);
    let built = serde_json::to_value(&record).unwrap();
    assert_eq!(built, fixture("call-record.1.json"));
}

/// call-cancelmediaprocessing.md, "Example".
#[test]
fn cancel_media_processing_example() {
    let cancel = ClientContextRequest::new().with_client_context("clientContext-value");
    let built = serde_json::to_value(&cancel).unwrap();
    assert_eq!(built, fixture("call-cancelmediaprocessing.1.json"));
}

/// call-subscribetotone.md, "Example".
#[test]
fn subscribe_to_tone_example() {
    let subscribe =
        ClientContextRequest::new().with_client_context("fd1c7836-4d84-4e24-b6aa-23188688cc54");
    let built = serde_json::to_value(&subscribe).unwrap();
    assert_eq!(built, fixture("call-subscribetotone.1.json"));
}

/// call-senddtmftones.md, "Examples".
#[test]
fn send_dtmf_tones_example() {
    let tones = [
        Tone::Tone1,
        Tone::Tone2,
        Tone::Tone3,
        Tone::Tone4,
        Tone::Tone5,
        Tone::Tone6,
        Tone::Tone7,
        Tone::Tone8,
        Tone::Tone9,
        Tone::Tone0,
        Tone::Star,
        Tone::Pound,
    ];
    let send = SendDtmfTonesRequest::new(tones)
        .with_delay_between_tones_ms(1000.into())
        .with_client_context("e0be71f1-a14f-4cec-b65a-e7aba5db7c53");
    let built = serde_json::to_value(&send).unwrap();
    assert_eq!(built, fixture("call-senddtmftones.1.json"));
}

/// call-mute.md, "Example".
#[test]
fn mute_example() {
    let mute = ClientContextRequest::new().with_client_context("clientContext-value");
    let built = serde_json::to_value(&mute).unwrap();
    assert_eq!(built, fixture("call-mute.1.json"));
}

/// call-unmute.md, "Example".
#[test]
fn unmute_example() {
    let unmute = ClientContextRequest::new().with_client_context("clientContext-value");
    let built = serde_json::to_value(&unmute).unwrap();
    assert_eq!(built, fixture("call-unmute.1.json"));
}

/// call-updaterecordingstatus.md, "Example".
#[test]
fn update_recording_status_example() {
    let update = UpdateRecordingStatusRequest::new(RecordingStatus::Recording)
        .with_client_context("clientContext-value");
    let built = serde_json::to_value(&update).unwrap();
    assert_eq!(built, fixture("call-updaterecordingstatus.1.json"));
}

/// call-changescreensharingrole.md, "Example".
#[test]
fn change_screen_sharing_role_example() {
    let change = ChangeScreenSharingRoleRequest::new(ScreenSharingRole::Viewer);
    let built = serde_json::to_value(&change).unwrap();
    assert_eq!(built, fixture("call-changescreensharingrole.1.json"));
}

/// participant-invite.md, "Example 1: Invite one participant to an existing group call".
#[test]
fn invite_participants_example_1_one_participant() -> Result<(), BodyError> {
    let invitee = aad_invitee("278405a3-f568-4b3e-b684-009193463064")?;
    let invite = InviteParticipantsRequest::new([invitee])
        .with_client_context("f2fa86af-3c51-4bc2-8fc0-475452d9764f");
    let built = serde_json::to_value(&invite).unwrap();
    assert_eq!(built, fixture("participant-invite.1.json"));
    Ok(())
}

/// participant-invite.md, "Example 2: Invite multiple participants to an existing group call".
#[test]
fn invite_participants_example_2_several_participants() -> Result<(), BodyError> {
    let invite = InviteParticipantsRequest::new([
        aad_invitee("7e1b4346-85a6-4bdd-abe3-d11c5d420efe")?,
        aad_invitee("1e126418-44a0-4a94-a6f8-0efe1ad71acb")?,
    ])
    .with_client_context("f2fa86af-3c51-4bc2-8fc0-475452d9764f");
    let built = serde_json::to_value(&invite).unwrap();
    assert_eq!(built, fixture("participant-invite.2.json"));
    Ok(())
}

/// participant-invite.md, "Example 3: Invite participants to a an existing group call,
/// replacing an existing Peer-to-Peer call".
#[test]
fn invite_participants_example_3_replacing_a_peer_to_peer_call() -> Result<(), BodyError> {
    let invitee = aad_invitee("7e1b4346-85a6-4bdd-abe3-d11c5d420efe")?;
    let invite = InviteParticipantsRequest::new([invitee])
        .with_client_context("f2fa86af-3c51-4bc2-8fc0-475452d9764f");
    let built = serde_json::to_value(&invite).unwrap();
    assert_eq!(built, fixture("participant-invite.3.json"));
    Ok(())
}

/// participant-mute.md, "Example - Mute specific participant".
#[test]
fn participant_mute_example() {
    let mute =
        ClientContextRequest::new().with_client_context("d45324c1-fcb5-430a-902c-f20af696537c");
    let built = serde_json::to_value(&mute).unwrap();
    assert_eq!(built, fixture("participant-mute.1.json"));
}

/// participant-startholdmusic.md, "Example".
#[test]
fn start_hold_music_example() {
    let on_hold = MediaInfo::new("https://bot.contoso.com/onHold.wav")
        .with_odata_type("#microsoft.graph.mediaInfo");
    let start = StartHoldMusicRequest::new()
        .with_custom_prompt(Prompt::new(MEDIA_PROMPT).with_media_info(on_hold))
        .with_client_context("d45324c1-fcb5-430a-902c-f20af696537c");
    let built = serde_json::to_value(&start).unwrap();
    assert_eq!(built, fixture("participant-startholdmusic.1.json"));
}

/// participant-stopholdmusic.md, "Example".
#[test]
fn stop_hold_music_example() {
    let stop =
        ClientContextRequest::new().with_client_context("d45324c1-fcb5-430a-902c-f20af696537c");
    let built = serde_json::to_value(&stop).unwrap();
    assert_eq!(built, fixture("participant-stopholdmusic.1.json"));
}

/// participant-delete.md, "Example 2: Cancel invited non active participant": its first
/// request, "Invite a participant to an existing call" (the delete has no body).
#[test]
fn delete_participant_example_2_invites_the_participant_first() -> Result<(), BodyError> {
    let invitee = aad_invitee("278405a3-f568-4b3e-b684-009193463064")?;
    let invite = InviteParticipantsRequest::new([invitee])
        .with_client_context("f2fa86af-3c51-4bc2-8fc0-475452d9764f");
    let built = serde_json::to_value(&invite).unwrap();
    assert_eq!(built, fixture("participant-delete.2.json"));
    Ok(())
}

/// call-addlargegalleryview.md, "Example".
#[test]
fn add_large_gallery_view_example() {
    let add =
        ClientContextRequest::new().with_client_context("785f4929-92ca-497b-863f-c778c77c9758");
    let built = serde_json::to_value(&add).unwrap();
    assert_eq!(built, fixture("call-addlargegalleryview.1.json"));
}

/// call-post-audioroutinggroups.md, "Example 1: One-to-one audio routing group".
#[test]
fn create_audio_routing_group_example_1_one_to_one() {
    let group = AudioRoutingGroup::new()
        .with_id("oneToOne")
        .with_routing_mode(RoutingMode::OneToOne)
        .with_sources(["632899f8-2ea1-4604-8413-27bd2892079f"])
        .with_receivers(["550fae72-d251-43ec-868c-373732c2704f"]);
    let built = serde_json::to_value(&group).unwrap();
    assert_eq!(built, fixture("call-post-audioroutinggroups.1.json"));
}

/// call-post-audioroutinggroups.md, "Example 2: Multicast audioRoutingGroup".
#[test]
fn create_audio_routing_group_example_2_multicast() {
    let group = AudioRoutingGroup::new()
        .with_id("multicast")
        .with_routing_mode(RoutingMode::Multicast)
        .with_sources(["632899f8-2ea1-4604-8413-27bd2892079f"])
        .with_receivers([
            "550fae72-d251-43ec-868c-373732c2704f",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
        ]);
    let built = serde_json::to_value(&group).unwrap();
    assert_eq!(built, fixture("call-post-audioroutinggroups.2.json"));
}

/// audioroutinggroup-update.md, "Example".
#[test]
fn update_audio_routing_group_example() {
    let group = AudioRoutingGroup::new()
        .with_id("oneToOne")
        .with_routing_mode(RoutingMode::OneToOne)
        .with_sources(["632899f8-2ea1-4604-8413-27bd2892079f"])
        .with_receivers([
            "550fae72-d251-43ec-868c-373732c2704f",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
        ]);
    let built = serde_json::to_value(&group).unwrap();
    assert_eq!(built, fixture("audioroutinggroup-update.1.json"));
}

/// A fixture added to the folder without a test fails here, as does a name in `TESTED` whose
/// file is gone.
#[test]
fn every_doc_example_has_a_test() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let tested: BTreeSet<String> = TESTED.iter().map(|name| (*name).to_owned()).collect();
    assert_eq!(tested.len(), TESTED.len(), "a name is twice in TESTED");
    assert_eq!(on_disk, tested);
}
