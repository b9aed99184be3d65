//! The instruction count of one hang-up against plain reqwest, for valgrind: wall-clock time
//! on a shared 2-core machine varies more between runs than the difference being measured,
//! instruction counts do not. Runs `N` hang-ups of one kind against the loopback stand-in
//! (the same two as `delete_call.rs`, from `support/hangup.rs`):
//!
//! ```text
//! cargo bench --bench delete_call_count --no-run
//! valgrind --tool=callgrind target/release/deps/delete_call_count-* crate 200
//! valgrind --tool=callgrind target/release/deps/delete_call_count-* crate 1200
//! ```
//! and the same with `plain`; (count at 1200 - count at 200) / 1000 is the count per hang-up.
//! Without arguments (as `cargo bench` runs it) it makes 100 of each and prints nothing.

#[path = "support/hangup.rs"]
mod hangup;

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
    let hangups = hangup::Hangups::new();
    for kind in kinds {
        for _ in 0..count {
            match kind {
                "crate" => hangups.with_crate(),
                _ => hangups.with_plain_reqwest(),
            }
        }
    }
}
