//! Call sessions under load, measured with a counting allocator (run with
//! `cargo bench --bench sessions_load`; the numbers are in BENCHMARKS.md):
//!
//! 1. Memory per idle tracked call: 1,000 calls followed from Graph's incoming notification
//!    (call-answer.md) and an `established` one, no roster, no subscriber; then the same with
//!    one subscriber each. Heap bytes kept, divided by the calls.
//! 2. 1,000 concurrent calls through the stand-in for Graph on loopback: each incoming call
//!    answered, a prompt played and awaited, a tone pressed and received, the call hung up and
//!    its ending explained. Wall time, and the peak of live heap bytes of the whole process
//!    (the stand-in's included).

#[path = "support/counting.rs"]
mod counting;

use std::time::{Duration, Instant};

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::Receiver;
use msgraph_calls::notifications;
use msgraph_calls::resources::{CallState, Modality};
use msgraph_calls::sessions::{Calls, Event};
use msgraph_calls::testing::Graph;
use msgraph_calls::types::{AnswerRequest, MediaConfig, PlayPromptRequest, Prompt};
use msgraph_calls::Client;
use serde_json::{json, Value};

const INCOMING: &str = include_str!("../tests/fixtures/notifications/call-answer-incoming.json");
const CALLS: usize = 1_000;
const WAIT: Duration = Duration::from_secs(60);

fn id(n: usize) -> String {
    format!("5d6c6b2a-0000-4000-8000-{n:012x}")
}

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .token(StaticToken::new("bench"))
        .build()
        .unwrap()
}

/// Graph's incoming notification for the call `n`, and an `established` one.
fn batches(n: usize) -> [Vec<u8>; 2] {
    let mut incoming: Value = serde_json::from_str(INCOMING).unwrap();
    let url = format!("/communications/calls/{}", id(n));
    incoming["value"][0]["resourceUrl"] = json!(url);
    let established = json!({"value": [{"changeType": "updated", "resourceUrl": url,
        "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "established"}}]});
    [
        serde_json::to_vec(&incoming).unwrap(),
        serde_json::to_vec(&established).unwrap(),
    ]
}

async fn idle_calls(subscribe: bool) -> usize {
    let bodies: Vec<[Vec<u8>; 2]> = (0..CALLS).map(batches).collect();
    let calls = Calls::builder(client("http://127.0.0.1:9/v1.0"))
        .keep_alive_every(None)
        .incoming_capacity(CALLS)
        .build();
    let mut kept_alive = Vec::new();
    let before = counting::live();
    for pair in &bodies {
        for body in pair {
            calls
                .apply(notifications::from_slice(body).unwrap())
                .await
                .unwrap();
        }
    }
    // The incoming calls offered wait in the registry's queue: taken, as a bot would.
    let mut incoming = calls.incoming();
    for _ in 0..CALLS {
        let call = incoming.next().await.unwrap();
        if subscribe {
            kept_alive.push(call.session().events());
        }
    }
    assert_eq!(calls.tracked(), CALLS);
    let kept = counting::live() - before;
    drop(kept_alive);
    kept / CALLS
}

#[derive(Clone)]
struct App {
    receiver: Receiver,
    calls: Calls,
}

impl FromRef<App> for Receiver {
    fn from_ref(app: &App) -> Receiver {
        app.receiver.clone()
    }
}

async fn on_callback(State(app): State<App>, callback: Callback) -> StatusCode {
    match app.calls.apply(callback.batch).await {
        Ok(_) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn load() -> (Duration, usize) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://{}/api/calls", listener.local_addr().unwrap());
    let graph = std::sync::Arc::new(
        Graph::start("bench-bot", "bench-tenant", &callback)
            .await
            .unwrap(),
    );
    let validator = graph.validator().build().unwrap();
    validator.refresh_keys().await.unwrap();
    let calls = Calls::builder(client(&graph.base_url()))
        .incoming_capacity(CALLS)
        .build();
    let app = Router::new()
        .route("/api/calls", post(on_callback))
        .with_state(App {
            receiver: Receiver::new(validator),
            calls: calls.clone(),
        });
    tokio::spawn(async move { axum::serve(listener, app).await });

    counting::reset_peak();
    let started = Instant::now();
    let mut incoming = calls.incoming();
    for n in 0..CALLS {
        let graph = graph.clone();
        tokio::spawn(async move { graph.incoming_call(&id(n), "+12345678901").await });
    }
    let mut bots = Vec::new();
    for _ in 0..CALLS {
        let call = tokio::time::timeout(WAIT, incoming.next())
            .await
            .unwrap()
            .unwrap();
        let (graph, callback) = (graph.clone(), callback.clone());
        bots.push(tokio::spawn(async move {
            let mut events = call.session().events();
            let answer = AnswerRequest::new([Modality::Audio], MediaConfig::service_hosted())
                .with_callback_uri(callback);
            let session = call.answer(&answer).await.unwrap();
            session
                .wait_for(CallState::Established, WAIT)
                .await
                .unwrap();
            let menu = PlayPromptRequest::new([Prompt::media("https://cdn.contoso.com/menu.wav")]);
            let played = session
                .play_prompt(&menu)
                .await
                .unwrap()
                .finished()
                .await
                .unwrap();
            assert!(played.status.is_some());
            graph.press_tone(session.id(), "tone1").await.unwrap();
            let mut toned = false;
            while let Some(event) = tokio::time::timeout(WAIT, events.next()).await.unwrap() {
                match event {
                    Ok(Event::ToneReceived(_)) if !toned => {
                        toned = true;
                        session.delete_call().await.unwrap();
                    }
                    Ok(Event::Terminated(why)) => {
                        assert!(toned);
                        return why.explain().is_some();
                    }
                    _ => {}
                }
            }
            false
        }));
    }
    let mut explained = 0;
    for bot in bots {
        explained += usize::from(bot.await.unwrap());
    }
    let took = started.elapsed();
    assert_eq!(explained, CALLS, "every call ends with its explanation");
    (took, counting::peak())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let alone = runtime.block_on(idle_calls(false));
    let subscribed = runtime.block_on(idle_calls(true));
    println!("memory per idle tracked call ({CALLS} calls, no roster): {alone} bytes; with one subscriber to its events: {subscribed} bytes");
    let (took, peak) = runtime.block_on(load());
    println!(
        "{CALLS} concurrent calls through the stand-in (answer, prompt awaited, tone, hang-up): {:.2} s, peak heap {:.1} MiB, every call ended with its explanation",
        took.as_secs_f64(),
        peak as f64 / 1_048_576.0
    );
}
