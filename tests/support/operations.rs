//! The 33 operations as the tests run them: each with the doc page's example request and
//! response (`schema/examples/`), its method, path and status, and a way to call it by name.

#![allow(dead_code)]

use msgraph_calls::{Client, Error};
use serde_json::Value;

pub const CALL: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
pub const PARTICIPANT: &str = "7e1b4346-85a6-4bdd-abe3-d11c5d420efe";

pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema/examples")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A request body: the doc page's example, read into the crate's type for it.
pub fn body<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(fixture(&format!("{name}.request.json")))
        .unwrap_or_else(|e| panic!("{name}: the doc's example is not a valid body: {e}"))
}

/// One operation: how Graph is asked, and what it answers.
pub struct Case {
    pub name: &'static str,
    pub method: &'static str,
    /// The path after the version segment.
    pub path: String,
    /// The fixture stem of the request body, when it has one.
    pub request: Option<&'static str>,
    pub status: u16,
    /// The fixture stem of the response body, when it has one.
    pub response: Option<&'static str>,
}

pub fn cases() -> Vec<Case> {
    let call = |rest: &str| format!("/communications/calls/{CALL}{rest}");
    let participant =
        |rest: &str| format!("/communications/calls/{CALL}/participants/{PARTICIPANT}{rest}");
    let case = |name, method, path, request, status, response| Case {
        name,
        method,
        path,
        request,
        status,
        response,
    };
    vec![
        case(
            "create_call",
            "POST",
            "/communications/calls".into(),
            Some("create-call"),
            201,
            Some("create-call"),
        ),
        case("get_call", "GET", call(""), None, 200, Some("get-call")),
        case("delete_call", "DELETE", call(""), None, 204, None),
        case("answer", "POST", call("/answer"), Some("answer"), 202, None),
        case("reject", "POST", call("/reject"), Some("reject"), 202, None),
        case(
            "redirect",
            "POST",
            call("/redirect"),
            Some("redirect"),
            202,
            None,
        ),
        case(
            "transfer",
            "POST",
            call("/transfer"),
            Some("transfer"),
            202,
            None,
        ),
        case(
            "play_prompt",
            "POST",
            call("/playPrompt"),
            Some("play-prompt"),
            200,
            Some("play-prompt"),
        ),
        case(
            "record_response",
            "POST",
            call("/recordResponse"),
            Some("record-response"),
            200,
            Some("record-response"),
        ),
        case(
            "cancel_media_processing",
            "POST",
            call("/cancelMediaProcessing"),
            Some("cancel-media-processing"),
            200,
            Some("cancel-media-processing"),
        ),
        case(
            "subscribe_to_tone",
            "POST",
            call("/subscribeToTone"),
            Some("subscribe-to-tone"),
            200,
            Some("subscribe-to-tone"),
        ),
        case(
            "send_dtmf_tones",
            "POST",
            call("/sendDtmfTones"),
            Some("send-dtmf-tones"),
            200,
            Some("send-dtmf-tones"),
        ),
        case("keep_alive", "POST", call("/keepAlive"), None, 200, None),
        case(
            "mute",
            "POST",
            call("/mute"),
            Some("mute"),
            200,
            Some("mute"),
        ),
        case(
            "unmute",
            "POST",
            call("/unmute"),
            Some("unmute"),
            200,
            Some("unmute"),
        ),
        case(
            "update_recording_status",
            "POST",
            call("/updateRecordingStatus"),
            Some("update-recording-status"),
            200,
            Some("update-recording-status"),
        ),
        case(
            "change_screen_sharing_role",
            "POST",
            call("/changeScreenSharingRole"),
            Some("change-screen-sharing-role"),
            202,
            None,
        ),
        case(
            "list_participants",
            "GET",
            call("/participants"),
            None,
            200,
            Some("list-participants"),
        ),
        case(
            "invite_participants",
            "POST",
            call("/participants/invite"),
            Some("invite-participants"),
            200,
            Some("invite-participants"),
        ),
        case(
            "get_participant",
            "GET",
            participant(""),
            None,
            200,
            Some("get-participant"),
        ),
        case(
            "delete_participant",
            "DELETE",
            participant(""),
            None,
            204,
            None,
        ),
        case(
            "mute_participant",
            "POST",
            participant("/mute"),
            Some("mute-participant"),
            200,
            Some("mute-participant"),
        ),
        case(
            "start_hold_music",
            "POST",
            participant("/startHoldMusic"),
            Some("start-hold-music"),
            202,
            Some("start-hold-music"),
        ),
        case(
            "stop_hold_music",
            "POST",
            participant("/stopHoldMusic"),
            Some("stop-hold-music"),
            202,
            Some("stop-hold-music"),
        ),
        // The operations on a call's other parts take PARTICIPANT as their second id.
        case(
            "get_operation",
            "GET",
            call(&format!("/operations/{PARTICIPANT}")),
            None,
            200,
            Some("get-operation"),
        ),
        case(
            "add_large_gallery_view",
            "POST",
            call("/addLargeGalleryView"),
            Some("add-large-gallery-view"),
            202,
            Some("add-large-gallery-view"),
        ),
        case(
            "list_content_sharing_sessions",
            "GET",
            call("/contentSharingSessions"),
            None,
            200,
            Some("list-content-sharing-sessions"),
        ),
        case(
            "get_content_sharing_session",
            "GET",
            call(&format!("/contentSharingSessions/{PARTICIPANT}")),
            None,
            200,
            Some("get-content-sharing-session"),
        ),
        case(
            "list_audio_routing_groups",
            "GET",
            call("/audioRoutingGroups"),
            None,
            200,
            Some("list-audio-routing-groups"),
        ),
        case(
            "create_audio_routing_group",
            "POST",
            call("/audioRoutingGroups"),
            Some("create-audio-routing-group"),
            200,
            Some("create-audio-routing-group"),
        ),
        case(
            "get_audio_routing_group",
            "GET",
            call(&format!("/audioRoutingGroups/{PARTICIPANT}")),
            None,
            200,
            Some("get-audio-routing-group"),
        ),
        case(
            "update_audio_routing_group",
            "PATCH",
            call(&format!("/audioRoutingGroups/{PARTICIPANT}")),
            Some("update-audio-routing-group"),
            200,
            Some("update-audio-routing-group"),
        ),
        case(
            "delete_audio_routing_group",
            "DELETE",
            call(&format!("/audioRoutingGroups/{PARTICIPANT}")),
            None,
            204,
            None,
        ),
    ]
}

/// Runs the operation `name` with the ids given and the doc's example body; the typed result
/// is written back as JSON (`null` for an operation that returns nothing).
pub async fn run(
    client: &Client,
    name: &str,
    call: &str,
    participant: &str,
) -> Result<Value, Error> {
    let json = |value: &dyn erased::Json| value.json();
    Ok(match name {
        "create_call" => json(&client.create_call(&body("create-call")).await?),
        "get_call" => json(&client.get_call(call).await?),
        "delete_call" => json(&client.delete_call(call).await?),
        "answer" => json(&client.answer(call, &body("answer")).await?),
        "reject" => json(&client.reject(call, &body("reject")).await?),
        "redirect" => json(&client.redirect(call, &body("redirect")).await?),
        "transfer" => json(&client.transfer(call, &body("transfer")).await?),
        "play_prompt" => json(&client.play_prompt(call, &body("play-prompt")).await?),
        "record_response" => json(
            &client
                .record_response(call, &body("record-response"))
                .await?,
        ),
        "cancel_media_processing" => json(
            &client
                .cancel_media_processing(call, &body("cancel-media-processing"))
                .await?,
        ),
        "subscribe_to_tone" => json(
            &client
                .subscribe_to_tone(call, &body("subscribe-to-tone"))
                .await?,
        ),
        "send_dtmf_tones" => json(
            &client
                .send_dtmf_tones(call, &body("send-dtmf-tones"))
                .await?,
        ),
        "keep_alive" => json(&client.keep_alive(call).await?),
        "mute" => json(&client.mute(call, &body("mute")).await?),
        "unmute" => json(&client.unmute(call, &body("unmute")).await?),
        "update_recording_status" => json(
            &client
                .update_recording_status(call, &body("update-recording-status"))
                .await?,
        ),
        "change_screen_sharing_role" => json(
            &client
                .change_screen_sharing_role(call, &body("change-screen-sharing-role"))
                .await?,
        ),
        "list_participants" => json(&client.list_participants(call).await?),
        "invite_participants" => json(
            &client
                .invite_participants(call, &body("invite-participants"))
                .await?,
        ),
        "get_participant" => json(&client.get_participant(call, participant).await?),
        "delete_participant" => json(&client.delete_participant(call, participant).await?),
        "mute_participant" => json(
            &client
                .mute_participant(call, participant, &body("mute-participant"))
                .await?,
        ),
        "start_hold_music" => json(
            &client
                .start_hold_music(call, participant, &body("start-hold-music"))
                .await?,
        ),
        "stop_hold_music" => json(
            &client
                .stop_hold_music(call, participant, &body("stop-hold-music"))
                .await?,
        ),
        "get_operation" => json(&client.get_operation(call, participant).await?),
        "add_large_gallery_view" => json(
            &client
                .add_large_gallery_view(call, &body("add-large-gallery-view"))
                .await?,
        ),
        "list_content_sharing_sessions" => json(&client.list_content_sharing_sessions(call).await?),
        "get_content_sharing_session" => json(
            &client
                .get_content_sharing_session(call, participant)
                .await?,
        ),
        "list_audio_routing_groups" => json(&client.list_audio_routing_groups(call).await?),
        "create_audio_routing_group" => json(
            &client
                .create_audio_routing_group(call, &body("create-audio-routing-group"))
                .await?,
        ),
        "get_audio_routing_group" => {
            json(&client.get_audio_routing_group(call, participant).await?)
        }
        "update_audio_routing_group" => json(
            &client
                .update_audio_routing_group(call, participant, &body("update-audio-routing-group"))
                .await?,
        ),
        "delete_audio_routing_group" => {
            json(&client.delete_audio_routing_group(call, participant).await?)
        }
        other => panic!("no case for {other}"),
    })
}

/// Results of any type, as JSON.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}
