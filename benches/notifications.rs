//! Decoding callback bodies: `notifications::from_slice` (typed and lossless) side by side
//! with `serde_json::Value` (what users do without this crate) and a minimal hand-written
//! borrowed struct that reads only what a bot needs and drops the rest (the floor).
//! Inputs: the seed's terminated notification, and a roster of several KB built from Graph's
//! participant-invite example. Run with `cargo bench --bench notifications`; BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use msgraph_calls::notifications;
use serde::Deserialize;

const TERMINATED: &[u8] =
    include_bytes!("../tests/fixtures/notifications/call-delete-terminated.json");
const ROSTER: &str = include_str!("../tests/fixtures/notifications/participant-invite-roster.json");

/// The roster fixture with its two participants repeated to `copies` times as many.
fn roster(copies: usize) -> Vec<u8> {
    let mut body: serde_json::Value = serde_json::from_str(ROSTER).unwrap();
    let participants = body["value"][0]["resourceData"].as_array().unwrap().clone();
    let many: Vec<_> = participants
        .iter()
        .cycle()
        .take(participants.len() * copies)
        .cloned()
        .collect();
    body["value"][0]["resourceData"] = serde_json::Value::Array(many);
    serde_json::to_vec_pretty(&body).unwrap()
}

#[derive(Deserialize)]
struct FloorBatch<'a, T> {
    #[serde(borrow)]
    value: Vec<FloorNotification<'a, T>>,
}

#[derive(Deserialize)]
struct FloorNotification<'a, T> {
    #[serde(rename = "changeType")]
    change_type: &'a str,
    #[serde(rename = "resourceUrl")]
    resource_url: &'a str,
    #[serde(rename = "resourceData")]
    resource_data: Option<T>,
}

#[derive(Deserialize)]
struct FloorCall<'a> {
    state: Option<&'a str>,
    #[serde(rename = "resultInfo", borrow)]
    result_info: Option<FloorResult<'a>>,
}

#[derive(Deserialize)]
struct FloorResult<'a> {
    code: &'a str,
    subcode: &'a str,
    message: Option<&'a str>,
}

#[derive(Deserialize)]
struct FloorParticipant<'a> {
    id: Option<&'a str>,
    #[serde(rename = "isMuted")]
    is_muted: Option<bool>,
    #[serde(rename = "isInLobby")]
    is_in_lobby: Option<bool>,
}

fn decode(c: &mut Criterion) {
    let roster = roster(8);
    let inputs: [(&str, &[u8]); 2] = [
        ("terminated (seed, 568 B)", TERMINATED),
        ("roster (16 participants)", &roster),
    ];
    for (name, body) in inputs {
        let mut group = c.benchmark_group(format!("decode {name}, {} bytes", body.len()));
        group.bench_function("msgraph-calls from_slice", |b| {
            b.iter(|| notifications::from_slice(black_box(body)).unwrap())
        });
        group.bench_function("serde_json Value", |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap())
        });
        if name.starts_with("terminated") {
            group.bench_function("minimal borrowed struct", |b| {
                b.iter(|| {
                    let batch: FloorBatch<FloorCall> =
                        serde_json::from_slice(black_box(body)).unwrap();
                    let n = &batch.value[0];
                    black_box((n.change_type, n.resource_url));
                    let call = n.resource_data.as_ref().unwrap();
                    let info = call.result_info.as_ref().unwrap();
                    black_box((call.state, info.code, info.subcode, info.message));
                })
            });
        } else {
            group.bench_function("minimal borrowed struct", |b| {
                b.iter(|| {
                    let batch: FloorBatch<Vec<FloorParticipant>> =
                        serde_json::from_slice(black_box(body)).unwrap();
                    let n = &batch.value[0];
                    black_box((n.change_type, n.resource_url));
                    for p in n.resource_data.as_ref().unwrap() {
                        black_box((p.id, p.is_muted, p.is_in_lobby));
                    }
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
