//! The instruction count of applying a notification next to decoding it, for valgrind: on
//! this shared 2-core machine criterion's times for a few microseconds move by tens of percent
//! between runs, instruction counts do not.
//!
//! ```text
//! cargo bench --bench sessions_count --no-run
//! valgrind --tool=callgrind target/release/deps/sessions_count-* decode 200
//! valgrind --tool=callgrind target/release/deps/sessions_count-* decode 1200
//! ```
//! and the same with `apply`; (count at 1200 - count at 200) / 1000 is the count per
//! notification. The inputs are those of `benches/sessions.rs` (Graph's establishing example,
//! its state taking turns between `established` and `hold`); add `roster` after the count for
//! the roster of 16. Without arguments (as `cargo bench` runs it) it does 100 of each and
//! prints nothing.

use std::hint::black_box;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::notifications;
use msgraph_calls::sessions::Calls;
use serde_json::{json, Value};

const STATE: &str = include_str!("../tests/fixtures/notifications/call-answer-establishing.json");
const ROSTER: &str = include_str!("../tests/fixtures/notifications/participant-invite-roster.json");

fn with_state(state: &str) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(STATE).unwrap();
    body["value"][0]["resourceData"]["state"] = json!(state);
    serde_json::to_vec_pretty(&body).unwrap()
}

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

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let kinds: Vec<&str> = match args.first() {
        Some(kind) => vec![kind.as_str()],
        None => vec!["decode", "apply"],
    };
    let count: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100);
    let bodies = if args.get(2).map(String::as_str) == Some("roster") {
        [roster(false), roster(true)]
    } else {
        [with_state("established"), with_state("hold")]
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let client = msgraph_calls::Client::builder()
        .base_url("http://127.0.0.1:9/v1.0")
        .token(StaticToken::new("bench"))
        .build()
        .unwrap();
    let calls = Calls::builder(client).keep_alive_every(None).build();
    runtime.block_on(async {
        calls
            .apply(notifications::from_slice(&bodies[0]).unwrap())
            .await
            .unwrap();
        let first = notifications::from_slice(&bodies[0]).unwrap();
        let call = first.notifications()[0].call_id().unwrap().to_owned();
        let session = calls.session(&call).await.unwrap().unwrap();
        let _events = session.events();
        for kind in &kinds {
            for turn in 0..count {
                let batch = notifications::from_slice(black_box(&bodies[turn % 2])).unwrap();
                if *kind == "apply" {
                    black_box(calls.apply(batch).await.unwrap());
                } else {
                    black_box(batch);
                }
            }
        }
    });
}
