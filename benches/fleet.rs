//! Callbacks per second a bot absorbs through a load balancer on loopback, side by side: one
//! instance on `MemoryStore`, and three instances sharing `RedisStore` on a real
//! `redis-server` (each instance on a runtime of its own with one worker, as three processes).
//! Each run follows 200 calls (an incoming notification each), then sends 20 tone
//! notifications per call (each a change written and an event told) from 32 concurrent senders,
//! a call's tones in order from one sender, each callback with Graph's signed token, checked.
//! The figure is callbacks answered 202 per second in that phase; the median of 5 runs is kept.
//! Run with `cargo bench --bench fleet`; BENCHMARKS.md. Needs `redis-server` on PATH.

use std::time::{Duration, Instant};

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use msgraph_calls::auth::StaticToken;
use msgraph_calls::inbound::axum::Callback;
use msgraph_calls::inbound::{Receiver, ValidatorBuilder};
use msgraph_calls::sessions::{CallStore, Calls, MemoryStore, RedisStore, StoreError};
use msgraph_calls::testing::{signer, Balancer, Graph, RedisServer, Spread};
use serde_json::{json, Value};

const BOT_APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
const CALLS: usize = 200;
const TONES: usize = 20;
const SENDERS: usize = 32;
const RUNS: usize = 5;

#[derive(Clone)]
struct Bot {
    receiver: Receiver,
    calls: Calls,
}

impl FromRef<Bot> for Receiver {
    fn from_ref(bot: &Bot) -> Receiver {
        bot.receiver.clone()
    }
}

async fn on_callback(State(bot): State<Bot>, callback: Callback) -> Result<StatusCode, StoreError> {
    bot.calls.apply(callback.batch).await?;
    Ok(StatusCode::ACCEPTED)
}

/// An instance on a runtime of its own; its registry drops the calls it is offered.
struct Instance {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn instance(
    listener: std::net::TcpListener,
    validator: ValidatorBuilder,
    redis: Option<String>,
) -> Instance {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime
        .spawn(async move {
            let client = msgraph_calls::Client::builder()
                .base_url("http://127.0.0.1:9/v1.0")
                .token(StaticToken::new("bench"))
                .build()
                .unwrap();
            let builder = Calls::builder(client)
                .keep_alive_every(None)
                .incoming_capacity(CALLS * 2);
            let calls = match redis {
                Some(url) => builder.store(redis_store(url).await),
                None => builder.store(MemoryStore::new()),
            }
            .build();
            let validator = validator.build().unwrap();
            validator.refresh_keys().await.unwrap();
            let drained = calls.clone();
            tokio::spawn(async move {
                let mut incoming = drained.incoming();
                while incoming.next().await.is_some() {}
            });
            let app = Router::new()
                .route("/api/calls", post(on_callback))
                .with_state(Bot {
                    receiver: Receiver::new(validator),
                    calls,
                });
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            tokio::spawn(async move { axum::serve(listener, app).await });
        })
        .await
        .unwrap();
    Instance {
        runtime: Some(runtime),
    }
}

async fn redis_store(url: String) -> impl CallStore {
    RedisStore::builder(url).connect().await.unwrap()
}

fn notification(id: &str, call: Value) -> Vec<u8> {
    json!({"value": [{
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": if call["state"] == "incoming" { "created" } else { "updated" },
        "resourceUrl": format!("/communications/calls/{id}"),
        "resourceData": call
    }]})
    .to_string()
    .into_bytes()
}

/// One run: `count` instances behind a balancer; callbacks answered per second in the tone
/// phase.
async fn run(count: usize, redis: Option<&RedisServer>, run: usize) -> f64 {
    let listeners: Vec<std::net::TcpListener> = (0..count)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let origins = listeners
        .iter()
        .map(|l| format!("http://{}", l.local_addr().unwrap()))
        .collect();
    let balancer = Balancer::start(origins, Spread::Random { twice_in: 0 })
        .await
        .unwrap();
    let callback = format!("{}/api/calls", balancer.origin());
    let graph = Graph::start(BOT_APP_ID, TENANT, &callback).await.unwrap();
    let mut instances = Vec::new();
    for listener in listeners {
        instances.push(instance(listener, graph.validator(), redis.map(|r| r.url())).await);
    }
    let token = format!(
        "Bearer {}",
        graph.key().sign(&signer::claims(BOT_APP_ID, TENANT))
    );
    let http = msgraph_calls::client::http_client_builder()
        .unwrap()
        .build()
        .unwrap();
    let ids: Vec<String> = (0..CALLS)
        .map(|n| format!("{n:08x}-{run:04x}-4000-8000-0000000000be"))
        .collect();
    let post = move |body: Vec<u8>| {
        let (http, callback, token) = (http.clone(), callback.clone(), token.clone());
        async move {
            let status = http
                .post(&callback)
                .header("authorization", token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 202);
        }
    };
    for id in &ids {
        post(notification(
            id,
            json!({"@odata.type": "#microsoft.graph.call", "id": id, "state": "incoming",
                   "direction": "incoming"}),
        ))
        .await;
    }
    let started = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let mine: Vec<String> = ids.iter().skip(sender).step_by(SENDERS).cloned().collect();
            let post = post.clone();
            tokio::spawn(async move {
                for id in &mine {
                    for sequence in 1..=TONES {
                        let call = json!({"@odata.type": "#microsoft.graph.call",
                            "state": "established", "toneInfo": {
                            "@odata.type": "#microsoft.graph.toneInfo",
                            "sequenceId": sequence, "tone": "tone1"}});
                        post(notification(id, call)).await;
                    }
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    let elapsed = started.elapsed();
    drop(instances);
    (CALLS * TONES) as f64 / elapsed.as_secs_f64()
}

fn median(mut figures: Vec<f64>) -> f64 {
    figures.sort_by(f64::total_cmp);
    figures[figures.len() / 2]
}

fn main() {
    // Criterion's own flags (`--bench`) are not this harness's: nothing to read.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let redis = match RedisServer::start().await {
            Ok(redis) => redis,
            Err(e) => {
                eprintln!("fleet benchmark not run: {e}");
                return;
            }
        };
        let mut memory = Vec::new();
        let mut fleet = Vec::new();
        // Taking turns, so that a slower moment of the machine falls on both.
        for n in 0..RUNS {
            memory.push(run(1, None, 2 * n).await);
            fleet.push(run(3, Some(&redis), 2 * n + 1).await);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        println!(
            "callbacks/s, {} callbacks per run, {SENDERS} senders, median of {RUNS}:",
            CALLS * TONES
        );
        println!(
            "  1 instance, MemoryStore:   {:>7.0}  (runs: {memory:.0?})",
            median(memory.clone())
        );
        println!(
            "  3 instances, RedisStore:   {:>7.0}  (runs: {fleet:.0?})",
            median(fleet.clone())
        );
    });
}
