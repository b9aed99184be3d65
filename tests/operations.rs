//! Every operation of `schema/openapi.yaml` against a real HTTP server on 127.0.0.1: the doc
//! page's example request is sent (read into the crate's typed body first), and the method,
//! path, headers and JSON body Graph would receive are checked; the page's example response
//! is answered and read back typed. Then the errors, the ids, and the retries of operations
//! that are not idempotent. Fixtures: `schema/examples/` (sources in its README).

mod support;

use msgraph_calls::testing::{Reply, StandIn};
use msgraph_calls::{types, Client, Error, RetryPolicy};
use serde_json::Value;
use support::client::fast_retries;
use support::operations::{body, cases, fixture, run, CALL, PARTICIPANT};

const TOKEN: &str = "eyJ0eXAi.operations-token-5e1d.sig";

fn client(graph: &StandIn, retry: RetryPolicy) -> Client {
    support::client::client(graph, TOKEN, retry)
}

#[tokio::test]
async fn every_operation_sends_the_docs_request_and_reads_the_docs_response() {
    let cases = cases();
    assert_eq!(cases.len(), 33, "the 33 operations of schema/openapi.yaml");
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
        Some(msgraph_calls::resources::OperationStatus::Running)
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
                // The second id: a participant's, an operation's, a session's or a group's.
                let err = run(&client, case.name, CALL, id).await.unwrap_err();
                assert!(
                    matches!(
                        err,
                        Error::InvalidId {
                            parameter: "participant-id"
                                | "commsOperation-id"
                                | "contentSharingSession-id"
                                | "audioRoutingGroup-id",
                            ..
                        }
                    ),
                    "{} second id {id:?}: {err:?}",
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

/// A `clientContext` over Graph's 256 characters, typed or set in `extra`, and a property set
/// both typed and in `extra` (which serde would write twice on the wire, and Graph refuses),
/// are refused before anything is sent, naming the property.
#[tokio::test]
async fn bodies_graph_would_refuse_are_refused_before_sending() {
    use msgraph_calls::resources::{IdentitySet, InvitationParticipantInfo};
    let graph = StandIn::start(|_| Reply::json(200, r#"{"id":"op","status":"running"}"#)).await;
    let client = client(&graph, fast_retries());

    let long = types::ClientContextRequest::new().with_client_context("x".repeat(257));
    let err = client.subscribe_to_tone(CALL, &long).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidBody { field: "clientContext", reason } if reason.contains("257")),
        "{err:?}"
    );

    let to =
        InvitationParticipantInfo::to(IdentitySet::user("112f7296-5fa4-42ca-bae8-6a692b15d4b8"));
    let mut transfer = types::TransferRequest::new(to);
    transfer
        .extra
        .insert("clientContext".into(), Value::String("y".repeat(300)));
    let err = client.transfer(CALL, &transfer).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidBody {
                field: "clientContext",
                ..
            }
        ),
        "{err:?}"
    );

    let mut twice = types::ClientContextRequest::new().with_client_context("a");
    twice
        .extra
        .insert("clientContext".into(), Value::String("b".into()));
    let err = client
        .cancel_media_processing(CALL, &twice)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidBody { field: "clientContext", reason } if reason.contains("twice")),
        "{err:?}"
    );
    assert!(graph.requests().is_empty(), "nothing was sent");

    // 256 characters, and an `extra` property the type does not name, go through.
    let mut fine = types::ClientContextRequest::new().with_client_context("z".repeat(256));
    fine.extra
        .insert("futureProperty".into(), Value::Bool(true));
    client.subscribe_to_tone(CALL, &fine).await.unwrap();
    let sent: Value = serde_json::from_slice(&graph.requests()[0].body).unwrap();
    assert_eq!(sent["clientContext"].as_str().map(str::len), Some(256));
    assert_eq!(sent["futureProperty"], Value::Bool(true));
}
