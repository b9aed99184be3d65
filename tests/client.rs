//! The hang-up client against a real HTTP server on 127.0.0.1 (`tests/support/stand_in.rs`).

mod support;

use msgraph_calls::{Client, Error};
use support::stand_in::{Reply, StandIn};

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
const TOKEN: &str = "eyJ0eXAi.test-token.sig";

#[tokio::test]
async fn hang_up_sends_delete_with_the_bearer_token_and_accepts_204() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = Client::new(&graph.base_url(), TOKEN).unwrap();
    client.delete_call(CALL_ID).await.unwrap();

    let requests = graph.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "DELETE");
    assert_eq!(
        request.target,
        format!("/v1.0/communications/calls/{CALL_ID}")
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("api-version"), None);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn a_graph_error_body_is_typed() {
    let body = r#"{"error": {"code": "itemNotFound", "message": "Call not found.",
        "innerError": {"request-id": "r-1", "client-request-id": "c-1", "date": "2026-11-26T10:00:00"}}}"#;
    let graph = StandIn::start(move |_| Reply::json(404, body).header("request-id", "r-1")).await;
    let client = Client::new(&graph.base_url(), TOKEN).unwrap();
    match client.delete_call(CALL_ID).await.unwrap_err() {
        Error::Graph(e) => {
            assert_eq!(e.status, 404);
            assert_eq!(e.code(), "itemNotFound");
            assert_eq!(e.message(), "Call not found.");
            assert_eq!(e.request_id.as_deref(), Some("r-1"));
            let inner = e.body.error.inner_error.as_ref().unwrap();
            assert_eq!(inner.date.as_deref(), Some("2026-11-26T10:00:00"));
        }
        other => panic!("expected a Graph error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_error_without_graph_json_keeps_its_status_and_body() {
    let graph = StandIn::start(|request| {
        if request.target.ends_with("/empty") {
            Reply::status(401)
        } else {
            Reply::status(502)
                .header("content-type", "text/html")
                .body("<html>Bad Gateway</html>")
        }
    })
    .await;
    let client = Client::new(&graph.base_url(), TOKEN).unwrap();
    match client.delete_call("empty").await.unwrap_err() {
        Error::UnexpectedResponse { status, body } => {
            assert_eq!((status, body.as_str()), (401, ""))
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
    match client.delete_call("html").await.unwrap_err() {
        Error::UnexpectedResponse { status, body } => {
            assert_eq!((status, body.as_str()), (502, "<html>Bad Gateway</html>"))
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn ids_stay_one_encoded_segment() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = Client::new(&graph.base_url(), TOKEN).unwrap();
    for (id, sent) in [
        ("a/b", "a%2Fb"),
        ("../x", "..%2Fx"),
        ("a?b#c", "a%3Fb%23c"),
        ("%2e%2e", "%252e%252e"),
        ("...", "..."),
        ("é", "%C3%A9"),
    ] {
        client.delete_call(id).await.unwrap();
        let last = graph.requests().pop().unwrap();
        assert_eq!(
            last.target,
            format!("/v1.0/communications/calls/{sent}"),
            "{id:?}"
        );
    }
}

#[tokio::test]
async fn refused_ids_send_nothing() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = Client::new(&graph.base_url(), TOKEN).unwrap();
    for id in ["", ".", "..", "..\\..", "a\r\nb"] {
        let err = client.delete_call(id).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidCallId { .. }),
            "{id:?}: {err:?}"
        );
    }
    assert!(graph.requests().is_empty());
}

#[tokio::test]
async fn the_token_never_shows_in_errors() {
    let graph = StandIn::start(|_| {
        Reply::json(403, r#"{"error": {"code": "Forbidden", "message": "No."}}"#)
    })
    .await;
    let client = Client::new(&graph.base_url(), TOKEN).unwrap();
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    let shown = format!("{err} {err:?} {client:?}");
    assert!(shown.contains("Forbidden"), "{shown}");
    assert!(!shown.contains("test-token"), "{shown}");
}
