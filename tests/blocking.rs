//! The blocking client (feature `blocking`) against the local stand-in, served from a runtime of
//! the test's own on other threads.
#![cfg(feature = "blocking")]

mod support;

use std::time::Duration;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::client::HangUp;
use msgraph_calls::testing::{Reply, StandIn};
use msgraph_calls::{Client, Error, RetryPolicy};

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";

fn serve(replies: Vec<Reply>) -> (tokio::runtime::Runtime, StandIn) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let graph = runtime.block_on(StandIn::script(replies));
    (runtime, graph)
}

fn blocking_client(graph: &StandIn) -> msgraph_calls::blocking::Client {
    Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("blocking-token"))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(10)))
        .build_blocking()
        .unwrap()
}

#[test]
fn blocking_hang_up_retries_like_the_async_client() {
    let (_runtime, graph) = serve(vec![Reply::status(503), Reply::status(204)]);
    blocking_client(&graph).delete_call(CALL_ID).unwrap();
    let requests = graph.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("retry-attempt"), Some("1"));
    assert_eq!(
        requests[1].header("authorization"),
        Some("Bearer blocking-token")
    );
}

#[test]
fn blocking_client_debug_hides_the_token() {
    let (_runtime, graph) = serve(vec![Reply::status(204)]);
    let shown = format!("{:?}", blocking_client(&graph));
    assert!(shown.contains("base_url"), "{shown}");
    assert!(!shown.contains("blocking-token"), "{shown}");
}

#[test]
fn blocking_hang_up_reports_an_ended_call() {
    let (_runtime, graph) = serve(vec![Reply::json(
        404,
        r#"{"error": {"code": "itemNotFound", "message": "Call not found."}}"#,
    )]);
    assert_eq!(
        blocking_client(&graph).hang_up(CALL_ID).unwrap(),
        HangUp::AlreadyEnded
    );
}

#[test]
fn blocking_client_refuses_to_run_inside_a_runtime() {
    let (runtime, graph) = serve(vec![Reply::status(204)]);
    let client = blocking_client(&graph);
    let err = runtime
        .block_on(async { client.delete_call(CALL_ID) })
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert!(graph.requests().is_empty());
    let built_inside = runtime.block_on(async {
        Client::builder()
            .token(StaticToken::new("t"))
            .build_blocking()
    });
    assert!(matches!(built_inside, Err(Error::Config { .. })));
    drop(client);
}

#[test]
fn an_operation_with_a_body_and_a_result_has_its_blocking_form() {
    // A POST with a body and a typed result, through the blocking client.
    let (_runtime, graph) = serve(vec![Reply::json(
        200,
        r##"{"@odata.type": "#microsoft.graph.playPromptOperation", "id": "op-1", "status": "running"}"##,
    )]);
    let body = msgraph_calls::types::PlayPromptRequest::new([msgraph_calls::types::Prompt::media(
        "https://cdn.contoso.com/beep.wav",
    )]);
    let operation = blocking_client(&graph).play_prompt(CALL_ID, &body).unwrap();
    assert_eq!(operation.id.as_deref(), Some("op-1"));
    let sent = graph.requests();
    assert_eq!(sent[0].method, "POST");
    assert_eq!(
        sent[0].target,
        format!("/v1.0/communications/calls/{CALL_ID}/playPrompt")
    );
}
