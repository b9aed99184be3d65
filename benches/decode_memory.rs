//! How much memory `notifications::from_slice` takes for a body, measured with a counting
//! allocator: the peak of live heap bytes while decoding, and what the decoded batch keeps,
//! each divided by the body's size. Inputs: every fixture of Graph's docs, a large roster, and
//! the worst cases of many tiny values (empty notifications, empty participants, tiny unknown
//! properties, tiny array elements). Run with `cargo bench --bench decode_memory`; the numbers
//! are in BENCHMARKS.md, the bound in `notifications::from_slice`'s docs.

#[path = "support/counting.rs"]
mod counting;

use msgraph_calls::notifications;

/// Decodes `body` and returns (peak while decoding, kept after), in bytes above what was live
/// before.
fn measure(body: &[u8]) -> (usize, usize, bool) {
    let (result, peak, kept) = counting::measure(|| notifications::from_slice(body));
    (peak, kept, result.is_ok())
}

fn repeat(prefix: &str, item: &str, count: usize, suffix: &str) -> Vec<u8> {
    let mut body = String::from(prefix);
    for index in 0..count {
        if index > 0 {
            body.push(',');
        }
        body.push_str(item);
    }
    body.push_str(suffix);
    body.into_bytes()
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notifications");
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        cases.push((name, std::fs::read(&path).unwrap()));
    }
    let n = 20_000;
    let participant = r##"{"@odata.type":"#microsoft.graph.participant"}"##;
    cases.extend([
        (
            format!("{n} empty notifications"),
            repeat(r#"{"value":["#, "{}", n, "]}"),
        ),
        (
            format!("{n} participants with only @odata.type"),
            repeat(
                r#"{"value":[{"resourceUrl":"/x","resourceData":["#,
                participant,
                n,
                "]}]}",
            ),
        ),
        (format!("{n} tiny unknown properties"), {
            let mut body = String::from(r#"{"value":[{"#);
            for index in 0..n {
                if index > 0 {
                    body.push(',');
                }
                body.push_str(&format!(r#""{index:x}":0"#));
            }
            body.push_str("}]}");
            body.into_bytes()
        }),
        (
            format!("{n} tiny array elements"),
            repeat(r#"{"value":[{"x":["#, "0", n, "]}]}"),
        ),
        (
            format!("{n} tiny objects kept as they came"),
            repeat(r#"{"value":[{"x":["#, r#"{"a":0}"#, n, "]}]}"),
        ),
        (
            format!("{n} empty arrays"),
            repeat(r#"{"value":[{"x":["#, "[]", n, "]}]}"),
        ),
        (
            format!("{n} non-object notifications"),
            repeat(r#"{"value":["#, "0", n, "]}"),
        ),
        (
            format!("{n} wrongly typed states"),
            repeat(
                r#"{"value":["#,
                r##"{"resourceData":{"@odata.type":"#microsoft.graph.call","state":0}}"##,
                n,
                "]}",
            ),
        ),
    ]);
    println!(
        "{:<58} {:>9} {:>9} {:>7} {:>7}",
        "body", "bytes", "peak", "peak/x", "kept/x"
    );
    for (name, body) in &cases {
        let (peak, kept, accepted) = measure(body);
        println!(
            "{:<58} {:>9} {:>9} {:>7.1} {:>7.1}{}",
            name,
            body.len(),
            peak,
            peak as f64 / body.len() as f64,
            kept as f64 / body.len() as f64,
            if accepted { "" } else { "  refused" }
        );
    }
}
