//! Every operation of `schema/openapi.yaml` against a real HTTP server on 127.0.0.1: the doc
//! page's example request is sent (read into the crate's typed body first), and the method,
//! path, headers and JSON body Graph would receive are checked; the page's example response
//! is answered and read back typed. Then the errors, the ids, and the retries of operations
//! that are not idempotent. Fixtures: `tests/fixtures/operations/` (sources in its README).

mod support;

use msgraph_calls::{types, Client, Error, RetryPolicy};
use serde_json::Value;
use support::client::fast_retries;
use support::stand_in::{Reply, StandIn};

const CALL: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
const PARTICIPANT: &str = "7e1b4346-85a6-4bdd-abe3-d11c5d420efe";
const TOKEN: &str = "eyJ0eXAi.operations-token-5e1d.sig";

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/operations")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A request body: the doc page's example, read into the crate's type for it.
fn body<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(fixture(&format!("{name}.request.json")))
        .unwrap_or_else(|e| panic!("{name}: the doc's example is not a valid body: {e}"))
}

fn client(graph: &StandIn, retry: RetryPolicy) -> Client {
    support::client::client(graph, TOKEN, retry)
}

/// One operation: how Graph is asked, and what it answers.
struct Case {
    name: &'static str,
    method: &'static str,
    /// The path after the version segment.
    path: String,
    /// The fixture stem of the request body, when it has one.
    request: Option<&'static str>,
    status: u16,
    /// The fixture stem of the response body, when it has one.
    response: Option<&'static str>,
}

fn cases() -> Vec<Case> {
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
    ]
}

/// Runs the operation `name` with the ids given and the doc's example body; the typed result
/// is written back as JSON (`null` for an operation that returns nothing).
async fn run(client: &Client, name: &str, call: &str, participant: &str) -> Result<Value, Error> {
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

#[tokio::test]
async fn every_operation_sends_the_docs_request_and_reads_the_docs_response() {
    let cases = cases();
    assert_eq!(cases.len(), 24, "the 24 operations of schema/openapi.yaml");
    for case in &cases {
        let response = case
            .response
            .map(|stem| fixture(&format!("{stem}.response.json")));
        let reply = match &response {
            Some(json) => Reply::json(case.status, &json.to_string()),
            None => Reply::status(case.status),
        };
        let graph = StandIn::start(move |_| reply.clone()).await;
        let result = run(
            &client(&graph, fast_retries()),
            case.name,
            CALL,
            PARTICIPANT,
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));

        let requests = graph.requests();
        assert_eq!(requests.len(), 1, "{}", case.name);
        let sent = &requests[0];
        assert_eq!(sent.method, case.method, "{}", case.name);
        assert_eq!(sent.target, format!("/v1.0{}", case.path), "{}", case.name);
        assert_eq!(
            sent.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{}",
            case.name
        );
        assert_eq!(sent.header("client-request-id").map(str::len), Some(36));
        match case.request {
            Some(stem) => {
                assert_eq!(
                    sent.header("content-type"),
                    Some("application/json"),
                    "{}",
                    case.name
                );
                let body: Value = serde_json::from_slice(&sent.body).unwrap();
                assert_eq!(
                    body,
                    fixture(&format!("{stem}.request.json")),
                    "{}: the body sent is the doc's example",
                    case.name
                );
            }
            None => assert!(sent.body.is_empty(), "{}: no body", case.name),
        }
        match response {
            // The model types are lossless: the response reads back as the doc's JSON.
            Some(json) if case.name != "list_participants" => {
                assert_eq!(result, json, "{}: the typed response", case.name)
            }
            Some(json) => assert_eq!(
                result["value"], json["value"],
                "{}: the participants",
                case.name
            ),
            None => assert_eq!(result, Value::Null, "{}", case.name),
        }
    }
}

#[tokio::test]
async fn operation_results_are_typed() {
    let graph =
        StandIn::start(|_| Reply::json(200, &fixture("play-prompt.response.json").to_string()))
            .await;
    let operation = client(&graph, fast_retries())
        .play_prompt(CALL, &body("play-prompt"))
        .await
        .unwrap();
    assert_eq!(
        operation.status,
        Some(msgraph_calls::notifications::OperationStatus::Running)
    );
    assert!(operation.id.is_some());

    let graph = StandIn::start(|_| {
        Reply::json(200, &fixture("list-participants.response.json").to_string())
    })
    .await;
    let page = client(&graph, fast_retries())
        .list_participants(CALL)
        .await
        .unwrap();
    assert!(!page.value.is_empty());
    assert!(page.value.iter().all(|p| p.id.is_some()));
}

#[tokio::test]
async fn graphs_errors_are_typed_for_every_operation() {
    let error = r#"{"error": {"code": "BadRequest", "message": "Invalid request."}}"#;
    for case in cases() {
        let graph = StandIn::start(move |_| Reply::json(400, error)).await;
        let err = run(
            &client(&graph, fast_retries()),
            case.name,
            CALL,
            PARTICIPANT,
        )
        .await
        .unwrap_err();
        match &err {
            Error::Graph(response) => {
                assert_eq!(response.status, 400, "{}", case.name);
                assert_eq!(response.code(), Some("BadRequest"), "{}", case.name);
            }
            other => panic!("{}: expected Error::Graph, got {other:?}", case.name),
        }
        assert_eq!(
            graph.requests().len(),
            1,
            "{}: a 400 is not retried",
            case.name
        );
    }
}

#[tokio::test]
async fn hostile_ids_are_refused_in_every_path_parameter_before_anything_is_sent() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = client(&graph, fast_retries());
    let hostile = [
        "..", ".", "", "/", "a/b", "?", "#", "%2e", "a\u{0}b", "a\nb", "é",
    ];
    for case in cases() {
        let has_call = case.path.contains(CALL);
        let has_participant = case.path.contains(PARTICIPANT);
        for id in hostile {
            if has_call {
                let err = run(&client, case.name, id, PARTICIPANT).await.unwrap_err();
                assert!(
                    matches!(
                        err,
                        Error::InvalidId {
                            parameter: "call-id",
                            ..
                        }
                    ),
                    "{} call {id:?}: {err:?}",
                    case.name
                );
            }
            if has_participant {
                let err = run(&client, case.name, CALL, id).await.unwrap_err();
                assert!(
                    matches!(
                        err,
                        Error::InvalidId {
                            parameter: "participant-id",
                            ..
                        }
                    ),
                    "{} participant {id:?}: {err:?}",
                    case.name
                );
            }
        }
    }
    assert!(graph.requests().is_empty(), "{:?}", graph.requests());
}

#[tokio::test]
async fn an_action_lost_after_it_was_sent_is_not_sent_again_and_says_so() {
    let graph = StandIn::script(vec![Reply::drop_connection(), Reply::status(202)]).await;
    let err = client(&graph, fast_retries())
        .answer(CALL, &body("answer"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.outcome_unknown(), "Graph may have answered the call");
    assert_eq!(graph.requests().len(), 1, "an answer is not sent twice");

    // An idempotent operation in the same situation is sent again.
    let graph = StandIn::script(vec![Reply::drop_connection(), Reply::status(200)]).await;
    client(&graph, fast_retries())
        .keep_alive(CALL)
        .await
        .unwrap();
    assert_eq!(graph.requests().len(), 2);
}

#[tokio::test]
async fn an_action_is_sent_again_only_when_graph_said_it_did_not_act() {
    // 429 and 503 with Retry-After: Graph did not act; the transfer is sent again.
    for refusal in [
        Reply::status(429).header("retry-after", "0"),
        Reply::status(503).header("retry-after", "0"),
    ] {
        let graph = StandIn::script(vec![refusal.clone(), Reply::status(202)]).await;
        client(&graph, fast_retries())
            .transfer(CALL, &body("transfer"))
            .await
            .unwrap_or_else(|e| panic!("{refusal:?}: {e}"));
        let requests = graph.requests();
        assert_eq!(requests.len(), 2, "{refusal:?}");
        assert_eq!(requests[0].body, requests[1].body);
        assert_eq!(requests[1].header("retry-attempt"), Some("1"));
    }
    // 504, or 503 without Retry-After, may come after Graph acted: not sent again.
    for unsure in [Reply::status(504), Reply::status(503)] {
        let graph = StandIn::script(vec![unsure.clone(), Reply::status(202)]).await;
        let err = client(&graph, fast_retries())
            .transfer(CALL, &body("transfer"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Throttled(_)), "{unsure:?}: {err:?}");
        assert!(
            err.outcome_unknown(),
            "{unsure:?}: a gateway may answer so after Graph acted"
        );
        assert_eq!(graph.requests().len(), 1, "{unsure:?}");
    }
}

#[tokio::test]
async fn a_success_whose_body_cannot_be_read_says_graph_acted() {
    // Graph answered 200 to a playPrompt, with a body that is not an operation: the prompt
    // was started, though the client cannot say which operation it is.
    let graph = StandIn::start(|_| Reply::json(200, "[1, 2]")).await;
    let err = client(&graph, fast_retries())
        .play_prompt(CALL, &body("play-prompt"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(200), "{err:?}");
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(graph.requests().len(), 1);
}

#[test]
fn a_body_missing_a_required_property_does_not_read() {
    // An answer without its media configuration is refused before anything is sent: the
    // field is required, so the body cannot be built without it, in Rust or from JSON.
    let err = serde_json::from_value::<types::AnswerRequest>(
        serde_json::json!({"acceptedModalities": ["audio"]}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("mediaConfig"), "{err}");
}
