//! The hang-up client against a real HTTP server on 127.0.0.1 (`tests/support/stand_in.rs`).

mod support;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use msgraph_calls::auth::{AccessToken, StaticToken, TokenError, TokenProvider};
use msgraph_calls::client::HangUp;
use msgraph_calls::testing::{Recorded, Reply, StandIn};
use msgraph_calls::{Client, Cloud, Error, RetryPolicy};
use support::client::fast_retries;

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
const TOKEN: &str = "eyJ0eXAi.test-token-7f3a.sig";
const NOT_FOUND: &str = r#"{"error": {"code": "itemNotFound", "message": "Call not found.",
    "innerError": {"request-id": "r-1", "client-request-id": "c-1", "date": "2026-11-26T10:00:00",
    "innerError": {"code": "deeper"}}}}"#;

fn client(graph: &StandIn, retry: RetryPolicy) -> Client {
    support::client::client(graph, TOKEN, retry)
}

#[track_caller]
fn assert_one_attempt(graph: &StandIn) -> Recorded {
    let requests = graph.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests.into_iter().next().unwrap()
}

#[tokio::test]
async fn hang_up_sends_delete_with_token_and_ids_and_accepts_204() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap();

    let request = assert_one_attempt(&graph);
    assert_eq!(request.method, "DELETE");
    assert_eq!(
        request.target,
        format!("/v1.0/communications/calls/{CALL_ID}")
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("client-request-id").map(str::len), Some(36));
    assert!(request
        .header("user-agent")
        .unwrap()
        .starts_with("msgraph-calls/"));
    assert_eq!(request.header("api-version"), None);
    assert_eq!(request.header("retry-attempt"), None);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn each_hang_up_has_its_own_client_request_id() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = client(&graph, fast_retries());
    client.delete_call(CALL_ID).await.unwrap();
    client.delete_call(CALL_ID).await.unwrap();
    let ids: Vec<_> = graph
        .requests()
        .iter()
        .map(|r| r.header("client-request-id").unwrap().to_owned())
        .collect();
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn not_found_is_typed_with_graph_details_and_hang_up_calls_it_already_ended() {
    let graph = StandIn::start(|_| {
        Reply::json(404, NOT_FOUND)
            .header("request-id", "r-1")
            .header("date", "Thu, 26 Nov 2026 10:00:00 GMT")
    })
    .await;
    let client = client(&graph, fast_retries());
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    let Error::NotFound(response) = &err else {
        panic!("expected NotFound, got {err:?}")
    };
    assert_eq!(response.status, 404);
    assert_eq!(response.code(), Some("itemNotFound"));
    assert_eq!(response.message(), Some("Call not found."));
    assert_eq!(response.request_id.as_deref(), Some("r-1"));
    assert_eq!(response.date(), Some("2026-11-26T10:00:00"));
    assert_eq!(
        response.date_header.as_deref(),
        Some("Thu, 26 Nov 2026 10:00:00 GMT")
    );
    assert_eq!(response.inner_errors().count(), 2);
    assert_eq!(response.attempts, 1);
    let sent_id = graph.requests()[0]
        .header("client-request-id")
        .unwrap()
        .to_owned();
    assert_eq!(err.client_request_id(), Some(sent_id.as_str()));
    assert_eq!(err.request_id(), Some("r-1"));

    assert_eq!(client.hang_up(CALL_ID).await.unwrap(), HangUp::AlreadyEnded);
}

#[tokio::test]
async fn unauthorized_with_an_empty_body_keeps_its_status() {
    let graph = StandIn::start(|_| Reply::status(401)).await;
    let err = client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    match &err {
        Error::Unauthorized(response) => {
            assert_eq!((response.status, response.body.as_str()), (401, ""));
            assert!(response.graph.is_none());
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert_one_attempt(&graph);
    assert!(err.to_string().contains("401 with an empty body"), "{err}");
}

#[tokio::test]
async fn forbidden_is_typed() {
    let body =
        r#"{"error": {"code": "Forbidden", "message": "Application does not have permission."}}"#;
    let graph = StandIn::start(move |_| Reply::json(403, body)).await;
    let err = client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden(r) if r.code() == Some("Forbidden")),
        "{err:?}"
    );
    assert_one_attempt(&graph);
}

#[tokio::test]
async fn throttled_with_retry_after_one_second_then_success() {
    let graph = StandIn::script(vec![
        Reply::json(
            429,
            r#"{"error": {"code": "TooManyRequests", "message": "Slow down."}}"#,
        )
        .header("retry-after", "1"),
        Reply::status(204),
    ])
    .await;
    let started = Instant::now();
    client(&graph, fast_retries().max_delay(Duration::from_secs(5)))
        .delete_call(CALL_ID)
        .await
        .unwrap();

    let requests = graph.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at - requests[0].at;
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(requests[0].header("retry-attempt"), None);
    assert_eq!(requests[1].header("retry-attempt"), Some("1"));
    assert_eq!(
        requests[0].header("client-request-id"),
        requests[1].header("client-request-id")
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let graph = StandIn::start(|request| {
        if request.header("retry-attempt").is_none() {
            let at = std::time::SystemTime::now() + Duration::from_secs(2);
            Reply::status(503).header("retry-after", &httpdate::fmt_http_date(at))
        } else {
            Reply::status(204)
        }
    })
    .await;
    client(&graph, fast_retries().max_delay(Duration::from_secs(5)))
        .delete_call(CALL_ID)
        .await
        .unwrap();
    let requests = graph.requests();
    let waited = requests[1].at - requests[0].at;
    // An HTTP date has whole seconds: the wait is between 1 and 2 s.
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
}

#[tokio::test]
async fn service_unavailable_twice_then_success() {
    let graph = StandIn::script(vec![
        Reply::status(503),
        Reply::status(503),
        Reply::status(204),
    ])
    .await;
    client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap();
    let requests = graph.requests();
    assert_eq!(requests.len(), 3);
    let attempts: Vec<_> = requests.iter().map(|r| r.header("retry-attempt")).collect();
    assert_eq!(attempts, [None, Some("1"), Some("2")]);
    // Backoff from 20 ms with jitter: at least half the base, well under the cap.
    for pair in requests.windows(2) {
        let waited = pair[1].at - pair[0].at;
        assert!(
            waited >= Duration::from_millis(10) && waited < Duration::from_millis(1000),
            "{waited:?}"
        );
    }
}

#[tokio::test]
async fn gateway_timeouts_until_the_attempts_run_out() {
    let graph = StandIn::start(|_| Reply::status(504).header("retry-after", "0")).await;
    let err = client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    match &err {
        Error::Throttled(response) => {
            assert_eq!(response.status, 504);
            assert_eq!(response.attempts, 3);
            assert_eq!(response.retry_after, Some(Duration::ZERO));
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
    assert_eq!(graph.requests().len(), 3);
}

#[tokio::test]
async fn no_retry_policy_fails_at_once() {
    let graph = StandIn::start(|_| Reply::status(429).header("retry-after", "1")).await;
    let started = Instant::now();
    let err = client(&graph, RetryPolicy::none())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Throttled(r) if r.attempts == 1 && r.retry_after == Some(Duration::from_secs(1)))
    );
    assert_one_attempt(&graph);
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn malformed_retry_after_falls_back_to_capped_backoff() {
    for value in ["30,120", "-5", "1.5", "soon"] {
        let graph = StandIn::script(vec![
            Reply::status(429).header("retry-after", value),
            Reply::status(204),
        ])
        .await;
        let started = Instant::now();
        client(&graph, fast_retries())
            .delete_call(CALL_ID)
            .await
            .unwrap();
        let elapsed = started.elapsed();
        // The cap is 200 ms: no stall, whatever the header said.
        assert!(
            elapsed < Duration::from_millis(1500),
            "{value}: {elapsed:?}"
        );
        assert_eq!(graph.requests().len(), 2, "{value}");
    }
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_ends_at_once_with_the_wait_asked() {
    // The default policy waits at most 60 s: Graph asking for 61 s is not retried sooner.
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3600));
    for (value, asked) in [
        ("61", Duration::from_secs(61)),
        ("31536000", Duration::from_secs(31_536_000)),
        ("99999999999999999999999", Duration::from_secs(u64::MAX)),
        (date.as_str(), Duration::from_secs(3590)),
    ] {
        let reply = Reply::status(429).header("retry-after", value);
        let graph = StandIn::start(move |_| reply.clone()).await;
        let started = Instant::now();
        let err = client(&graph, RetryPolicy::default())
            .delete_call(CALL_ID)
            .await
            .unwrap_err();
        let Error::Throttled(response) = &err else {
            panic!("{value}: expected Throttled, got {err:?}")
        };
        let waited = response.retry_after.unwrap();
        assert!(
            waited >= asked && waited <= asked.saturating_add(Duration::from_secs(10)),
            "{value}: {waited:?}"
        );
        assert_eq!(response.attempts, 1, "{value}");
        assert_one_attempt(&graph);
        assert!(started.elapsed() < Duration::from_secs(2), "{value}");
    }
}

#[tokio::test]
async fn the_longest_settings_neither_overflow_nor_panic() {
    let graph = StandIn::script(vec![
        Reply::status(503).header("retry-after", "99999999999999999999999"),
        Reply::status(503).header("retry-after", "0"),
        Reply::status(204),
    ])
    .await;
    // Every wait allowed, but within 5 s: the deadline is the only bound.
    let policy = RetryPolicy::default()
        .max_attempts(u32::MAX)
        .base_delay(Duration::MAX)
        .max_delay(Duration::MAX)
        .deadline(Duration::from_secs(5));
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new(TOKEN))
        .retry(policy)
        .timeout(Duration::MAX)
        .build()
        .unwrap();
    // A wait of u64::MAX seconds ends after the deadline: Throttled at once, not a sleep, an
    // overflow or a panic.
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Throttled(r) if r.attempts == 1),
        "{err:?}"
    );
    // `Retry-After: 0` is honoured under the same settings, and the hang-up then succeeds.
    client.delete_call(CALL_ID).await.unwrap();
    assert_eq!(graph.requests().len(), 3);
}

#[tokio::test]
async fn the_deadline_stops_retries_a_retry_after_would_overrun() {
    let graph = StandIn::start(|_| Reply::status(429).header("retry-after", "5")).await;
    let policy = fast_retries()
        .max_attempts(10)
        .max_delay(Duration::from_secs(10))
        .deadline(Duration::from_secs(2));
    let started = Instant::now();
    let err = client(&graph, policy)
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Throttled(r) if r.attempts == 1),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_response_slower_than_the_timeout() {
    let graph = StandIn::start(|_| Reply::status(204).after(Duration::from_secs(3))).await;
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new(TOKEN))
        .retry(fast_retries())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Timeout(ids) if ids.attempts == 1),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.client_request_id().is_some());
}

#[tokio::test]
async fn a_connection_lost_after_the_request_was_sent_is_retried_for_a_hang_up() {
    // A DELETE does the same when repeated: a lost connection is tried again.
    for lost in [Reply::drop_connection(), Reply::cut_short()] {
        let graph = StandIn::script(vec![lost.clone(), Reply::status(204)]).await;
        client(&graph, fast_retries())
            .delete_call(CALL_ID)
            .await
            .unwrap_or_else(|e| panic!("{lost:?}: {e:?}"));
        let requests = graph.requests();
        assert_eq!(requests.len(), 2, "{lost:?}");
        assert_eq!(requests[1].header("retry-attempt"), Some("1"));
        assert_eq!(
            requests[0].header("client-request-id"),
            requests[1].header("client-request-id")
        );
    }
}

#[tokio::test]
async fn a_connection_lost_on_every_attempt_is_a_transport_error_within_the_attempts() {
    let graph = StandIn::start(|_| Reply::cut_short()).await;
    let err = client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport { ids, .. } if ids.attempts == 3),
        "{err:?}"
    );
    assert_eq!(graph.requests().len(), 3);
}

#[tokio::test]
async fn a_refused_connection_is_retried() {
    // Bind, note the port, close: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/v1.0"))
        .token(StaticToken::new(TOKEN))
        .retry(fast_retries())
        .build()
        .unwrap();
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport { ids, .. } if ids.attempts == 3),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_html_502_keeps_its_status_and_body() {
    let graph = StandIn::start(|_| {
        Reply::status(502)
            .header("content-type", "text/html")
            .body(&format!("<html>Bad Gateway{}</html>", " ".repeat(2000)))
    })
    .await;
    let err = client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    match &err {
        Error::UnexpectedResponse(response) => {
            assert_eq!(response.status, 502);
            assert!(response.body.starts_with("<html>Bad Gateway"));
            assert_eq!(response.body.len(), 512);
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
    assert_one_attempt(&graph);
}

#[tokio::test]
async fn an_error_body_is_read_only_up_to_its_cap() {
    // A body that never ends: read whole, it would never return.
    let graph = StandIn::start(|_| Reply::status(500).endless_body()).await;
    let client = client(&graph, fast_retries());
    let err = tokio::time::timeout(Duration::from_secs(20), client.delete_call(CALL_ID))
        .await
        .expect("the body is read up to 64 KiB, not to its end")
        .unwrap_err();
    let Error::BodyTooLarge { cap, response } = &err else {
        panic!("expected BodyTooLarge, got {err:?}")
    };
    assert_eq!(*cap, 64 * 1024);
    assert_eq!(response.status, 500);
    assert_eq!(response.body, "x".repeat(512));
    assert!(!err.outcome_unknown());
    assert!(err.to_string().contains("over the 65536-byte cap"), "{err}");
}

/// The review's cases: a hostile 200 to DELETE (whose success is 204), a 302, and a 200 to GET
/// whose body never ends. Each stops at its cap (64 KiB for a status the operation does not
/// document, the client's cap for its success) and says so.
#[tokio::test]
async fn bodies_that_never_end_stop_at_their_cap() {
    let graph = StandIn::start(|request| {
        if request.method == "DELETE" {
            Reply::status(200).endless_body()
        } else if request.target.ends_with("/participants") {
            Reply::status(302)
                .header("location", "https://elsewhere.example/")
                .endless_body()
        } else {
            Reply::status(200)
                .header("content-type", "application/json")
                .endless_body()
        }
    })
    .await;
    let client = support::client::builder(&graph, TOKEN, fast_retries())
        .max_response_body(1024 * 1024)
        .build()
        .unwrap();
    let cases = [
        (
            "DELETE answered 200",
            client.delete_call(CALL_ID).await.map(|_| ()),
            64 * 1024,
            200,
        ),
        (
            "302",
            client.list_participants(CALL_ID).await.map(|_| ()),
            64 * 1024,
            302,
        ),
        (
            "GET answered 200",
            client.get_call(CALL_ID).await.map(|_| ()),
            1024 * 1024,
            200,
        ),
    ];
    for (case, result, expected_cap, status) in cases {
        let err = result.unwrap_err();
        let Error::BodyTooLarge { cap, response } = &err else {
            panic!("{case}: expected BodyTooLarge, got {err:?}")
        };
        assert_eq!((*cap, response.status), (expected_cap, status), "{case}");
        assert!(!err.to_string().contains("empty body"), "{case}: {err}");
        // A success's body is Graph's resource: none of it is kept; another status's start is.
        assert_eq!(response.body.is_empty(), status == 200, "{case}");
        // A success status means Graph acted; a 302 says nothing of that.
        assert_eq!(err.outcome_unknown(), status == 200, "{case}");
    }
    // The default cap, 16 MiB, is the success cap without a setting.
    let err = support::client::client(&graph, TOKEN, fast_retries())
        .get_call(CALL_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::BodyTooLarge { cap, .. } if *cap == msgraph_calls::client::DEFAULT_MAX_RESPONSE_BODY),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_success_body_within_the_cap_is_read_whole() {
    let call = format!(
        r#"{{"id":"{CALL_ID}","state":"established","x":"{}"}}"#,
        "y".repeat(3000)
    );
    let graph = StandIn::start(move |_| Reply::json(200, &call)).await;
    let roomy = support::client::builder(&graph, TOKEN, fast_retries())
        .max_response_body(4096)
        .build()
        .unwrap();
    let read = roomy.get_call(CALL_ID).await.unwrap();
    assert_eq!(read.id.as_deref(), Some(CALL_ID));
    let tight = support::client::builder(&graph, TOKEN, fast_retries())
        .max_response_body(2048)
        .build()
        .unwrap();
    let err = tight.get_call(CALL_ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::BodyTooLarge { cap: 2048, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_error_body_shows_no_url_secrets_in_debug() {
    let graph = StandIn::start(|_| {
        Reply::status(502)
            .body("<html>upstream https://x.blob.core.windows.net/a?sig=sig-5e1 failed</html>")
    })
    .await;
    let err = client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    let shown = format!("{err:?}");
    assert!(!shown.contains("sig-5e1"), "{shown}");
    assert!(
        shown.contains("https://x.blob.core.windows.net/a?<redacted>"),
        "{shown}"
    );
    assert!(
        err.response().unwrap().body.contains("sig-5e1"),
        "kept for the caller to read"
    );
}

#[tokio::test]
async fn a_success_other_than_204_is_unexpected() {
    let graph = StandIn::start(|_| Reply::json(200, r#"{"ok": true}"#)).await;
    let err = client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse(r) if r.status == 200 && r.body == r#"{"ok": true}"#),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_graph_id_is_sent_as_given() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = client(&graph, fast_retries());
    for id in [CALL_ID, "...", "a.b_c~d-E"] {
        client.delete_call(id).await.unwrap();
        let last = graph.requests().pop().unwrap();
        assert_eq!(last.target, format!("/v1.0/communications/calls/{id}"));
    }
}

#[tokio::test]
async fn refused_ids_send_nothing() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = client(&graph, fast_retries());
    let long = "x".repeat(513);
    for id in [
        "",
        ".",
        "..",
        "..\\..",
        "a\r\nb",
        "\0",
        long.as_str(),
        "a/b",
        "../x",
        "/",
        "a?b#c",
        "%2e%2e",
        "%2F",
        "a b",
        "é",
        "\u{ff0e}\u{ff0e}",
        "x\u{2028}y",
    ] {
        let err = client.delete_call(id).await.unwrap_err();
        assert!(matches!(err, Error::InvalidId { .. }), "{id:?}: {err:?}");
    }
    assert!(graph.requests().is_empty());
}

struct FailingProvider;

impl TokenProvider for FailingProvider {
    async fn token(&self) -> Result<AccessToken, TokenError> {
        Err(TokenError::new("credential store unreachable"))
    }
}

#[tokio::test]
async fn a_failing_token_provider_sends_nothing() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(FailingProvider)
        .build()
        .unwrap();
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    assert!(matches!(&err, Error::Token(_)), "{err:?}");
    assert_eq!(err.to_string(), "no token: credential store unreachable");
    assert!(graph.requests().is_empty());
}

/// Counts its calls, and gives a new token each time: the client asks on every hang-up.
struct RotatingProvider(Mutex<u32>);

impl TokenProvider for RotatingProvider {
    async fn token(&self) -> Result<AccessToken, TokenError> {
        let mut n = self.0.lock().unwrap();
        *n += 1;
        Ok(AccessToken::new(format!("token-{n}")))
    }
}

#[tokio::test]
async fn the_provider_is_asked_on_every_hang_up() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(RotatingProvider(Mutex::new(0)))
        .build()
        .unwrap();
    client.delete_call(CALL_ID).await.unwrap();
    client.delete_call(CALL_ID).await.unwrap();
    let tokens: Vec<_> = graph
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(tokens, ["Bearer token-1", "Bearer token-2"]);
}

#[tokio::test]
async fn a_token_that_is_not_a_header_value_is_refused_without_echo() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(StaticToken::new("sec\nret-value"))
        .build()
        .unwrap();
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    assert!(matches!(err, Error::Token(_)));
    assert!(!format!("{err} {err:?}").contains("ret-value"));
    assert!(graph.requests().is_empty());
}

#[test]
fn china_is_refused_before_any_request() {
    let err = Client::builder()
        .cloud(Cloud::China)
        .token(StaticToken::new(TOKEN))
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::UnsupportedCloud {
            cloud: Cloud::China
        }
    ));
    assert!(err.to_string().contains("China"), "{err}");
}

#[test]
fn each_supported_cloud_has_its_graph_root() {
    for (cloud, base) in [
        (Cloud::Global, "https://graph.microsoft.com/v1.0"),
        (Cloud::UsGovL4, "https://graph.microsoft.us/v1.0"),
        (Cloud::UsGovL5Dod, "https://dod-graph.microsoft.us/v1.0"),
    ] {
        let client = Client::builder()
            .cloud(cloud)
            .token(StaticToken::new(TOKEN))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), base);
    }
}

#[test]
fn bad_configuration_is_reported() {
    let no_token = Client::builder().build().unwrap_err();
    assert!(
        no_token.to_string().contains("no token provider"),
        "{no_token}"
    );
    let bad_url = Client::builder()
        .base_url("ftp://x")
        .token(StaticToken::new(TOKEN))
        .build()
        .unwrap_err();
    assert!(matches!(bad_url, Error::Config { .. }));
    let bad_agent = Client::builder()
        .user_agent("a\nb")
        .token(StaticToken::new(TOKEN))
        .build()
        .unwrap_err();
    assert!(matches!(bad_agent, Error::Config { .. }));
}

/// Debug and Display of every type that holds or handles the token, and every error variant
/// the tests produce, never show it.
#[tokio::test]
async fn the_token_never_shows() {
    let graph = StandIn::start(|_| {
        Reply::json(403, r#"{"error": {"code": "Forbidden", "message": "No."}}"#)
    })
    .await;
    let client = client(&graph, fast_retries());
    let mut shown = vec![
        format!("{client:?}"),
        format!("{:?}", StaticToken::new(TOKEN)),
        format!("{:?}", AccessToken::new(TOKEN)),
    ];
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    shown.push(format!("{err} {err:?}"));
    let timeout = Client::builder()
        .base_url(
            StandIn::start(|_| Reply::status(204).after(Duration::from_secs(2)))
                .await
                .base_url(),
        )
        .token(StaticToken::new(TOKEN))
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap()
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    shown.push(format!("{timeout} {timeout:?}"));
    for text in &shown {
        assert!(!text.contains("test-token-7f3a"), "{text}");
    }
    assert!(shown[3].contains("Forbidden"));
}

/// A 404 that is not Graph's JSON error body (an HTML page from a proxy, a wrong base URL)
/// says nothing about the call: it is not `NotFound`, and `hang_up` does not call the call
/// ended.
#[tokio::test]
async fn a_404_that_is_not_graphs_is_unexpected_not_already_ended() {
    let graph = StandIn::start(|_| {
        Reply::status(404)
            .header("content-type", "text/html")
            .body("<html>Not Found</html>")
    })
    .await;
    let client = client(&graph, fast_retries());
    let err = client.delete_call(CALL_ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse(r) if r.status == 404 && r.body == "<html>Not Found</html>"),
        "{err:?}"
    );
    let err = client.hang_up(CALL_ID).await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse(_)), "{err:?}");
}

fn build_with_base_url(url: &str) -> Result<Client, Error> {
    Client::builder()
        .base_url(url)
        .token(StaticToken::new(TOKEN))
        .build()
}

/// The token would travel in clear text: plain http is for a stand-in on this machine only.
#[test]
fn plain_http_is_refused_off_loopback() {
    for url in [
        "http://graph.microsoft.com/v1.0",
        "http://10.0.0.8/v1.0",
        "http://127.0.0.1.example.com/v1.0",
    ] {
        let err = build_with_base_url(url).unwrap_err();
        assert!(
            matches!(&err, Error::Config { reason } if reason.contains("https")),
            "{url}: {err:?}"
        );
    }
    for url in [
        "http://127.0.0.1:8080/v1.0",
        "http://[::1]:8080/v1.0",
        "http://localhost/beta",
    ] {
        assert!(build_with_base_url(url).is_ok(), "{url}");
    }
}

/// Without its version segment, a base URL sends requests where Graph has no calls.
#[test]
fn a_base_url_without_its_version_segment_is_refused() {
    for url in [
        "https://graph.microsoft.com",
        "https://graph.microsoft.com/",
        "https://graph.microsoft.com/v2.0",
        "http://127.0.0.1:8080/v1.0/communications",
    ] {
        let err = build_with_base_url(url).unwrap_err();
        assert!(
            matches!(&err, Error::Config { reason } if reason.contains("/v1.0")),
            "{url}: {err:?}"
        );
    }
    let client = build_with_base_url("https://proxy.example.com/graph/beta/").unwrap();
    assert_eq!(client.base_url(), "https://proxy.example.com/graph/beta");
}

/// A redirect is not followed: following it would send the DELETE, and the token, to a place
/// the bot did not choose.
#[tokio::test]
async fn redirects_are_not_followed() {
    let graph = StandIn::start(|request| {
        if request.target.ends_with("/elsewhere") {
            Reply::status(204)
        } else {
            Reply::status(307).header("location", "/v1.0/communications/calls/elsewhere")
        }
    })
    .await;
    let err = client(&graph, fast_retries())
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse(r) if r.status == 307),
        "{err:?}"
    );
    assert_one_attempt(&graph);
}
