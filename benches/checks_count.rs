//! The instruction count of the callback checks, for valgrind: wall-clock time on a shared
//! 2-core machine varies more between runs than a 5% change, instruction counts do not. Runs
//! `N` of one kind inside `measured` (the only function counted):
//!
//! ```text
//! cargo bench --bench checks_count --no-run
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*' \
//!     target/release/deps/checks_count-* validate 1000
//! ```
//! Kinds: `validate` (a valid token, keys cached), `none` (`alg: none`, refused before any
//! key), `nested` (a forged token of 15.6 KB whose header is mostly nested arrays),
//! `decode-seed` (the seed's terminated notification), `decode-roster` (a roster of 16).
//! Without arguments (as `cargo bench` runs it) it runs 10 of each and prints nothing.

use std::hint::black_box;

use msgraph_calls::inbound::Validator;
use msgraph_calls::notifications;
use msgraph_calls::testing::signer::{self, GraphKey};

const APP_ID: &str = "0efc74f7-41c3-47a4-8775-7259bfef4241";
const TENANT: &str = "1fdd12d0-4620-44ed-baec-459b611f84b2";
const TERMINATED: &[u8] =
    include_bytes!("../tests/fixtures/notifications/call-delete-terminated.json");
const ROSTER: &[u8] =
    include_bytes!("../tests/fixtures/notifications/participant-invite-roster.json");

#[inline(never)]
fn measured(count: usize, mut one: impl FnMut()) {
    for _ in 0..count {
        one();
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let kinds: Vec<&str> = match args.first() {
        Some(kind) => vec![kind.as_str()],
        None => vec!["validate", "none", "nested", "decode-seed", "decode-roster"],
    };
    let count: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10);

    let key = GraphKey::generate("graph-key");
    let validator = Validator::builder(APP_ID)
        .allowed_tenants([TENANT])
        .build_offline(signer::jwks(&[&key]).as_bytes())
        .unwrap();
    let claims = signer::claims(APP_ID, TENANT);
    let bearer = |token: String| {
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        headers
    };
    let valid = bearer(key.sign(&claims));
    let payload = key.sign(&claims).split('.').nth(1).unwrap().to_owned();
    let none = bearer(format!(
        "{}.{payload}.",
        signer::b64(br#"{"alg":"none","kid":"graph-key"}"#)
    ));
    // A token of 15.6 KB, under the 16 KiB cap: its header is arrays nested 100 deep,
    // repeated, in a member no check reads.
    let nested_member = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let header = format!(
        r#"{{"alg":"RS256","kid":"graph-key","x":[{}]}}"#,
        vec![nested_member; 57].join(",")
    );
    let nested = bearer(format!("{}.{payload}.AAAA", signer::b64(header.as_bytes())));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    for kind in kinds {
        match kind {
            "validate" => measured(count, || {
                runtime
                    .block_on(validator.validate(black_box(&valid)))
                    .unwrap();
            }),
            "none" => measured(count, || {
                let _ = runtime.block_on(validator.validate(black_box(&none)));
            }),
            "nested" => measured(count, || {
                let _ = runtime.block_on(validator.validate(black_box(&nested)));
            }),
            "decode-seed" => measured(count, || {
                notifications::from_slice(black_box(TERMINATED)).unwrap();
            }),
            "decode-roster" => measured(count, || {
                notifications::from_slice(black_box(ROSTER)).unwrap();
            }),
            other => panic!("unknown kind {other}"),
        }
    }
}
