//! The request bodies as a user builds them, from outside the crate: `new` with what Graph
//! requires, `with_` for the rest, `extra` for what the schema does not name yet. Each body
//! built here is compared, as JSON, with the request of its Graph doc page
//! (`schema/examples/`, sources in its README).

use msgraph_calls::notifications::{InvitationParticipantInfo, Modality};
use msgraph_calls::types::{
    AnswerRequest, ClientContextRequest, MediaConfig, RedirectRequest, RejectReason, RejectRequest,
    SendDtmfTonesRequest,
};
use serde_json::{json, Value};

fn doc(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn an_answer_built_with_its_builders_is_the_docs_request() {
    let mut answer = AnswerRequest::new(
        [Modality::Audio],
        MediaConfig::app_hosted("<Media Session Configuration Blob>"),
    )
    .with_callback_uri("callbackUri-value")
    .with_participant_capacity(200.into());
    // callOptions is not in the schema yet: `extra` sends it as given.
    answer.extra.insert(
        "callOptions".into(),
        json!({"@odata.type": "#microsoft.graph.incomingCallOptions", "isContentSharingNotificationEnabled": true}),
    );
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
fn a_body_with_nothing_required_starts_empty_and_sends_only_what_was_set() {
    assert_eq!(ClientContextRequest::default(), ClientContextRequest::new());
    assert_eq!(
        serde_json::to_value(ClientContextRequest::default()).unwrap(),
        json!({})
    );
    let reject = RejectRequest::new().with_reason(RejectReason::Busy);
    assert_eq!(
        serde_json::to_value(&reject).unwrap(),
        doc(include_str!("../schema/examples/reject.request.json"))
    );
}
