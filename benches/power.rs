//! Voting power by counting coalitions: the games of docs/PERFORMANCE.md,
//! "Voting power", on one thread.
//!
//! `cargo bench --bench power`. The games are those of
//! `alliance_sim::analysis::power::reference`: the EU-27 Council's double
//! majority (populations in thousands), a weighted game of 193 players and
//! the UN Security Council.

use std::hint::black_box;

use alliance_sim::analysis::power::reference;
use criterion::{criterion_group, criterion_main, Criterion};

fn power(c: &mut Criterion) {
    // One core, as the targets of issue 14 are stated.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool of one thread");
    let mut group = c.benchmark_group("power");
    group.sample_size(10);
    let eu = reference::eu27_council_2023();
    group.bench_function("eu27_council_2023/all_indices", |b| {
        b.iter(|| pool.install(|| black_box(eu.indices(None).unwrap())))
    });
    let un = reference::assembly_193();
    group.bench_function("assembly_193/banzhaf", |b| {
        b.iter(|| pool.install(|| black_box(un.banzhaf(None).unwrap())))
    });
    group.bench_function("assembly_193/all_indices", |b| {
        b.iter(|| pool.install(|| black_box(un.indices(None).unwrap())))
    });
    let sc = reference::unsc_1965();
    group.bench_function("unsc_1965/all_indices", |b| {
        b.iter(|| pool.install(|| black_box(sc.indices(None).unwrap())))
    });
    group.finish();
}

criterion_group!(benches, power);
criterion_main!(benches);
