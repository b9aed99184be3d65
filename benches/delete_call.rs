//! `Client::delete_call` against a loopback server that answers 204, side by side with the same
//! request made with plain reqwest (the floor): see `support/hangup.rs` for what both send.
//! Connections are reused. Run with `cargo bench --bench delete_call`; results in BENCHMARKS.md.

#[path = "support/hangup.rs"]
mod hangup;

use criterion::{criterion_group, criterion_main, Criterion};

fn delete_call(c: &mut Criterion) {
    let hangups = hangup::Hangups::new();
    let mut group = c.benchmark_group("delete_call on loopback, 204");
    group.bench_function("msgraph-calls Client::delete_call", |b| {
        b.iter(|| hangups.with_crate())
    });
    group.bench_function("plain reqwest DELETE", |b| {
        b.iter(|| hangups.with_plain_reqwest())
    });
    group.finish();
}

criterion_group!(benches, delete_call);
criterion_main!(benches);
