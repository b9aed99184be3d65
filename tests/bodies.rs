//! The request bodies as a user builds them, from outside the crate: `new` with what Graph
//! requires, `with_` for the rest, `extra` for what the schema does not name yet. Each body
//! built here is compared, as JSON, with the request of its Graph doc page
//! (`schema/examples/`, sources in its README), or, for Graph's error body, with the JSON
//! Graph sends.

use msgraph_calls::resources::{
    CallOptions, Identity, IdentitySet, InvitationParticipantInfo, MeetingInfo, Modality,
};
use msgraph_calls::types::{
    AnswerRequest, ClientContextRequest, CreateCallRequest, InnerError, MainError, MediaConfig,
    MediaInfo, ODataError, PlayPromptRequest, Prompt, RecordResponseRequest, RedirectRequest,
    RejectReason, RejectRequest, SendDtmfTonesRequest, StartHoldMusicRequest,
};
use serde_json::{json, Value};

fn doc(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn an_answer_built_with_its_builders_is_the_docs_request() {
    let options = CallOptions::incoming().with_is_content_sharing_notification_enabled(true);
    let answer = AnswerRequest::new(
        [Modality::Audio],
        MediaConfig::app_hosted("<Media Session Configuration Blob>"),
    )
    .with_callback_uri("callbackUri-value")
    .with_participant_capacity(200.into())
    .with_call_options(options);
    assert_eq!(
        serde_json::to_value(&answer).unwrap(),
        doc(include_str!("../schema/examples/answer.request.json"))
    );
}

#[test]
fn lists_are_taken_from_any_iterator_and_strings_from_anything_that_becomes_one() {
    let target: InvitationParticipantInfo = serde_json::from_value(json!({
        "@odata.type": "#microsoft.graph.invitationParticipantInfo",
        "identity": {
            "@odata.type": "#microsoft.graph.identitySet",
            "application": {
                "@odata.type": "#microsoft.graph.identity",
                "displayName": "test bot 2",
                "id": "22bfd41f-550e-477d-8789-f6f7bd2a5e8b"
            }
        }
    }))
    .unwrap();
    let callback =
        String::from("https://bot.contoso.com/api/calls/24701998-1a73-4d42-8085-bf46ed0ae039");
    let redirect = RedirectRequest::new(std::iter::once(target)).with_callback_uri(callback);
    assert_eq!(
        serde_json::to_value(&redirect).unwrap(),
        doc(include_str!("../schema/examples/redirect.request.json"))
    );

    let tones = [
        "tone1", "tone2", "tone3", "tone4", "tone5", "tone6", "tone7", "tone8",
    ]
    .into_iter()
    .chain(["tone9", "tone0", "star", "pound"])
    .map(|tone| serde_json::from_value(json!(tone)).unwrap());
    let dtmf = SendDtmfTonesRequest::new(tones)
        .with_delay_between_tones_ms(1000.into())
        .with_client_context("e0be71f1-a14f-4cec-b65a-e7aba5db7c53");
    assert_eq!(
        serde_json::to_value(&dtmf).unwrap(),
        doc(include_str!(
            "../schema/examples/send-dtmf-tones.request.json"
        ))
    );
}

#[test]
fn a_body_with_nothing_required_starts_as_graph_would_read_an_empty_object() {
    // `new` must leave every property as reading `{}` would: unset, not sent.
    fn empty<T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug>(
        built: T,
    ) {
        assert_eq!(built, serde_json::from_str::<T>("{}").unwrap());
        assert_eq!(serde_json::to_value(&built).unwrap(), json!({}));
    }
    empty(ClientContextRequest::new());
    empty(ClientContextRequest::default());
    empty(RejectRequest::new());
    empty(RecordResponseRequest::new());
    empty(StartHoldMusicRequest::new());
    empty(InnerError::new());
    let reject = RejectRequest::new().with_reason(RejectReason::Busy);
    assert_eq!(
        serde_json::to_value(&reject).unwrap(),
        doc(include_str!("../schema/examples/reject.request.json"))
    );
}

#[test]
fn a_call_and_a_recording_built_with_their_builders_are_the_docs_requests() {
    // The model types a body holds have `with_` methods too.
    let john = Identity::default()
        .with_odata_type("#microsoft.graph.identity")
        .with_display_name("John")
        .with_id("112f7296-5fa4-42ca-bae8-6a692b15d4b8");
    let target = InvitationParticipantInfo::default()
        .with_odata_type("#microsoft.graph.invitationParticipantInfo")
        .with_identity(
            IdentitySet::default()
                .with_odata_type("#microsoft.graph.identitySet")
                .with_user(john),
        );
    let options = CallOptions::outgoing().with_is_content_sharing_notification_enabled(true);
    // A property the schema does not name goes in `extra`, sent as given.
    let mut call = CreateCallRequest::new(
        "https://bot.contoso.com/callback",
        MediaConfig::service_hosted(),
    )
    .with_odata_type("#microsoft.graph.call")
    .with_targets([target])
    .with_requested_modalities([Modality::Audio])
    .with_call_options(options);
    call.extra.insert("x-bot-trace".into(), json!("7f3c"));
    let mut expected = doc(include_str!("../schema/examples/create-call.request.json"));
    expected["x-bot-trace"] = json!("7f3c");
    assert_eq!(serde_json::to_value(&call).unwrap(), expected);

    let media = MediaInfo::new("https://cdn.contoso.com/beep.wav")
        .with_resource_id("1D6DE2D4-CD51-4309-8DAA-70768651088E");
    let record = RecordResponseRequest::new()
        .with_barge_in_allowed(true)
        .with_client_context("d45324c1-fcb5-430a-902c-f20af696537c")
        .with_prompts([Prompt::new("#microsoft.graph.mediaPrompt").with_media_info(media)])
        .with_max_record_duration_in_seconds(10.into())
        .with_initial_silence_timeout_in_seconds(5.into())
        .with_max_silence_timeout_in_seconds(2.into())
        .with_play_beep(true)
        .with_stop_tones(["#", "1", "*"]);
    assert_eq!(
        serde_json::to_value(&record).unwrap(),
        doc(include_str!(
            "../schema/examples/record-response.request.json"
        ))
    );
}

#[test]
fn graphs_error_body_can_be_built_for_a_test_and_nests() {
    let inner = InnerError::new()
        .with_request_id("b3dd0f70-7e5b-4b6d-9c9b-a0a9d2e3f6a1")
        .with_inner_error(InnerError::new().with_date("2026-11-26T10:00:00"));
    let error = ODataError::new(
        MainError::new("Forbidden", "Application does not have permission to call.")
            .with_inner_error(inner),
    );
    assert_eq!(
        serde_json::to_value(&error).unwrap(),
        json!({"error": {
            "code": "Forbidden",
            "message": "Application does not have permission to call.",
            "innerError": {
                "request-id": "b3dd0f70-7e5b-4b6d-9c9b-a0a9d2e3f6a1",
                "innerError": {"date": "2026-11-26T10:00:00"}
            }
        }})
    );
}

/// The review's cases: a prompt's SAS URL and an `accessToken` set in `extra` were printed by
/// the request types' derived `Debug`.
#[test]
fn request_bodies_hide_secrets_and_url_queries_in_debug() {
    let sas =
        "https://contoso.blob.core.windows.net/prompts/menu.wav?sv=2024-11-04&sp=r&sig=Zm9vYmFy%3D";
    let mut body = PlayPromptRequest::new([Prompt::media(sas)]).with_client_context("ctx-1");
    body.extra
        .insert("accessToken".into(), json!("eyJ0eXAi.extra-secret-4d2a"));
    body.extra.insert(
        "callbackUri".into(),
        json!("https://bot.contoso.com/api/calls?code=fn-key-88e1"),
    );
    let shown = format!("{body:?} {body:#?}");
    for secret in ["Zm9vYmFy", "sig=", "extra-secret-4d2a", "fn-key-88e1"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    // What is not secret is still there to read.
    for visible in [
        "PlayPromptRequest",
        "ctx-1",
        "https://contoso.blob.core.windows.net/prompts/menu.wav?<redacted>",
        "accessToken",
    ] {
        assert!(shown.contains(visible), "{visible} not in {shown}");
    }
    // Sent as set.
    let sent = serde_json::to_value(&body).unwrap();
    assert_eq!(sent["prompts"][0]["mediaInfo"]["uri"], sas);
    assert_eq!(sent["accessToken"], "eyJ0eXAi.extra-secret-4d2a");

    let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
        .with_callback_uri("https://bot.contoso.com/api/calls?code=fn-key-31b7");
    let shown = format!("{answer:?}");
    assert!(!shown.contains("fn-key-31b7"), "{shown}");
    assert!(
        shown.contains("https://bot.contoso.com/api/calls?<redacted>"),
        "{shown}"
    );
}

#[test]
fn a_meetings_secrets_set_with_setters_stay_out_of_debug() {
    let meeting = MeetingInfo::default()
        .with_odata_type("#microsoft.graph.joinMeetingIdMeetingInfo")
        .with_join_meeting_id("1234567890")
        .with_passcode("p4ss-c0de")
        .with_token("t0ken-value");
    let shown = format!("{meeting:?}");
    assert!(shown.contains("1234567890"), "{shown}");
    assert!(
        !shown.contains("p4ss-c0de") && !shown.contains("t0ken-value"),
        "{shown}"
    );
    assert_eq!(
        serde_json::to_value(&meeting).unwrap()["passcode"],
        "p4ss-c0de",
        "sent as set"
    );
}
