//! What following a call costs beside reading its notifications: `notifications::from_slice`
//! alone, side by side with `from_slice` and `Calls::apply` (the in-memory store, one
//! subscriber to the call's events), for a call-state notification (Graph's establishing
//! example, its state taking turns between `established` and `hold`, so that each one applied
//! moves the state and sends an event) and for a roster of 16 participants (two rosters taking
//! turns, one participant muted in the second, so that each one applied is diffed and changes
//! one participant). The same apply on `RedisStore` (a `redis-server` of the bench's own on
//! loopback, Debian's package, with the append-only file synced at every write, then every
//! second, and a second registry listening to the news) runs beside it when `redis-server` is
//! on PATH. Run with
//! `cargo bench --bench sessions`; BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use msgraph_calls::auth::StaticToken;
use msgraph_calls::notifications;
use msgraph_calls::sessions::{Calls, RedisStore};
use msgraph_calls::testing::RedisServer;
use serde_json::{json, Value};

const STATE: &str = include_str!("../tests/fixtures/notifications/call-answer-establishing.json");
const ROSTER: &str = include_str!("../tests/fixtures/notifications/participant-invite-roster.json");

fn with_state(state: &str) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(STATE).unwrap();
    body["value"][0]["resourceData"]["state"] = json!(state);
    serde_json::to_vec_pretty(&body).unwrap()
}

/// Graph's roster example, its participants repeated to 16, each with an id of its own; the
/// fifth muted when `muted`.
fn roster(muted: bool) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(ROSTER).unwrap();
    let participants = body["value"][0]["resourceData"].as_array().unwrap().clone();
    let many: Vec<Value> = participants
        .iter()
        .cycle()
        .take(16)
        .enumerate()
        .map(|(n, p)| {
            let mut p = p.clone();
            p["id"] = json!(format!("5d6c6b2a-0000-4000-8000-{n:012x}"));
            if n == 4 {
                p["isMuted"] = json!(muted);
            }
            p
        })
        .collect();
    body["value"][0]["resourceData"] = Value::Array(many);
    serde_json::to_vec_pretty(&body).unwrap()
}

fn client() -> msgraph_calls::Client {
    msgraph_calls::Client::builder()
        .base_url("http://127.0.0.1:9/v1.0")
        .token(StaticToken::new("bench"))
        .build()
        .unwrap()
}

fn registry() -> Calls {
    Calls::builder(client()).keep_alive_every(None).build()
}

/// Sets how often Redis syncs its append-only file: `always` (each write waits for the disk)
/// or `everysec`.
async fn appendfsync(server: &RedisServer, how: &str) {
    let mut raw = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("appendfsync")
        .arg(how)
        .query_async(&mut raw)
        .await
        .unwrap();
}

/// A registry on the bench's Redis, and another listening to its news, as a second instance.
async fn on_redis(server: &RedisServer) -> (Calls, Calls) {
    let store = || RedisStore::builder(server.url()).connect();
    let calls = Calls::builder(client())
        .store(store().await.unwrap())
        .keep_alive_every(None)
        .build();
    let other = Calls::builder(client())
        .store(store().await.unwrap())
        .keep_alive_every(None)
        .build();
    (calls, other)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let redis = match runtime.block_on(RedisServer::start()) {
        Ok(server) => Some(server),
        Err(e) => {
            eprintln!("the Redis store is not measured: {e}");
            None
        }
    };
    for (name, bodies) in [
        (
            "call state",
            [with_state("established"), with_state("hold")],
        ),
        ("roster of 16", [roster(false), roster(true)]),
    ] {
        let mut group = c.benchmark_group(name);
        group.bench_function("from_slice", |b| {
            let mut turn = 0;
            b.iter(|| {
                turn ^= 1;
                black_box(notifications::from_slice(black_box(&bodies[turn])).unwrap())
            })
        });
        let mut registries = vec![("from_slice + Calls::apply", registry(), None)];
        if let Some(server) = &redis {
            let (calls, other) = runtime.block_on(on_redis(server));
            registries.push((
                "from_slice + Calls::apply (RedisStore, fsync always)",
                calls,
                Some((other, "always")),
            ));
            let (calls, other) = runtime.block_on(on_redis(server));
            registries.push((
                "from_slice + Calls::apply (RedisStore, fsync everysec)",
                calls,
                Some((other, "everysec")),
            ));
        }
        for (label, calls, other) in registries {
            if let (Some(server), Some((_, fsync))) = (&redis, &other) {
                runtime.block_on(appendfsync(server, fsync));
            }
            // The call, followed, with one subscriber that never falls further behind than the
            // event channel holds.
            runtime
                .block_on(calls.apply(notifications::from_slice(&bodies[0]).unwrap()))
                .unwrap();
            let first = notifications::from_slice(&bodies[0]).unwrap();
            let call = first.notifications()[0].call_id().unwrap().to_owned();
            let session = runtime
                .block_on(calls.session(&call))
                .unwrap()
                .expect("followed");
            let _events = session.events();
            // One runtime entry per sample, not per iteration: what is measured is the apply.
            group.bench_function(label, |b| {
                b.iter_custom(|iterations| {
                    runtime.block_on(async {
                        let started = std::time::Instant::now();
                        for turn in 0..iterations {
                            let body = &bodies[usize::from(turn % 2 == 1)];
                            let batch = notifications::from_slice(black_box(body)).unwrap();
                            black_box(calls.apply(batch).await.unwrap());
                        }
                        started.elapsed()
                    })
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
