//! `termination::lookup` (the generated `match`) against a binary search over the sorted
//! catalog and a linear scan, over every pair of the catalog and as many unknown ones; and
//! `termination::explain` over the same pairs (a row, or a rule for the unknown ones).
//! Run with `cargo bench --bench termination`; results in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use msgraph_calls::termination;

fn pairs() -> Vec<(i32, i32)> {
    let known = termination::all().iter().map(|r| (r.code, r.subcode));
    let unknown = termination::all().iter().map(|r| (r.code, r.subcode + 1));
    known.chain(unknown).collect()
}

/// A binary search over `termination::all()`, sorted by pair: what the generated `match`
/// is measured against.
fn binary_search(code: i32, subcode: i32) -> Option<&'static termination::TerminationReason> {
    let rows = termination::all();
    rows.binary_search_by(|row| (row.code, row.subcode).cmp(&(code, subcode)))
        .ok()
        .map(|index| &rows[index])
}

fn lookup(c: &mut Criterion) {
    let pairs = pairs();
    let mut group = c.benchmark_group(format!("termination lookup, {} pairs", pairs.len()));
    group.bench_function("generated match (lookup)", |b| {
        b.iter(|| {
            for &(code, subcode) in &pairs {
                black_box(termination::lookup(black_box(code), black_box(subcode)));
            }
        })
    });
    group.bench_function("binary search", |b| {
        b.iter(|| {
            for &(code, subcode) in &pairs {
                black_box(binary_search(black_box(code), black_box(subcode)));
            }
        })
    });
    group.bench_function("explain (row or rule)", |b| {
        b.iter(|| {
            for &(code, subcode) in &pairs {
                black_box(termination::explain(black_box(code), black_box(subcode)));
            }
        })
    });
    group.bench_function("linear scan", |b| {
        b.iter(|| {
            for &(code, subcode) in &pairs {
                let (code, subcode) = (black_box(code), black_box(subcode));
                black_box(
                    termination::all()
                        .iter()
                        .find(|r| r.code == code && r.subcode == subcode),
                );
            }
        })
    });
    group.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
