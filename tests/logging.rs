//! What the hang-up client logs, in a test binary of its own: tracing caches, per process,
//! which events are enabled, and other tests running beside a scoped subscriber would race it.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::{Client, RetryPolicy};
use support::stand_in::{Reply, StandIn};

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
const TOKEN: &str = "eyJ0eXAi.test-token-7f3a.sig";

fn client(graph: &StandIn) -> Client {
    Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new(TOKEN))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(20)))
        .build()
        .unwrap()
}

/// Logs: one debug event per attempt with its status, nothing at info or above on success,
/// and never the token.
#[tokio::test]
async fn tracing_reports_attempts_quietly_and_without_the_token() {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || LogWriter(writer.clone()))
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let graph = StandIn::script(vec![
        Reply::status(503).header("request-id", "r-9"),
        Reply::status(204),
    ])
    .await;
    client(&graph).delete_call(CALL_ID).await.unwrap();

    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("attempt=1 status=503 request_id=\"r-9\""),
        "{text}"
    );
    assert!(text.contains("retrying"), "{text}");
    assert!(text.contains("attempt=2 status=204"), "{text}");
    assert!(text.contains(CALL_ID), "{text}");
    for line in text.lines() {
        assert!(line.contains("DEBUG") || line.contains("TRACE"), "{line}");
    }
    assert!(!text.contains("test-token-7f3a"), "{text}");
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
