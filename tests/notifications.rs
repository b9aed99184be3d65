//! Reading callback bodies: the fixtures of `tests/fixtures/notifications/` (sources in its
//! README), decoded, snapshotted and written back.

use msgraph_calls::notifications::{self, ChangeType, ResourceData};
use msgraph_calls::resources::CallState;
use msgraph_calls::termination::{Category, Lang};

const TERMINATING: &[u8] = include_bytes!("fixtures/notifications/call-delete-terminating.json");
const TERMINATED: &[u8] = include_bytes!("fixtures/notifications/call-delete-terminated.json");
const TERMINATED_NUMERIC: &[u8] =
    include_bytes!("fixtures/notifications/call-delete-terminated-numeric.json");

#[test]
fn every_fixture_decodes_and_round_trips() {
    insta::glob!("fixtures/notifications/*.json", |path| {
        let body = std::fs::read(path).unwrap();
        let batch =
            notifications::from_slice(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        insta::assert_debug_snapshot!(batch);
        let original: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            serde_json::to_value(&batch).unwrap(),
            original,
            "{}",
            path.display()
        );
    });
}

#[test]
fn terminating_notification_is_an_updated_call() {
    let batch = notifications::from_slice(TERMINATING).unwrap();
    assert_eq!(batch.notifications().len(), 1);
    let n = &batch.notifications()[0];
    assert_eq!(n.change_type, Some(ChangeType::Updated));
    assert_eq!(
        n.resource_url.as_deref(),
        Some("/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896")
    );
    assert!(batch.all_problems().next().is_none());
    let call = n.call().expect("a call");
    assert_eq!(call.state, Some(CallState::Terminating));
    assert!(call.result_info.is_none());
}

#[track_caller]
fn assert_terminated_by_5001(body: &[u8], codes_as_text: bool) {
    let batch = notifications::from_slice(body).unwrap();
    let n = &batch.notifications()[0];
    assert_eq!(n.change_type, Some(ChangeType::Deleted));
    let call = n.call().expect("a call");
    assert_eq!(call.state, Some(CallState::Terminated));
    let info = call.result_info.as_ref().unwrap();
    assert_eq!(info.code.as_ref().unwrap().get(), Some(200));
    assert_eq!(info.subcode.as_ref().unwrap().get(), Some(5001));
    assert_eq!(info.code.as_ref().unwrap().is_text(), codes_as_text);
    assert_eq!(info.message.as_deref(), Some("The conversation has ended."));
    let reason = info.reason().unwrap();
    assert_eq!(reason.message(), "The conversation has ended.");
    assert_eq!(reason.message_in(Lang::Fr), "La conversation est terminée.");
    assert_eq!(info.category(), Some(Category::NormalEnd));
}

#[test]
fn terminated_with_string_codes_explains_the_ending() {
    assert_terminated_by_5001(TERMINATED, true);
}

#[test]
fn terminated_with_numeric_codes_explains_the_ending() {
    assert_terminated_by_5001(TERMINATED_NUMERIC, false);
}

#[test]
fn string_codes_go_back_out_as_strings() {
    let batch = notifications::from_slice(TERMINATED).unwrap();
    let out = serde_json::to_value(&batch).unwrap();
    assert_eq!(
        out["value"][0]["resourceData"]["resultInfo"]["code"],
        serde_json::json!("200")
    );
    let batch = notifications::from_slice(TERMINATED_NUMERIC).unwrap();
    let out = serde_json::to_value(&batch).unwrap();
    assert_eq!(
        out["value"][0]["resourceData"]["resultInfo"]["code"],
        serde_json::json!(200)
    );
}

#[test]
fn comms_operations_are_typed_with_their_own_properties_kept() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "deleted", "resourceUrl": "/communications/calls/1/operations/2",
            "resourceData": {"@odata.type": "#microsoft.graph.playPromptOperation", "status": "completed",
                "clientContext": "d45324c1", "completionReason": "completedSuccessfully",
                "resultInfo": {"@odata.type": "#microsoft.graph.resultInfo", "code": 200, "subcode": 0}}}]}"##,
    );
    match &batch.notifications()[0].resource_data {
        Some(ResourceData::Operation(operation)) => {
            assert_eq!(
                operation.status,
                Some(msgraph_calls::resources::OperationStatus::Completed)
            );
            assert_eq!(
                operation.completion_reason.as_deref(),
                Some("completedSuccessfully")
            );
        }
        other => panic!("expected an operation, got {other:?}"),
    }
}

#[test]
fn unknown_odata_type_is_kept_as_json() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "created", "resourceUrl": "/communications/calls/1/things/2",
            "resourceData": {"@odata.type": "#microsoft.graph.somethingNew", "status": "fine", "n": [1, 2]}}]}"##,
    );
    match &batch.notifications()[0].resource_data {
        Some(ResourceData::Other(value)) => assert_eq!(value["status"], "fine"),
        other => panic!("expected Other, got {other:?}"),
    }
    assert!(batch.notifications()[0].call().is_none());
}

/// An object whose `@odata.type` comes late is read again from its text: its floats, however
/// small or long, come out as they went in (a case once found by the robustness tests).
#[test]
fn floats_of_an_object_typed_late_are_kept_exactly() {
    for float in [
        "3.222311425718645e-231",
        "0.1",
        "1.7976931348623157e308",
        "5e-324",
        "2.2250738585072014e-308",
    ] {
        let body = format!(
            r##"{{"value": [{{"changeType": "created", "resourceUrl": "/communications/calls/1",
                "resourceData": {{"@odata.etag": {{"@odata.type": {float}}}, "x": [{float}, -{float}],
                    "@odata.type": "#microsoft.graph.call", "state": "incoming"}}}}]}}"##
        );
        let batch = decode_losslessly(&body);
        let call = batch.notifications()[0].call().expect("a call");
        let expected: serde_json::Value = serde_json::from_str(float).unwrap();
        assert_eq!(call.extra["x"][0], expected, "{float}");
        assert_eq!(
            call.extra["@odata.etag"]["@odata.type"], expected,
            "{float}"
        );
    }
}

#[test]
fn odata_type_that_is_not_first_still_dispatches() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "updated", "resourceUrl": "/communications/calls/1",
            "resourceData": {"state": "established", "@odata.type": "#microsoft.graph.call"}}]}"##,
    );
    assert_eq!(
        batch.notifications()[0].call().unwrap().state,
        Some(CallState::Established)
    );
}

#[test]
fn a_wrong_type_inside_resource_data_is_kept_with_its_full_path() {
    let body = r##"{"value": [{"changeType": "deleted", "resourceUrl": "/x",
        "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "terminated",
            "resultInfo": {"code": true, "subcode": 5001}}}]}"##;
    let batch = decode_losslessly(body);
    let n = &batch.notifications()[0];
    let paths: Vec<String> = n.problems.iter().map(|p| p.path()).collect();
    assert_eq!(paths, ["value[0].resourceData.resultInfo.code"]);
    assert_eq!(
        n.problems[0].reason(),
        "expected an integer, as a number or a string, found a boolean"
    );
    let result = n.call().unwrap().result_info.as_ref().unwrap();
    assert_eq!(result.code, None);
    assert_eq!(result.extra["code"], serde_json::json!(true));
    assert_eq!(result.subcode_value(), Some(5001));
    assert_eq!(n.call().unwrap().state, Some(CallState::Terminated));
}

#[track_caller]
fn assert_error_at(body: &[u8], path: &str, line: usize) -> String {
    let err = notifications::from_slice(body).unwrap_err();
    assert_eq!(err.path(), path, "{err}");
    assert_eq!(err.line(), line, "{err}");
    err.to_string()
}

#[test]
fn one_wrongly_typed_property_costs_its_field_not_the_batch() {
    // Issue 12, point 2: a `terminated` notification beside one with odd values is not lost.
    let body = r##"{"value": [
        {"changeType": "updated", "resourceUrl": "/communications/calls/1/participants",
         "resourceData": [{"@odata.type": "#microsoft.graph.participant", "id": "p1",
                           "isMuted": "yes", "info": {"identity": 7}}]},
        {"changeType": 5, "resourceUrl": "/communications/calls/1",
         "resourceData": {"@odata.type": "#microsoft.graph.call", "toneInfo": {"sequenceId": false}}},
        {"changeType": "deleted", "resourceUrl": "/communications/calls/1",
         "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "terminated",
             "resultInfo": {"code": 200, "subcode": 5001, "message": "The conversation has ended."}}}
    ]}"##;
    let batch = decode_losslessly(body);
    let [roster, odd, terminated] = batch.notifications() else {
        panic!("three notifications")
    };
    let paths = |n: &notifications::CommsNotification| -> Vec<String> {
        n.problems.iter().map(|p| p.path()).collect()
    };
    assert_eq!(
        paths(roster),
        [
            "value[0].resourceData[0].isMuted",
            "value[0].resourceData[0].info.identity"
        ]
    );
    let participant = roster.participants().next().unwrap();
    assert_eq!(participant.id.as_deref(), Some("p1"));
    assert_eq!(participant.is_muted, None);
    assert_eq!(participant.extra["isMuted"], "yes");
    assert_eq!(
        paths(odd),
        [
            "value[1].changeType",
            "value[1].resourceData.toneInfo.sequenceId"
        ]
    );
    assert_eq!(odd.change_type, None);
    assert_eq!(odd.call_id(), Some("1"));
    assert!(terminated.problems.is_empty());
    let reason = terminated
        .call()
        .unwrap()
        .result_info
        .as_ref()
        .unwrap()
        .reason();
    assert_eq!(reason.unwrap().message(), "The conversation has ended.");
    assert_eq!(batch.all_problems().count(), 4);
}

#[test]
fn a_missing_required_property_reads_as_absent() {
    // Issue 12, point 1: older bodies carry `resource` and no `resourceUrl`.
    let body = r##"{"value": [{"changeType": "deleted", "resource": "/app/calls/4b1f",
        "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "terminated"}}]}"##;
    let batch = decode_losslessly(body);
    let n = &batch.notifications()[0];
    assert_eq!(n.resource_url, None);
    assert_eq!(n.call_id(), None);
    assert_eq!(n.extra["resource"], "/app/calls/4b1f");
    assert!(n.problems.is_empty(), "absent is not a problem");
    assert!(n.call().is_some());
    let empty = decode_losslessly(r#"{"value": [{}]}"#);
    assert_eq!(empty.notifications().len(), 1);
}

#[test]
fn a_notification_that_is_not_an_object_is_kept_in_its_place() {
    let body = r##"{"value": [
        "not a notification",
        {"changeType": "deleted", "resourceUrl": "/communications/calls/2"},
        null,
        [1, 2]
    ]}"##;
    let batch = decode_losslessly(body);
    assert_eq!(batch.notifications().len(), 1);
    assert_eq!(batch.notifications()[0].call_id(), Some("2"));
    let problems: Vec<String> = batch.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "value[0]: expected a CommsNotification object, found a string",
            "value[2]: expected a CommsNotification object, found null",
            "value[3]: expected a CommsNotification object, found an array",
        ]
    );
}

#[test]
fn a_batch_whose_value_is_not_an_array_is_kept_with_its_problem() {
    for (body, found) in [
        (r#"{"value": {"changeType": "deleted"}}"#, "an object"),
        (r#"{"value": "x"}"#, "a string"),
    ] {
        let batch = decode_losslessly(body);
        assert!(batch.notifications().is_empty());
        assert_eq!(
            batch.problems[0].to_string(),
            format!("value: expected an array, found {found}")
        );
    }
}

#[test]
fn int64_properties_read_numbers_and_numeric_strings() {
    // Issue 12, point 3: as int32 ones do.
    for sequence in ["12", "\"12\""] {
        let body = format!(
            r##"{{"value": [{{"changeType": "updated", "resourceUrl": "/x", "resourceData":
                {{"@odata.type": "#microsoft.graph.call", "toneInfo": {{"sequenceId": {sequence}}}}}}}]}}"##
        );
        let batch = decode_losslessly(&body);
        let n = &batch.notifications()[0];
        assert!(n.problems.is_empty(), "{sequence}: {:?}", n.problems);
        let tone = n.call().unwrap().tone_info.as_ref().unwrap();
        assert_eq!(
            tone.sequence_id.as_ref().unwrap().get(),
            Some(12),
            "{sequence}"
        );
    }
}

#[test]
fn a_body_that_is_not_an_object_is_refused() {
    for body in ["[]", "\"value\"", "7", "null"] {
        // The body as a whole is wrong: no line to point at.
        let text = assert_error_at(body.as_bytes(), "", 0);
        assert!(
            text.contains("a callback body is a JSON object"),
            "{body}: {text}"
        );
    }
}

#[test]
fn a_body_that_breaks_off_names_where_with_its_keys_escaped() {
    // The key, once its JSON escapes are read, holds ESC and a right-to-left override.
    let body = r#"{"value": [{"changeType": "updated",
        "\u001b[31m\u202ex": [1, "#;
    let text = assert_error_at(body.as_bytes(), r#"value[0]["\u{1b}[31m\u{202e}x"]"#, 2);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
}

#[test]
fn input_that_is_not_json_is_refused() {
    let text = assert_error_at(b"<html>502</html>", "", 1);
    assert!(
        text.starts_with("notification body unreadable at body:"),
        "{text}"
    );
    assert_error_at(b"", "", 1);
}

#[test]
fn trailing_garbage_is_refused() {
    assert_error_at(b"{\"value\": []}\n}", "", 2);
    assert!(notifications::from_slice(b"{\"value\": []}\n\t ").is_ok());
}

#[test]
fn absurd_nesting_is_refused_without_overflow() {
    let mut body =
        String::from(r#"{"value": [{"changeType": "updated", "resourceUrl": "/x", "deep": "#);
    body.push_str(&"[".repeat(100_000));
    let err = notifications::from_slice(body.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

/// Decodes, checks, and asserts the body writes back as the same JSON.
#[track_caller]
fn decode_losslessly(body: &str) -> notifications::CommsNotifications {
    let batch = notifications::from_slice(body.as_bytes()).unwrap();
    let original: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(serde_json::to_value(&batch).unwrap(), original);
    batch
}

/// A key given twice, its first value of the wrong JSON type: the later value is the one read
/// (as serde_json keeps the last), and the first one's problem goes with it; a later value
/// that is wrong too leaves one problem, its own.
#[test]
fn a_key_given_twice_leaves_no_stale_problem() {
    let body = br##"{"value": [{"changeType": "updated", "resourceUrl": "/communications/calls/1",
        "resourceData": {"@odata.type": "#microsoft.graph.call",
            "state": 7, "state": "established",
            "callbackUri": true, "callbackUri": "https://bot.contoso.com/api/calls",
            "resultInfo": "no", "resultInfo": {"code": 0, "subcode": 0},
            "requestedModalities": 5, "requestedModalities": ["audio"],
            "callRoutes": {}, "callRoutes": [],
            "targets": [1, {"identity": 7}], "targets": [],
            "callChainId": 5, "callChainId": null,
            "myParticipantId": 1, "myParticipantId": false}},
        {"changeType": "updated", "resourceUrl": "/communications/calls/1",
         "resourceData": {"@odata.type": "#microsoft.graph.call",
            "resultInfo": {"code": "x", "subcode": []}, "resultInfo": {"code": 0},
            "myParticipantId": "m"}}]}"##;
    let batch = notifications::from_slice(body).unwrap();
    let notification = &batch.notifications()[0];
    let call = notification.call().unwrap();
    assert_eq!(call.state, Some(CallState::Established));
    assert_eq!(
        call.callback_uri.as_deref(),
        Some("https://bot.contoso.com/api/calls")
    );
    assert!(call.result_info.is_some());
    let problems: Vec<String> = batch
        .notifications()
        .iter()
        .flat_map(|n| n.problems.iter().map(|p| p.to_string()))
        .collect();
    assert_eq!(
        problems,
        ["value[0].resourceData.myParticipantId: expected a string, found a boolean"],
        "only the problem of a value still kept: none of an earlier value, nested or listed"
    );
    assert_eq!(
        call.extra.get("myParticipantId"),
        Some(&serde_json::json!(false))
    );
    assert!(call.extra.get("state").is_none() && call.extra.get("resultInfo").is_none());
    assert!(call.extra.get("targets").is_none());
    assert_eq!(
        call.extra.get("callChainId"),
        Some(&serde_json::Value::Null)
    );
    // A valid object given twice: its first value's nested problems go with it.
    let second = batch.notifications()[1].call().unwrap();
    let code = second.result_info.as_ref().unwrap().code.as_ref();
    assert_eq!(code.and_then(|c| c.get()), Some(0));
    assert!(
        batch.notifications()[1].problems.is_empty(),
        "{:?}",
        batch.notifications()[1].problems
    );
}

#[test]
fn unseen_call_state_is_kept() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "updated", "resourceUrl": "/communications/calls/1",
            "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "parkedSomewhere"}}]}"##,
    );
    let call = batch.notifications()[0].call().unwrap();
    assert_eq!(call.state, Some(CallState::Other("parkedSomewhere".into())));
}

#[test]
fn change_type_spelled_deleted_matches_and_goes_back_out_as_it_came() {
    let batch = decode_losslessly(
        r#"{"value": [{"changeType": "Deleted", "resourceUrl": "/communications/calls/1"}]}"#,
    );
    assert_eq!(
        batch.notifications()[0].change_type,
        Some(ChangeType::Deleted)
    );
    let unseen = decode_losslessly(
        r#"{"value": [{"changeType": "archived", "resourceUrl": "/communications/calls/1"}]}"#,
    );
    assert_eq!(
        unseen.notifications()[0].change_type,
        Some(ChangeType::Other("archived".into()))
    );
}

#[test]
fn a_changed_value_drops_the_old_spelling() {
    let mut batch = notifications::from_slice(
        br#"{"value": [{"changeType": "Deleted", "resourceUrl": "/x"}]}"#,
    )
    .unwrap();
    batch.value.as_mut().unwrap()[0].change_type = Some(ChangeType::Updated);
    let out = serde_json::to_value(&batch).unwrap();
    assert_eq!(out["value"][0]["changeType"], "updated");
}

#[test]
fn explicit_nulls_are_kept() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "updated", "resourceUrl": "/communications/calls/1",
            "resourceData": {"@odata.type": "#microsoft.graph.call", "id": null, "state": null,
                "targets": null, "resultInfo": {"code": null, "message": null}}}]}"##,
    );
    let call = batch.notifications()[0].call().unwrap();
    assert_eq!(call.id, None);
    assert_eq!(call.extra.get("id"), Some(&serde_json::Value::Null));
}

#[test]
fn subcode_spelled_sub_code_is_read() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "deleted", "resourceUrl": "/communications/calls/1",
            "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "terminated",
                "resultInfo": {"code": 200, "subCode": 5001, "message": "The conversation has ended."}}}]}"##,
    );
    let info = first_result_info(&batch);
    assert_eq!(
        info.reason().unwrap().message(),
        "The conversation has ended."
    );
}

#[test]
fn a_subcode_that_is_not_a_number_is_kept() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "deleted", "resourceUrl": "/communications/calls/1",
            "resourceData": {"@odata.type": "#microsoft.graph.call",
                "resultInfo": {"code": "500", "subcode": "n/a"}}}]}"##,
    );
    let info = first_result_info(&batch);
    assert!(info.reason().is_none());
    assert_eq!(info.category(), Some(Category::ServiceError));
}

#[test]
fn an_array_resource_data_is_a_roster() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "updated", "resourceUrl": "/communications/calls/1/participants",
            "resourceData": [
                {"@odata.type": "#microsoft.graph.participant", "id": "p1", "isMuted": true,
                 "mediaStreams": [{"mediaType": "Audio", "direction": "sendReceive", "serverMuted": false}]},
                {"@odata.type": "#microsoft.graph.participant", "id": "p2", "isInLobby": false}
            ]}]}"##,
    );
    match &batch.notifications()[0].resource_data {
        Some(ResourceData::Many(items)) => {
            assert_eq!(items.len(), 2);
            assert!(matches!(&items[0], ResourceData::Participant(p) if p.is_muted == Some(true)));
        }
        other => panic!("expected a roster, got {other:?}"),
    }
}

/// What bots branch on, typed (PS microsoft.graph.participant, call, callRoute,
/// callTranscriptionInfo, communicationsIdentitySet; values are the enums' members there).
#[test]
fn recording_removal_restrictions_routes_and_transcription_are_typed() {
    use msgraph_calls::resources::{
        CallTranscriptionState, EndpointType, OnlineMeetingContentSharingDisabledReason,
        OnlineMeetingVideoDisabledReason, RecordingStatus, RoutingType,
    };
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "updated", "resourceUrl": "/communications/calls/1/participants",
            "resourceData": [
                {"@odata.type": "#microsoft.graph.participant", "id": "p1",
                 "info": {"endpointType": "voicemail", "identity": {"applicationInstance": {"id": "ai-1"},
                          "guest": {"id": "g-1", "displayName": "Guest"}, "endpointType": "skypeForBusiness"}},
                 "recordingInfo": {"recordingStatus": "recording", "initiator": {"user": {"id": "u-1"}}},
                 "restrictedExperience": {"videoDisabled": "watermarkProtection",
                                          "contentSharingDisabled": "watermarkProtection,unknownFutureValue"},
                 "rosterSequenceNumber": 7},
                {"@odata.type": "#microsoft.graph.participant", "id": "p2",
                 "removedState": {"reason": "Removed by the organizer."}}
            ]}, {"changeType": "updated", "resourceUrl": "/communications/calls/1",
            "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "established",
                "callRoutes": [{"routingType": "forwarded", "original": {"user": {"id": "u-2"}},
                                "final": {"phone": {"id": "+12345678901"}}}],
                "transcription": {"state": "active", "lastModifiedDateTime": "2026-12-06T10:00:00Z"}}}]}"##,
    );
    let Some(ResourceData::Many(roster)) = &batch.notifications()[0].resource_data else {
        panic!("a roster");
    };
    let ResourceData::Participant(p1) = &roster[0] else {
        panic!("a participant")
    };
    let info = p1.info.as_ref().unwrap();
    assert_eq!(info.endpoint_type, Some(EndpointType::Voicemail));
    let identity = info.identity.as_ref().unwrap();
    assert_eq!(
        identity
            .application_instance
            .as_ref()
            .unwrap()
            .id
            .as_deref(),
        Some("ai-1")
    );
    assert_eq!(
        identity.guest.as_ref().unwrap().display_name.as_deref(),
        Some("Guest")
    );
    assert_eq!(identity.endpoint_type, Some(EndpointType::SkypeForBusiness));
    let recording = p1.recording_info.as_ref().unwrap();
    assert_eq!(recording.recording_status, Some(RecordingStatus::Recording));
    let initiator = recording.initiator.as_ref().unwrap().user.as_ref().unwrap();
    assert_eq!(initiator.id.as_deref(), Some("u-1"));
    let restricted = p1.restricted_experience.as_ref().unwrap();
    assert_eq!(
        restricted.video_disabled,
        Some(OnlineMeetingVideoDisabledReason::WatermarkProtection)
    );
    // A flags value naming two members is no single member: kept as it came.
    assert_eq!(
        restricted.content_sharing_disabled,
        Some(OnlineMeetingContentSharingDisabledReason::Other(
            "watermarkProtection,unknownFutureValue".into()
        ))
    );
    let ResourceData::Participant(p2) = &roster[1] else {
        panic!("a participant")
    };
    let removed = p2.removed_state.as_ref().unwrap();
    assert_eq!(removed.reason.as_deref(), Some("Removed by the organizer."));

    let call = batch.notifications()[1].call().unwrap();
    let route = &call.call_routes.as_ref().unwrap()[0];
    assert_eq!(route.routing_type, Some(RoutingType::Forwarded));
    let to = route.final_.as_ref().unwrap().phone.as_ref().unwrap();
    assert_eq!(to.id.as_deref(), Some("+12345678901"));
    let transcription = call.transcription.as_ref().unwrap();
    assert_eq!(transcription.state, Some(CallTranscriptionState::Active));
    assert_eq!(
        transcription.last_modified_date_time.as_deref(),
        Some("2026-12-06T10:00:00Z")
    );
}

#[test]
fn extra_properties_anywhere_are_kept() {
    let batch = decode_losslessly(
        r##"{"@odata.type": "#microsoft.graph.commsNotifications", "value": [{
            "@odata.type": "#microsoft.graph.commsNotification", "@odata.etag": "W/\"1\"",
            "@odata.id": "/app/calls/1", "callbackUri": "https://bot.contoso.com/api/calls",
            "changeType": "deleted", "resource": "/app/calls/1", "resourceUrl": "/communications/calls/1",
            "terminationReason": "AppTransferred",
            "resourceData": {"@odata.type": "#microsoft.graph.call", "newThing": {"deep": [1, {"x": null}]},
                "source": {"identity": {"phone": {"id": "+1222"}, "user": {"id": "u", "tenantId": "t"}}}}}]}"##,
    );
    let n = &batch.notifications()[0];
    assert_eq!(n.extra["terminationReason"], "AppTransferred");
    assert!(n.call().unwrap().extra.contains_key("newThing"));
}

fn notification_at(resource_url: &str) -> notifications::CommsNotification {
    serde_json::from_value(
        serde_json::json!({"changeType": "updated", "resourceUrl": resource_url}),
    )
    .unwrap()
}

#[test]
fn call_ids_from_every_resource_url_shape() {
    for (url, id) in [
        (
            "/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896",
            Some("57dab8b1-894c-409a-b240-bd8beae78896"),
        ),
        ("communications/calls/abc", Some("abc")),
        ("/app/calls/abc", Some("abc")),
        ("app/calls/abc/", Some("abc")),
        ("/communications/calls/abc/participants", Some("abc")),
        ("/communications/calls/abc/operations/0c8c", Some("abc")),
        ("/Communications/Calls/abc", Some("abc")),
        ("/communications/calls/", None),
        ("/communications/onlineMeetings/abc", None),
        ("", None),
    ] {
        assert_eq!(notification_at(url).call_id(), id, "{url}");
    }
}

#[test]
fn diag_code_is_parsed_and_may_disagree() {
    let info: msgraph_calls::resources::ResultInfo = serde_json::from_str(
        r#"{"code": 200, "subcode": 5001, "message": "Call ended. DiagCode: 500#7106.@"}"#,
    )
    .unwrap();
    let diag = info.diag_code().unwrap();
    assert_eq!((diag.code, diag.subcode), (500, 7106));
    assert_eq!(diag.category(), Category::ServiceError);
    assert_eq!(info.category(), Some(Category::NormalEnd));
    for message in [
        "no code here",
        "DiagCode: x#1.@",
        "DiagCode: 500#",
        "DiagCode: 500",
    ] {
        assert_eq!(notifications::DiagCode::parse(message), None, "{message}");
    }
}

#[track_caller]
fn fixture_result(name: &str) -> msgraph_calls::resources::ResultInfo {
    let body = std::fs::read(format!(
        "{}/tests/fixtures/notifications/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    first_result_info(&notifications::from_slice(&body).unwrap())
}

#[test]
fn a_failed_transfer_spelled_sub_code_is_a_service_error() {
    let info = fixture_result("call-transfer-failed.json");
    assert_eq!(info.subcode_value(), Some(7700));
    // A pair of Graph's own example, outside the "Delete call" table.
    let reason = info.reason().unwrap();
    assert_eq!(
        reason.source,
        msgraph_calls::termination::Source::GraphDocsExample
    );
    assert_eq!(info.category(), Some(Category::ServiceError));
}

#[test]
fn a_pair_outside_the_delete_call_table_is_read_and_explained() {
    let info = fixture_result("call-transfer-pstn-completed.json");
    assert_eq!(info.message.as_deref(), Some("GracefulTransferCompleted"));
    assert_eq!(
        info.reason().unwrap().message(),
        "GracefulTransferCompleted"
    );
    assert_eq!(info.category(), Some(Category::NormalEnd));
    assert!(info.explain().unwrap().is_from_catalog());
}

#[test]
fn content_sharing_sessions_are_typed() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/notifications/application-post-calls-content-sharing-started.json"
    ))
    .unwrap();
    let batch = notifications::from_slice(&body).unwrap();
    match &batch.notifications()[0].resource_data {
        Some(ResourceData::Many(items)) => {
            assert!(
                matches!(&items[0], ResourceData::ContentSharingSession(s) if s.id.as_deref().is_some_and(|id| id.starts_with("F7D9")))
            )
        }
        other => panic!("expected content sharing sessions, got {other:?}"),
    }
}

#[test]
fn secrets_in_other_resource_data_and_key_names_never_show_in_debug() {
    // Issue 12, point 5: JSON kept as it came is redacted too, and `key` is a secret's name.
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "created", "resourceUrl": "/communications/calls/1",
            "resourceData": {"@odata.type": "#microsoft.graph.newThing",
                "accessToken": "tok-5b21", "key": "key-e3d0", "apiKey": "key-77aa",
                "monkey": "visible-banana", "inner": [{"password": "pw-1f0c"}]}},
           {"changeType": "updated", "resourceUrl": {"signature": "sig-9d3e"}}]}"##,
    );
    let shown = format!("{batch:?} {batch:#?}");
    for secret in ["tok-5b21", "key-e3d0", "key-77aa", "pw-1f0c", "sig-9d3e"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("visible-banana"), "{shown}");
    assert!(matches!(
        batch.notifications()[0].resource_data,
        Some(notifications::ResourceData::Other(_))
    ));
}

/// The review's cases: a `callbackUri` with an Azure Functions `?code=` key or a SAS `sig=`,
/// and properties named `pwd`, `bearer`, `jwt` or `sas`, were printed.
#[test]
fn url_queries_and_more_secret_words_never_show_in_debug() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "created", "resourceUrl": "/communications/calls/1",
            "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "incoming",
                "callbackUri": "https://bot.contoso.com/api/calls?code=fn-key-0c5e",
                "pwd": "pwd-6b1d", "bearer": "bearer-2f8a", "jwt": "jwt-93aa", "sas": "sas-40de",
                "recording": "https://x.blob.core.windows.net/r.wav?sv=1&sig=sig-c3d1"}}]}"##,
    );
    let shown = format!("{batch:?} {batch:#?}");
    for secret in [
        "fn-key-0c5e",
        "pwd-6b1d",
        "bearer-2f8a",
        "jwt-93aa",
        "sas-40de",
        "sig-c3d1",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(
        shown.contains("https://bot.contoso.com/api/calls?<redacted>"),
        "{shown}"
    );
    assert!(
        shown.contains("https://x.blob.core.windows.net/r.wav?<redacted>"),
        "{shown}"
    );
    let call = batch.notifications()[0].call().unwrap();
    assert_eq!(
        call.callback_uri.as_deref(),
        Some("https://bot.contoso.com/api/calls?code=fn-key-0c5e"),
        "kept as it came"
    );
}

#[test]
fn secrets_in_extra_properties_never_show_in_debug() {
    let batch = decode_losslessly(
        r##"{"value": [{"changeType": "deleted", "resourceUrl": "/communications/calls/1/operations/2",
            "resourceData": {"@odata.type": "#microsoft.graph.recordOperation", "status": "completed",
                "recordingLocation": "https://contoso.example/rec/1",
                "recordingAccessToken": "eyJ0eXAi.recording-secret-91c4",
                "nested": {"list": [{"clientSecret": "s3cr3t-77"}]}}}]}"##,
    );
    let shown = format!("{batch:?} {batch:#?}");
    assert!(!shown.contains("recording-secret-91c4"), "{shown}");
    assert!(!shown.contains("s3cr3t-77"), "{shown}");
    assert!(shown.contains("recording_access_token"), "{shown}");
    assert!(shown.contains("https://contoso.example/rec/1"), "{shown}");
    let out = serde_json::to_string(&batch).unwrap();
    assert!(
        out.contains("recording-secret-91c4"),
        "serializing keeps the body as it came"
    );
}

/// The resultInfo of the call in the batch's first notification.
#[track_caller]
fn first_result_info(
    batch: &notifications::CommsNotifications,
) -> msgraph_calls::resources::ResultInfo {
    batch.notifications()[0]
        .call()
        .expect("a call")
        .result_info
        .as_deref()
        .cloned()
        .expect("a resultInfo")
}
