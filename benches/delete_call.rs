//! `Client::delete_call` against a loopback server that answers 204, side by side with the same
//! request made with plain reqwest (the floor): the same headers (bearer token, a fresh
//! client-request-id, user agent, accept), the same per-request timeout, the same TLS setup and
//! connection pool settings, connections reused. Run with `cargo bench --bench delete_call`;
//! results in BENCHMARKS.md.

#[path = "../tests/support/stand_in.rs"]
mod stand_in;

use criterion::{criterion_group, criterion_main, Criterion};
use msgraph_calls::auth::StaticToken;
use msgraph_calls::client::http_client_builder;
use msgraph_calls::Client;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use stand_in::{Reply, StandIn};

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
const TOKEN: &str = "eyJ0eXAi.bench.sig";

fn delete_call(c: &mut Criterion) {
    // One thread drives the client and the server: no cross-thread wake-ups, which would
    // dominate the time and its noise.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let graph = runtime.block_on(StandIn::start_unrecorded(|_| Reply::status(204)));
    let base = graph.base_url();

    let client = Client::builder()
        .base_url(base.clone())
        .token(StaticToken::new(TOKEN))
        .http_client(http_client_builder().unwrap().build().unwrap())
        .build()
        .unwrap();
    let plain = http_client_builder().unwrap().build().unwrap();

    let mut group = c.benchmark_group("delete_call on loopback, 204");
    group.bench_function("msgraph-calls Client::delete_call", |b| {
        b.iter(|| runtime.block_on(client.delete_call(CALL_ID)).unwrap())
    });
    group.bench_function("plain reqwest DELETE", |b| {
        b.iter(|| {
            runtime.block_on(async {
                // What any caller does per hang-up: the URL for this call id, the header for the
                // current token.
                let url = format!("{base}/communications/calls/{CALL_ID}");
                let response = plain
                    .delete(url)
                    .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
                    .header(ACCEPT, "application/json")
                    .header(USER_AGENT, "msgraph-calls/0.1.0")
                    .header("client-request-id", fastrand::u128(..).to_string())
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 204);
            })
        })
    });
    group.finish();
}

criterion_group!(benches, delete_call);
criterion_main!(benches);
