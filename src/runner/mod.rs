//! The Monte Carlo runner: seeds each run from (master seed, run index), runs
//! chunks of runs in parallel, and streams them into a `Tally`. What it runs
//! is a [`Simulator`]: one [`Model`], or a [`Mixture`] of models, one per draw
//! of a posterior sample of the parameters.
//!
//! # Reproducibility
//! Run `r` draws all its randomness from `ChaCha8Rng::seed_from_u64(seed)`
//! switched to stream `r` (`set_stream(r)`), starting at word 0. No generator
//! is tied to a thread, and a tally is a sum of integer counts, so the same
//! scenario, seed and runs give the same tally, and the same CSV bytes, at any
//! thread count and however the runs are split.
//!
//! With a posterior of K draws (a [`Mixture`]), run `r` first draws an index
//! `j = rng.random_range(0..K)` from its own generator, before anything else,
//! then simulates model `j` with the same generator. The draw is part of the
//! run, so the same holds: the same scenario, posterior file, seed and runs
//! give the same bytes at any thread count and in any split into shards. The
//! index consumes generator output, so a run with a one-draw posterior uses
//! its numbers differently from the same run without one: the two agree in
//! distribution, not run by run.

mod mixture;
mod tally;

pub use mixture::{Mixture, Models};
pub use tally::Tally;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::model::{Decision, Model, Scratch};

/// Runs per work unit. Fixed, so the unit of work does not depend on threads.
pub const CHUNK_RUNS: u64 = 4096;

/// Work units handed to the thread pool at a time; between batches, per-run
/// records are written out in order and progress is reported. Larger batches
/// keep both threads busy longer between the pauses; with per-run records a
/// smaller batch bounds the memory they take (64 × 4096 records).
const CHUNKS_PER_BATCH: u64 = 256;
const CHUNKS_PER_BATCH_WITH_RECORDS: u64 = 64;

/// The generator for run `run` under master seed `seed`.
pub fn run_rng(seed: u64, run: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(run);
    rng
}

/// What the runner simulates, run by run: a [`Model`], or a [`Mixture`] of
/// models that picks one per run. `simulate` is generic over it, so the code
/// for a plain model is what it would be without the trait.
pub trait Simulator: Sync {
    /// Number of members.
    fn members(&self) -> usize;
    /// Number of levels, including no action.
    fn levels(&self) -> usize;
    /// A scratch space sized for every run this simulates.
    fn scratch(&self) -> Scratch;
    /// Simulates one run with `rng`, the generator keyed to this run; every
    /// member's vote on the requested option is left in
    /// `scratch.requested_votes`.
    fn simulate_run(&self, rng: &mut ChaCha8Rng, scratch: &mut Scratch) -> Decision;
}

impl Simulator for Model {
    #[inline]
    fn members(&self) -> usize {
        Model::members(self)
    }

    #[inline]
    fn levels(&self) -> usize {
        Model::levels(self)
    }

    #[inline]
    fn scratch(&self) -> Scratch {
        Model::scratch(self)
    }

    #[inline]
    fn simulate_run(&self, rng: &mut ChaCha8Rng, scratch: &mut Scratch) -> Decision {
        self.simulate(rng, scratch)
    }
}

/// What one run decided, for `runs.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunRecord {
    /// Run index.
    pub run: u64,
    /// Adopted level.
    pub level: usize,
    /// Proposals voted on.
    pub rounds: u32,
    /// Members who blocked the requested option (bit set).
    pub blockers: u64,
}

/// Receives the records of consecutive runs, in run order.
pub type RecordSink<'a> = &'a mut dyn FnMut(&[RunRecord]) -> std::io::Result<()>;

/// Callbacks a caller may attach to a simulation.
#[derive(Default)]
pub struct Observers<'a> {
    /// Receives every run's record, in run order.
    pub records: Option<RecordSink<'a>>,
    /// Receives the number of runs finished so far.
    pub progress: Option<&'a dyn Fn(u64)>,
    /// When set, the simulation stops at the next batch with an error of
    /// kind `Interrupted`.
    pub cancel: Option<&'a AtomicBool>,
}

/// Simulates runs `runs` of `model` with master seed `seed` on the current
/// rayon pool and returns their tally. An error from the record sink stops
/// the simulation and is returned.
pub fn simulate<S: Simulator + ?Sized>(
    model: &S,
    seed: u64,
    runs: Range<u64>,
    observers: Observers,
) -> std::io::Result<Tally> {
    let Observers {
        mut records,
        progress,
        cancel,
    } = observers;
    let base = ChaCha8Rng::seed_from_u64(seed);
    let keep_records = records.is_some();
    let mut total = Tally::new(model.members(), model.levels());
    let chunks = runs.end.saturating_sub(runs.start).div_ceil(CHUNK_RUNS);
    let mut next = 0;
    while next < chunks {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted",
            ));
        }
        let per_batch = if keep_records {
            CHUNKS_PER_BATCH_WITH_RECORDS
        } else {
            CHUNKS_PER_BATCH
        };
        let batch = next..(next + per_batch).min(chunks);
        let results: Vec<(Tally, Vec<RunRecord>)> = batch
            .clone()
            .into_par_iter()
            .map(|c| {
                let lo = runs.start + c * CHUNK_RUNS;
                let hi = (lo + CHUNK_RUNS).min(runs.end);
                if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    // The batch is thrown away below; stop early.
                    return (Tally::new(model.members(), model.levels()), Vec::new());
                }
                run_chunk(model, &base, lo..hi, keep_records)
            })
            .collect();
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted",
            ));
        }
        for (tally, recs) in &results {
            total.merge(tally);
            if let Some(sink) = records.as_mut() {
                sink(recs)?;
            }
        }
        if let Some(p) = progress {
            p(total.runs);
        }
        next = batch.end;
    }
    Ok(total)
}

/// Simulates runs `runs` of `model` with master seed `seed` on the current
/// thread, in one pass, without the batch machinery of [`simulate`]: for
/// small pieces of work (a sweep point of a few runs) that are themselves
/// run in parallel. The tally is the one [`simulate`] gives for the same
/// runs (each run is keyed by its index; the counts are summed).
pub fn simulate_here<S: Simulator + ?Sized>(model: &S, seed: u64, runs: Range<u64>) -> Tally {
    let base = ChaCha8Rng::seed_from_u64(seed);
    run_chunk(model, &base, runs, false).0
}

fn run_chunk<S: Simulator + ?Sized>(
    model: &S,
    base: &ChaCha8Rng,
    runs: Range<u64>,
    keep: bool,
) -> (Tally, Vec<RunRecord>) {
    let mut tally = Tally::new(model.members(), model.levels());
    let mut scratch = model.scratch();
    let mut records = Vec::with_capacity(if keep {
        (runs.end - runs.start) as usize
    } else {
        0
    });
    for run in runs {
        let mut rng = base.clone();
        rng.set_stream(run);
        let d = model.simulate_run(&mut rng, &mut scratch);
        tally.record(&d, &scratch.requested_votes);
        if keep {
            records.push(RunRecord {
                run,
                level: d.level,
                rounds: d.rounds,
                blockers: d.blockers,
            });
        }
    }
    (tally, records)
}
