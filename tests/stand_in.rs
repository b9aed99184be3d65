//! The `testing` feature's stand-in for Graph, as a user's tests meet it: every operation
//! answered as its doc page says, bodies that do not read refused with Graph's error body, and
//! the notifications that follow POSTed to the bot, signed with keys the stand-in publishes.

mod support;

use std::time::Duration;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::notifications::{self, ResourceData};
use msgraph_calls::resources::{CallState, OperationStatus};
use msgraph_calls::testing::{Graph, Recorded, Reply, StandIn};
use msgraph_calls::{types, Client};
use serde_json::{json, Value};
use support::operations::{body, cases, fixture, run, CALL, PARTICIPANT};

const APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";

/// The stand-in, and the bot's callback: a server that records what Graph POSTs and answers
/// 202.
async fn graph_and_bot() -> (Graph, StandIn) {
    let bot = StandIn::start(|_| Reply::status(202)).await;
    let callback = format!("{}/api/calls", bot.origin());
    let graph = Graph::start(APP_ID, TENANT, &callback).await.unwrap();
    (graph, bot)
}

fn client(graph: &Graph) -> Client {
    Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("stand-in-test-token"))
        .build()
        .unwrap()
}

/// The POSTs the bot has received, once there are `count` (or after 5 s, what there is).
async fn posts(bot: &StandIn, count: usize) -> Vec<Recorded> {
    for _ in 0..250 {
        if bot.requests().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bot.requests()
}

#[tokio::test]
async fn every_operation_is_answered_with_its_doc_pages_response() {
    let (graph, _bot) = graph_and_bot().await;
    let client = client(&graph);
    for case in cases() {
        // The stand-in keeps calls as Graph does: each case on a call that has just come in.
        graph.incoming_call(CALL, "+12345678901").await.unwrap();
        if case.name == "get_operation" {
            // No operation of that id on the call; below, one that was started.
            let err = run(&client, case.name, CALL, PARTICIPANT)
                .await
                .unwrap_err();
            assert!(matches!(err, msgraph_calls::Error::NotFound(_)), "{err:?}");
            continue;
        }
        let result = run(&client, case.name, CALL, PARTICIPANT)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        match (case.name, case.response) {
            // The call as the stand-in keeps it, not the doc page's.
            ("get_call", _) => {
                assert_eq!(result["id"], CALL);
                assert_eq!(result["state"], "incoming");
            }
            ("list_participants", _) => {
                let roster = result["value"].as_array().unwrap();
                assert_eq!(roster[0]["info"]["identity"]["phone"]["id"], "+12345678901");
            }
            // The typed result is the doc's example, as the type reads it, with the ids the
            // stand-in gave.
            (_, Some(stem)) => {
                let example = fixture(&format!("{stem}.response.json"));
                let expected = match case.name {
                    "create_call" => json_of::<msgraph_calls::resources::Call>(example),
                    "get_participant" => json_of::<msgraph_calls::resources::Participant>(example),
                    "list_content_sharing_sessions" => {
                        json_of::<types::ContentSharingSessionCollectionResponse>(example)
                    }
                    "get_content_sharing_session" => {
                        json_of::<msgraph_calls::resources::ContentSharingSession>(example)
                    }
                    "list_audio_routing_groups" => {
                        json_of::<types::AudioRoutingGroupCollectionResponse>(example)
                    }
                    "create_audio_routing_group"
                    | "get_audio_routing_group"
                    | "update_audio_routing_group" => json_of::<types::AudioRoutingGroup>(example),
                    _ => json_of::<msgraph_calls::resources::CommsOperation>(example),
                };
                assert_eq!(fresh(&result), fresh(&expected), "{}", case.name);
                // Calls and operations get fresh ids; the rest is the page's example.
                let fresh_id = case.name == "create_call"
                    || expected["@odata.type"]
                        .as_str()
                        .is_some_and(|t| t.ends_with("Operation"));
                if let Some(id) = result
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|_| fresh_id)
                {
                    assert_ne!(
                        Some(id),
                        expected["id"].as_str(),
                        "{}: a fresh id",
                        case.name
                    );
                }
            }
            (_, None) => assert_eq!(result, Value::Null, "{}", case.name),
        }
        let sent = graph.requests();
        let last = sent.last().unwrap();
        assert_eq!(last.method, case.method, "{}", case.name);
        assert_eq!(last.target, format!("/v1.0{}", case.path), "{}", case.name);
    }
}

/// `value` without what the stand-in makes fresh or takes from the request: ids, the
/// `clientContext`, the `callbackUri`.
fn fresh(value: &Value) -> Value {
    let mut value = value.clone();
    if let Some(object) = value.as_object_mut() {
        for key in ["id", "clientContext", "callbackUri"] {
            object.remove(key);
        }
    }
    value
}

/// The same, on the wire: each doc page's example request, sent as it is, is answered with the
/// page's status and its example response (fresh ids and the request's `clientContext` aside).
#[tokio::test]
async fn every_operation_answers_its_doc_pages_status_and_body() {
    let (graph, _bot) = graph_and_bot().await;
    let http = msgraph_calls::client::http_client_builder()
        .unwrap()
        .build()
        .unwrap();
    for case in cases() {
        graph.incoming_call(CALL, "+12345678901").await.unwrap();
        let url = format!("{}{}", graph.base_url(), case.path);
        let method = http::Method::from_bytes(case.method.as_bytes()).unwrap();
        let mut request = http.request(method, &url).bearer_auth("t");
        if let Some(stem) = case.request {
            request = request.json(&fixture(&format!("{stem}.request.json")));
        }
        let response = request.send().await.unwrap();
        if case.name == "get_operation" {
            // An operation the call never started.
            assert_eq!(response.status(), 404);
            continue;
        }
        assert_eq!(response.status(), case.status, "{}", case.name);
        let body = response.text().await.unwrap();
        if matches!(case.name, "get_call" | "list_participants") {
            continue;
        }
        match case.response {
            Some(stem) => {
                let got: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(
                    fresh(&got),
                    fresh(&fixture(&format!("{stem}.response.json"))),
                    "{}",
                    case.name
                );
            }
            None => assert_eq!(body, "", "{}", case.name),
        }
    }
}

/// An operation started on a call is there to be read, as its completion left it: how a bot
/// checks an operation whose notification it missed.
#[tokio::test]
async fn an_operation_started_on_a_call_can_be_read_back() {
    let (graph, _bot) = graph_and_bot().await;
    let client = client(&graph);
    graph.incoming_call(CALL, "+12345678901").await.unwrap();
    let started = client
        .play_prompt(CALL, &body("play-prompt"))
        .await
        .unwrap();
    assert_eq!(started.status, Some(OperationStatus::Running));
    let id = started.id.clone().unwrap();
    let read = client.get_operation(CALL, &id).await.unwrap();
    assert_eq!(read.id.as_deref(), Some(id.as_str()));
    assert_eq!(read.status, Some(OperationStatus::Completed));
    assert_eq!(read.client_context, started.client_context);
    assert_eq!(
        read.result_info.unwrap().code.and_then(|c| c.get()),
        Some(200)
    );
    // Another call's operation is not this call's.
    graph
        .incoming_call(PARTICIPANT, "+12345678902")
        .await
        .unwrap();
    assert!(matches!(
        client.get_operation(PARTICIPANT, &id).await,
        Err(msgraph_calls::Error::NotFound(_))
    ));
}

/// A call the stand-in does not know, or that has ended, is not found, as Graph answers.
#[tokio::test]
async fn operations_on_a_call_the_stand_in_does_not_keep_are_not_found() {
    let (graph, _bot) = graph_and_bot().await;
    let client = client(&graph);
    assert!(matches!(
        client.get_call(CALL).await,
        Err(msgraph_calls::Error::NotFound(_))
    ));
    graph.incoming_call(CALL, "+12345678901").await.unwrap();
    client.get_call(CALL).await.unwrap();
    graph.end_silently(CALL);
    assert_eq!(graph.call_state(CALL), Some("terminated"));
    assert!(matches!(
        client.keep_alive(CALL).await,
        Err(msgraph_calls::Error::NotFound(_))
    ));
}

fn json_of<T: serde::de::DeserializeOwned + serde::Serialize>(value: Value) -> Value {
    serde_json::to_value(serde_json::from_value::<T>(value).unwrap()).unwrap()
}

/// What the stand-in refuses, Graph's error body each time, read by the client as Graph's.
#[tokio::test]
async fn requests_graph_would_refuse_are_refused_with_graphs_error_body() {
    let (graph, bot) = graph_and_bot().await;
    let http = msgraph_calls::client::http_client_builder()
        .unwrap()
        .build()
        .unwrap();
    let answer = format!("{}/communications/calls/{CALL}/answer", graph.base_url());
    let mut valid: Value = fixture("answer.request.json");
    let cases = [
        (
            "no token",
            None,
            valid.to_string(),
            401,
            "InvalidAuthenticationToken",
            "Access token",
        ),
        (
            "a required property missing",
            Some("t"),
            {
                valid.as_object_mut().unwrap().remove("mediaConfig");
                valid.to_string()
            },
            400,
            "BadRequest",
            "mediaConfig",
        ),
        (
            "a property of the wrong type",
            Some("t"),
            json!({"callbackUri": 7, "acceptedModalities": ["audio"],
                   "mediaConfig": {"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"}})
            .to_string(),
            400,
            "BadRequest",
            "callbackUri",
        ),
        (
            "not JSON",
            Some("t"),
            "{".to_owned(),
            400,
            "BadRequest",
            "EOF while parsing",
        ),
        (
            "JSON, but not an object",
            Some("t"),
            json!("{").to_string(),
            400,
            "BadRequest",
            "invalid type: string",
        ),
    ];
    for (case, token, body, status, code, named) in cases {
        let mut request = http
            .post(&answer)
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{case}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{case}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{case}: {message}");
    }
    let unknown = http
        .post(format!(
            "{}/communications/calls/{CALL}/dance",
            graph.base_url()
        ))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    // Nothing refused was notified.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(bot.requests().is_empty());
}

/// After each operation, what Graph would POST arrives at the bot, signed by a key the bot's
/// validator fetches from the stand-in, and reads as the notification it is.
#[tokio::test]
async fn notifications_follow_operations_signed_as_graph_signs_them() {
    let (graph, bot) = graph_and_bot().await;
    let validator = graph.validator().build().unwrap();
    assert_eq!(validator.refresh_keys().await.unwrap(), 1);
    let client = client(&graph);

    graph.incoming_call(CALL, "+12345678901").await.unwrap();
    let callback = format!("{}/api/calls", bot.origin());
    let answer: types::AnswerRequest = body("answer");
    client
        .answer(CALL, &answer.with_callback_uri(callback))
        .await
        .unwrap();
    let mut prompt: types::PlayPromptRequest = body("play-prompt");
    prompt.client_context = Some("menu-7".into());
    client.play_prompt(CALL, &prompt).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    client
        .invite_participants(CALL, &body("invite-participants"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    client.delete_call(CALL).await.unwrap();

    // incoming, establishing, established, the roster, the prompt completed, the roster, the
    // invitation completed, terminated.
    let posts = posts(&bot, 8).await;
    let mut seen = Vec::new();
    for post in &posts {
        let headers = headers_of(post);
        let claims = validator.validate(&headers).await.unwrap();
        assert_eq!(claims.tenant_id, TENANT);
        let batch = notifications::from_slice(&post.body).unwrap();
        for notification in batch.notifications() {
            assert!(notification.problems.is_empty(), "{notification:?}");
            seen.push(match &notification.resource_data {
                Some(ResourceData::Call(call)) => match (&call.state, &call.result_info) {
                    (Some(CallState::Terminated), Some(info)) => {
                        let reason = info.reason().unwrap();
                        format!("terminated: {}", reason.message())
                    }
                    (Some(state), _) => format!("call {}", state.as_str()),
                    _ => "call".into(),
                },
                Some(ResourceData::Operation(operation)) => {
                    assert_eq!(operation.status, Some(OperationStatus::Completed));
                    format!(
                        "{} completed for {}",
                        operation.odata_type.as_deref().unwrap_or_default(),
                        operation.client_context.as_deref().unwrap_or_default()
                    )
                }
                Some(ResourceData::Many(_)) => {
                    format!("roster of {}", notification.participants().count())
                }
                other => format!("{other:?}"),
            });
        }
    }
    let invited = fixture("invite-participants.request.json")["participants"]
        .as_array()
        .unwrap()
        .len();
    let invite_context = fixture("invite-participants.request.json")["clientContext"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        seen,
        [
            "call incoming".to_owned(),
            "call establishing".into(),
            "call established".into(),
            "roster of 2".into(),
            "#microsoft.graph.playPromptOperation completed for menu-7".into(),
            format!("roster of {}", 2 + invited),
            format!("#microsoft.graph.inviteParticipantsOperation completed for {invite_context}"),
            "terminated: The conversation has ended.".into(),
        ]
    );
}

fn headers_of(post: &Recorded) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for (name, value) in &post.headers {
        headers.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    headers
}
