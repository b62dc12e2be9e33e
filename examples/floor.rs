//! The floor: the cost of the random numbers alone.
//!
//! Draws exactly what a run draws (see docs/MODEL.md, "Random numbers") and
//! nothing else; the draws are summed into a black-boxed accumulator. Per run:
//! the master generator cloned and switched to stream `run`; with a posterior
//! of K draws, `random_range(0..K)` first; then each parameter that is a
//! distribution, in the model's order (`Model::fill_inputs`: alliance
//! capacity, the crisis's eight, each option's effect, troops and intrusion,
//! each member's six scalars, threat, concern, affinities to the requester and
//! the adversary and seven weights, then populations when the rule counts
//! them), drawn with `Param::sample`, except that a beta's sampler is built
//! once per parameter, outside the runs; then 4 x members standard normals
//! (perception noise, when the scenario's noise is above 0). Runs are split
//! into chunks of 4,096 on a rayon pool, as the runner does, so its scaling
//! over threads is comparable.
//!
//! Usage (cargo run --release --example floor -- ...):
//!   floor MEMBERS RUNS THREADS
//!       4 x MEMBERS normals a run: a scenario without distributions.
//!   floor --scenario FILE [--posterior FILE | --posterior-draws K] [--check N] RUNS THREADS
//!       what a run of FILE draws (with a posterior: its index first; the
//!       posterior is assumed to set only parameters that are fixed in FILE, as
//!       `noise` and weights usually are, and to keep the noise above 0 when
//!       FILE's is). `--check N` first simulates runs 0..N with the model
//!       (through the library, one thread) and exits with 1 unless the floor's
//!       generator ends every run at the same position as the model's.
//!
//! Prints one line ending in `S s, R runs/s`, e.g.
//! `floor: 7 members, 1000000 runs, 1 threads, 0.150 s, 6666667 runs/s`.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use alliance_sim::model::{Attribute, Model};
use alliance_sim::posterior::{Applied, Posterior};
use alliance_sim::runner::{run_rng, Simulator};
use alliance_sim::scenario::{self, Actor, Param, Scenario};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, StandardNormal};
use rayon::prelude::*;

const CHUNK_RUNS: u64 = 4096;
const SEED: u64 = 1;
const USAGE: &str = "usage: floor MEMBERS RUNS THREADS\n       floor --scenario FILE [--posterior FILE | --posterior-draws K] [--check N] RUNS THREADS";

/// One parameter drawn in every run.
enum Draw {
    /// Drawn with `Param::sample`.
    Param(Param),
    /// A beta, its sampler built once: the same numbers as `Param::sample`.
    Beta { dist: Beta<f64>, lo: f64, hi: f64 },
}

impl Draw {
    fn new(p: &Param) -> Draw {
        match *p {
            Param::Beta { a, b, lo, hi } => Draw::Beta {
                dist: Beta::new(a, b).expect("checked: beta shapes positive and finite"),
                lo,
                hi,
            },
            _ => Draw::Param(p.clone()),
        }
    }

    #[inline]
    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Draw::Param(p) => p.sample(rng),
            Draw::Beta { dist, lo, hi } => lo + (hi - lo) * dist.sample(rng),
        }
    }
}

/// What one run draws, in order.
struct Plan {
    members: usize,
    /// Posterior draws K; 0 without a posterior.
    posterior: usize,
    draws: Vec<Draw>,
    normals: usize,
}

impl Plan {
    /// The draws of a scenario without distributions.
    fn members(members: usize) -> Plan {
        Plan {
            members,
            posterior: 0,
            draws: Vec::new(),
            normals: 4 * members,
        }
    }

    /// What a run of `s` under its own rule draws, in the model's order.
    fn scenario(s: &Scenario, posterior: usize) -> Plan {
        let c = &s.crisis;
        let n = s.members.len();
        let mut params: Vec<Param> = vec![s.alliance.capacity.clone()];
        params.extend(c.params().into_iter().cloned());
        for o in &s.options {
            params.extend(o.params().into_iter().cloned());
        }
        for (i, m) in s.members.iter().enumerate() {
            params.extend(m.scalars().into_iter().cloned());
            params.extend(m.threat[c.kind].clone());
            params.extend(m.concern[c.region].clone());
            params.push(match c.requester {
                Some(q) if q == i => Param::Fixed(1.0),
                Some(q) => m.affinity[q].clone(),
                None => Param::Fixed(0.0),
            });
            params.push(match c.adversary {
                None => Param::Fixed(0.0),
                Some(Actor::Member(x)) if x == i => Param::Fixed(1.0),
                Some(Actor::Member(x)) => m.affinity[x].clone(),
                Some(Actor::Outsider(x)) => m.affinity[n + x].clone(),
            });
            params.extend(m.weights.params().into_iter().cloned());
        }
        if s.rule.attribute() == Some(Attribute::Population) {
            params.extend(s.members.iter().filter_map(|m| m.population.clone()));
        }
        Plan {
            members: n,
            posterior,
            draws: params
                .iter()
                .filter(|p| !p.is_fixed())
                .map(Draw::new)
                .collect(),
            normals: if s.montecarlo.noise > 0.0 { 4 * n } else { 0 },
        }
    }

    /// Draws one run's numbers from `rng`; their sum.
    #[inline]
    fn run(&self, rng: &mut ChaCha8Rng) -> f64 {
        let mut acc = 0.0;
        if self.posterior > 0 {
            acc += rng.random_range(0..self.posterior) as f64;
        }
        for d in &self.draws {
            acc += d.sample(rng);
        }
        for _ in 0..self.normals {
            let z: f64 = rng.sample(StandardNormal);
            acc += z;
        }
        acc
    }
}

fn chunk(base: &ChaCha8Rng, plan: &Plan, lo: u64, hi: u64) -> f64 {
    let mut acc = 0.0;
    for run in lo..hi {
        let mut rng = base.clone();
        rng.set_stream(run);
        acc += plan.run(&mut rng);
        acc = black_box(acc);
    }
    acc
}

fn fail(message: &str) -> ! {
    eprintln!("floor: error: {message}\n{USAGE}");
    std::process::exit(2)
}

fn whole(s: &str, name: &str) -> u64 {
    s.replace('_', "")
        .parse()
        .unwrap_or_else(|_| fail(&format!("{name} `{s}` is not a whole number")))
}

/// Runs 0..`runs` simulated by the model against the floor: the generator's
/// word position after each run must agree.
fn check(s: &Scenario, file: &Path, posterior: Option<&Arc<Posterior>>, plan: &Plan, runs: u64) {
    let mixture = posterior.map(|p| {
        let applied = Applied::new(p, s, file).unwrap_or_else(|e| fail(&e.to_string()));
        applied
            .mixture(s, s.rule)
            .unwrap_or_else(|e| fail(&e.to_string()))
    });
    let model = Model::new(s, s.rule);
    let mut scratch = model.scratch();
    for run in 0..runs {
        let mut sim = run_rng(SEED, run);
        let decision = match &mixture {
            Some(m) => m.simulate_run(&mut sim, &mut scratch),
            None => model.simulate(&mut sim, &mut scratch),
        };
        black_box(decision);
        let mut floor = run_rng(SEED, run);
        black_box(plan.run(&mut floor));
        if sim.get_word_pos() != floor.get_word_pos() {
            eprintln!(
                "floor: check failed: run {run}: the model used {} words of its generator, the floor {}",
                sim.get_word_pos(),
                floor.get_word_pos()
            );
            std::process::exit(1);
        }
    }
    eprintln!("floor: check passed: runs 0..{runs} end at the model's generator positions");
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut option = |name: &str| -> Option<String> {
        let i = args.iter().position(|a| a == name)?;
        if i + 1 >= args.len() {
            fail(&format!("{name} needs a value"));
        }
        let value = args.remove(i + 1);
        args.remove(i);
        Some(value)
    };
    let file = option("--scenario");
    let posterior_file = option("--posterior");
    let posterior_draws = option("--posterior-draws");
    let check_runs = option("--check");
    if let Some(a) = args.iter().find(|a| a.starts_with("--")) {
        fail(&format!("unknown option `{a}`"));
    }
    let (plan, label) = match &file {
        None => {
            if posterior_file.is_some() || posterior_draws.is_some() || check_runs.is_some() {
                fail("--posterior, --posterior-draws and --check need --scenario");
            }
            if args.len() != 3 {
                fail("expected MEMBERS RUNS THREADS");
            }
            let members = whole(&args.remove(0), "MEMBERS") as usize;
            (Plan::members(members), String::new())
        }
        Some(f) => {
            if args.len() != 2 {
                fail("expected RUNS THREADS after the options");
            }
            let path = Path::new(f);
            let s = scenario::load(path).unwrap_or_else(|e| fail(&e.to_string()));
            let posterior = posterior_file.as_ref().map(|p| {
                Arc::new(Posterior::read(Path::new(p)).unwrap_or_else(|e| fail(&e.to_string())))
            });
            let k = match (&posterior, &posterior_draws) {
                (Some(_), Some(_)) => fail("give --posterior or --posterior-draws, not both"),
                (Some(p), None) => p.draws(),
                (None, Some(k)) => match whole(k, "--posterior-draws") {
                    0 => fail("--posterior-draws must be at least 1"),
                    k => k as usize,
                },
                (None, None) => 0,
            };
            let plan = Plan::scenario(&s, k);
            if check_runs.is_some() && posterior_draws.is_some() {
                fail("--check simulates a posterior's draws: give it --posterior FILE");
            }
            if let Some(n) = check_runs {
                check(&s, path, posterior.as_ref(), &plan, whole(&n, "--check"));
            }
            let mut label = format!("{f}, {} parameter draws", plan.draws.len());
            if k > 0 {
                label.push_str(&format!(", posterior of {k}"));
            }
            (plan, label + ", ")
        }
    };
    let runs = whole(&args[0], "RUNS");
    // 0 threads: rayon's default, every core.
    let threads = whole(&args[1], "THREADS") as usize;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("cannot start the worker threads");
    let base = ChaCha8Rng::seed_from_u64(SEED);
    let start = Instant::now();
    let total: f64 = pool.install(|| {
        (0..runs.div_ceil(CHUNK_RUNS))
            .into_par_iter()
            .map(|c| {
                let lo = c * CHUNK_RUNS;
                chunk(&base, &plan, lo, (lo + CHUNK_RUNS).min(runs))
            })
            .sum()
    });
    let secs = start.elapsed().as_secs_f64();
    black_box(total);
    println!(
        "floor: {label}{} members, {runs} runs, {threads} threads, {secs:.3} s, {:.0} runs/s",
        plan.members,
        runs as f64 / secs
    );
}
