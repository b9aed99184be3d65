//! What the hang-up client and the callback validator log, in a test binary of their own:
//! tracing caches, per process, which events are enabled, and tests running without a
//! subscriber beside a scoped one would race it.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::Validator;
use msgraph_calls::testing::signer::{self, GraphKey};
use msgraph_calls::testing::{Reply, StandIn};
use msgraph_calls::{Client, RetryPolicy};

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
    let (logs, _guard) = capture();

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

/// Logs: the reason of each refusal and the key endpoint's failures, and never a token, a part
/// of one, or key material.
#[tokio::test]
async fn the_callback_validator_logs_reasons_but_no_token_or_key() {
    let (logs, _guard) = capture();
    let graph_key = GraphKey::generate("graph-key");
    let forger = GraphKey::generate("graph-key");
    // Beside Graph's key, one too long to be worth checking: left out, and logged.
    let mut document: serde_json::Value =
        serde_json::from_str(&signer::jwks(&[&graph_key])).unwrap();
    let too_long = serde_json::json!({"kty": "RSA", "kid": "k-8192", "n": signer::b64(&[0xc5; 1024]), "e": "AQAB"});
    document["keys"].as_array_mut().unwrap().push(too_long);
    let jwks = Arc::new(Mutex::new(document.to_string()));
    let published = jwks.clone();
    let endpoint = StandIn::start(move |request| {
        signer::publish(request, &published.lock().unwrap()).unwrap_or_else(|| Reply::status(404))
    })
    .await;
    let validator = Validator::builder("bot-app-id")
        .openid_configuration_url(format!("{}{}", endpoint.origin(), signer::OPENID_PATH))
        .build()
        .unwrap();

    let claims = signer::claims("bot-app-id", "tenant-1");
    let good = graph_key.sign(&claims);
    let forged = forger.sign(&claims);
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {good}").parse().unwrap());
    validator.validate(&headers).await.unwrap();
    *jwks.lock().unwrap() = "{}".into();
    validator.refresh_keys().await.unwrap_err();
    validator.validate(&headers).await.unwrap();
    headers.insert("authorization", format!("Bearer {forged}").parse().unwrap());
    validator.validate(&headers).await.unwrap_err();

    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(text.contains("callback token accepted"), "{text}");
    assert!(
        text.contains("a key of Graph's JWKS is not used index=1 kid=Some(\"k-8192\") reason=its modulus has 8192 bits, more than 4096"),
        "{text}"
    );
    assert!(
        text.contains("the token's signature does not verify"),
        "{text}"
    );
    assert!(
        text.contains("could not be fetched; the last good keys stay in use"),
        "{text}"
    );
    let mut secrets = graph_key.material();
    secrets.extend(forger.material());
    for token in [&good, &forged] {
        secrets.extend(token.split('.').map(str::to_owned));
    }
    for secret in secrets {
        assert!(
            !text.contains(&secret),
            "the logs repeat {secret:?}:\n{text}"
        );
    }
}

/// Everything logged on this thread, at every level, until the guard is dropped.
fn capture() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || LogWriter(writer.clone()))
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
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
