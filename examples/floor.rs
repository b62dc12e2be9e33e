//! The floor: the cost of the random numbers alone.
//!
//! Draws exactly what a run of a scenario without distributions draws (see
//! docs/MODEL.md, "Random numbers"): per run, the master generator cloned and
//! switched to stream `run`, then 4 x members standard normals. Nothing else
//! happens; the draws are summed into a black-boxed accumulator. Runs are split
//! into chunks of 4,096 on a rayon pool, as the runner does, so its scaling
//! over threads is comparable.
//!
//! Usage: cargo run --release --example floor -- MEMBERS RUNS THREADS
//! Prints one line: `floor: M members, N runs, T threads, S s, R runs/s`.

use std::hint::black_box;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

const CHUNK_RUNS: u64 = 4096;

fn chunk(base: &ChaCha8Rng, members: usize, lo: u64, hi: u64) -> f64 {
    let mut acc = 0.0;
    for run in lo..hi {
        let mut rng = base.clone();
        rng.set_stream(run);
        for _ in 0..4 * members {
            let z: f64 = rng.sample(StandardNormal);
            acc += z;
        }
        acc = black_box(acc);
    }
    acc
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parse = |i: usize, name: &str| -> u64 {
        args.get(i)
            .and_then(|s| s.replace('_', "").parse().ok())
            .unwrap_or_else(|| {
                eprintln!(
                    "usage: floor MEMBERS RUNS THREADS ({name} missing or not a whole number)"
                );
                std::process::exit(2)
            })
    };
    let members = parse(0, "MEMBERS") as usize;
    let runs = parse(1, "RUNS");
    let threads = parse(2, "THREADS") as usize;
    let seed = 1;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("cannot start the worker threads");
    let base = ChaCha8Rng::seed_from_u64(seed);
    let start = Instant::now();
    let total: f64 = pool.install(|| {
        (0..runs.div_ceil(CHUNK_RUNS))
            .into_par_iter()
            .map(|c| {
                let lo = c * CHUNK_RUNS;
                chunk(&base, members, lo, (lo + CHUNK_RUNS).min(runs))
            })
            .sum()
    });
    let secs = start.elapsed().as_secs_f64();
    black_box(total);
    println!(
        "floor: {members} members, {runs} runs, {threads} threads, {secs:.3} s, {:.0} runs/s",
        runs as f64 / secs
    );
}
