//! Micro-benchmarks: one run's evaluation and the merge of two tallies.
//!
//! `cargo bench --bench model`. See docs/PERFORMANCE.md.

use std::hint::black_box;
use std::path::Path;

use alliance_sim::model::Model;
use alliance_sim::runner::{run_rng, Tally};
use alliance_sim::scenario;
use criterion::{criterion_group, criterion_main, Criterion};

const SCENARIOS: [(&str, &str); 2] = [
    ("kazakhstan_2022", "scenarios/kazakhstan_2022.toml"),
    ("synthetic_20x6", "bench/synthetic_20x6.toml"),
];

fn model(path: &str) -> Model {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let s = scenario::load(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    Model::new(&s, s.rule)
}

/// A tally of `runs` runs of `model`, starting at run `first`.
fn tally(model: &Model, first: u64, runs: u64) -> Tally {
    let mut t = Tally::new(model.members(), model.levels());
    let mut scratch = model.scratch();
    for run in first..first + runs {
        let d = model.simulate(&mut run_rng(1, run), &mut scratch);
        t.record(&d, &scratch.requested_votes);
    }
    t
}

fn simulate(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate_one_run");
    for (name, path) in SCENARIOS {
        let model = model(path);
        let mut scratch = model.scratch();
        let mut run = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                // A fresh run generator per iteration, as the runner makes one.
                let mut rng = run_rng(1, run);
                run = run.wrapping_add(1);
                black_box(model.simulate(&mut rng, &mut scratch))
            })
        });
    }
    group.finish();
}

fn merge(c: &mut Criterion) {
    let mut group = c.benchmark_group("tally_merge");
    for (name, path) in SCENARIOS {
        let model = model(path);
        let a = tally(&model, 0, 1000);
        let b = tally(&model, 1000, 1000);
        group.bench_function(name, |bench| {
            bench.iter_batched_ref(
                || a.clone(),
                |t| t.merge(black_box(&b)),
                criterion::BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, simulate, merge);
criterion_main!(benches);
