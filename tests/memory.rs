//! The decoder's memory bound (issue 12, point 4), checked with a counting allocator: Graph's
//! own bodies decode in a few times their size; bodies of many tiny values never take more
//! than `DECODE_BYTES_PER_BODY_BYTE` per byte plus `DECODE_BASE_BYTES`: they are refused
//! before they would. One
//! test in its own binary, so that no other test allocates meanwhile. The figures for each
//! body are printed by `cargo bench --bench decode_memory` (BENCHMARKS.md).

#[path = "../benches/support/counting.rs"]
mod counting;

use msgraph_calls::notifications::{self, DECODE_BASE_BYTES, DECODE_BYTES_PER_BODY_BYTE};

fn repeat(prefix: &str, item: &str, count: usize, suffix: &str) -> Vec<u8> {
    let items = vec![item; count].join(",");
    format!("{prefix}{items}{suffix}").into_bytes()
}

#[test]
fn decoding_stays_within_ten_times_the_body() {
    let bound = |body: &[u8]| body.len() * DECODE_BYTES_PER_BODY_BYTE + DECODE_BASE_BYTES;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notifications");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let body = std::fs::read(&path).unwrap();
        let (result, peak, _) = counting::measure(|| notifications::from_slice(&body));
        assert!(result.is_ok(), "{}", path.display());
        // Graph's own bodies stay far below the bound: under 8 bytes per byte.
        assert!(peak < 8 * body.len(), "{}: {peak} bytes", path.display());
    }

    let n = 20_000;
    let participant = r##"{"@odata.type":"#microsoft.graph.participant"}"##;
    let worst = [
        repeat(r#"{"value":["#, "{}", n, "]}"),
        repeat(r#"{"value":["#, "0", n, "]}"),
        repeat(r#"{"value":[{"resourceData":["#, participant, n, "]}]}"),
        repeat(r#"{"value":[{"x":["#, "0", n, "]}]}"),
        repeat(r#"{"value":[{"x":["#, r#"{"a":0}"#, n, "]}]}"),
        repeat(r#"{"value":[{"x":["#, "[]", n, "]}]}"),
        repeat(
            r#"{"value":["#,
            r##"{"resourceData":{"@odata.type":"#microsoft.graph.call","state":0}}"##,
            n,
            "]}",
        ),
    ];
    // Problems deep in nested rosters: each problem's path grows with the depth.
    let depth = 120;
    let mut nested = String::from(r#"{"value":[{"resourceData":"#);
    nested.push_str(&"[".repeat(depth));
    nested.push_str(r##"{"@odata.type":"#microsoft.graph.call""##);
    for _ in 0..2_000 {
        nested.push_str(r#","state":0                    "#);
    }
    nested.push('}');
    nested.push_str(&"]".repeat(depth));
    nested.push_str("}]}");
    let worst: Vec<Vec<u8>> = worst.into_iter().chain([nested.into_bytes()]).collect();
    // The most extreme, 20,000 empty notifications (83 bytes per byte unbounded), is refused.
    assert!(notifications::from_slice(&worst[0])
        .unwrap_err()
        .to_string()
        .contains("too many tiny values"));
    for body in &worst {
        let start = String::from_utf8_lossy(&body[..40]).into_owned();
        let (result, peak, kept) = counting::measure(|| notifications::from_slice(body));
        assert!(
            peak <= bound(body),
            "{start}: {peak} bytes for {}",
            body.len()
        );
        // Within the bound, a body may be read; past it, it is refused before it gets there.
        match result {
            Ok(_) => assert!(kept <= bound(body), "{start}: keeps {kept} bytes"),
            Err(err) => {
                assert!(
                    err.to_string().contains("too many tiny values"),
                    "{start}: {err}"
                );
                assert!(
                    kept < 1024,
                    "{start}: a refused body keeps only its error, not {kept} bytes"
                );
            }
        }
    }
}
