//! Throughput of the calibration objective against `run`'s, on the same
//! cases (docs/PERFORMANCE.md, "Calibration"):
//!
//! ```text
//! cargo run --release --example objective -- [PATH] [RUNS_PER_CASE] [EVALUATIONS] [REPS]
//! ```
//!
//! (defaults `scenarios`, 2000, 20, 5). For each repetition, interleaved:
//! **run**: every case simulated as `run` simulates it (its model built
//! once, `RUNS_PER_CASE × EVALUATIONS` runs through the runner on all
//! threads), and **objective**: `EVALUATIONS` evaluations of the
//! log-likelihood at the written parameter values (every case's scenario
//! rebuilt with θ applied and `RUNS_PER_CASE` runs, cases in parallel). Both
//! simulate the same number of runs of the same cases; the medians of runs
//! per second and their ratio are printed.

use std::path::PathBuf;
use std::time::Instant;

use alliance_sim::analysis::cases::{self, Overrides};
use alliance_sim::calibrate::{Objective, ParamSpec};
use alliance_sim::model::Model;
use alliance_sim::runner::{self, Observers};

fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args()
        .nth(i)
        .map(|a| a.parse().ok().expect("a valid argument"))
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let path: PathBuf = arg(1, PathBuf::from("scenarios"));
    let runs: u64 = arg(2, 2000);
    let evals: u64 = arg(3, 20);
    let reps: usize = arg(4, 5);
    let set = cases::load(
        &[path],
        Overrides {
            runs: Some(runs),
            ..Overrides::default()
        },
    )
    .expect("the cases load");
    let n = set.cases.len();
    let params: Vec<ParamSpec> = vec![
        "noise=0.01:1".parse().unwrap(),
        "abstention_band=0:0.3".parse().unwrap(),
    ];
    let objective = Objective::new(set.cases.clone(), params).expect("the parameters apply");
    let theta = objective.written_values();
    let all: Vec<usize> = (0..n).collect();
    let total = runs * evals * n as u64;
    let (mut run_rate, mut obj_rate) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let t = Instant::now();
        for case in &set.cases {
            let model = Model::new(&case.scenario, case.rule);
            runner::simulate(&model, case.seed, 0..runs * evals, Observers::default()).unwrap();
        }
        run_rate.push(total as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        for _ in 0..evals {
            std::hint::black_box(objective.log_likelihood(&theta, &all).unwrap());
        }
        obj_rate.push(total as f64 / t.elapsed().as_secs_f64());
    }
    let (r, o) = (median(run_rate), median(obj_rate));
    println!(
        "{n} cases, {runs} runs per case, {evals} evaluations, median of {reps}, {} threads",
        rayon::current_num_threads()
    );
    println!("run:       {:>12.0} runs/s", r);
    println!("objective: {:>12.0} runs/s", o);
    println!("objective/run: {:.2}", o / r);
}
