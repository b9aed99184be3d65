//! The instruction count of one hang-up against plain reqwest, for valgrind: wall-clock time
//! on a shared 2-core machine varies more between runs than the difference being measured,
//! instruction counts do not. Runs `N` hang-ups of one kind against the loopback stand-in:
//!
//! ```text
//! cargo bench --bench delete_call_count --no-run
//! valgrind --tool=callgrind target/release/deps/delete_call_count-* crate 200
//! valgrind --tool=callgrind target/release/deps/delete_call_count-* crate 1200
//! ```
//! and the same with `plain`; (count at 1200 - count at 200) / 1000 is the count per hang-up.
//! Without arguments (as `cargo bench` runs it) it makes 100 of each and prints nothing.

#[path = "../tests/support/stand_in.rs"]
mod stand_in;

use std::time::Duration;

use msgraph_calls::auth::StaticToken;
use msgraph_calls::client::http_client_builder;
use msgraph_calls::Client;
use stand_in::{Reply, StandIn};

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let kinds: Vec<&str> = match args.first() {
        Some(kind) => vec![kind.as_str()],
        None => vec!["crate", "plain"],
    };
    let count: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let graph = runtime.block_on(StandIn::start_unrecorded(|_| Reply::status(204)));
    let base = graph.base_url();
    let client = Client::builder()
        .base_url(base.clone())
        .token(StaticToken::new("token"))
        .http_client(http_client_builder().unwrap().build().unwrap())
        .build()
        .unwrap();
    let plain = http_client_builder().unwrap().build().unwrap();
    for kind in kinds {
        for _ in 0..count {
            match kind {
                "crate" => runtime.block_on(client.delete_call(CALL_ID)).unwrap(),
                _ => runtime.block_on(async {
                    let response = plain
                        .delete(format!("{base}/communications/calls/{CALL_ID}"))
                        .header("authorization", format!("Bearer {}", "token"))
                        .header("accept", "application/json")
                        .header("user-agent", "msgraph-calls/0.1.0")
                        .header("client-request-id", fastrand::u128(..).to_string())
                        .timeout(Duration::from_secs(30))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 204);
                }),
            }
        }
    }
}
