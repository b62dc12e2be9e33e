//! Recovery study of `calibrate`: simulate synthetic case libraries from
//! known parameter values, calibrate each, and count how often the 95%
//! posterior interval covers the truth. The figures in docs/MODEL.md
//! ("Checking the calibration") come from
//!
//! ```text
//! cargo run --release --example recovery -- [REPLICATIONS] [CASES] [RUNS] [DRAWS]
//! ```
//!
//! (defaults 100, 40, 500, 600). The template is the shipped Kyrgyzstan 2010
//! case; the cases differ in `crisis.severity`, spread over 0.2 to 1; the
//! outcomes are made with noise 0.3 and abstention band 0.1.

use std::path::PathBuf;

use alliance_sim::analysis::cases::{self, Overrides};
use alliance_sim::calibrate::synthetic::{self, Design};
use alliance_sim::calibrate::{CrossValidation, ParamSpec, Settings};

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .map(|a| a.parse().expect("a whole number"))
        .unwrap_or(default)
}

fn main() {
    let (reps, n_cases, runs, draws) = (arg(1, 100), arg(2, 40), arg(3, 500), arg(4, 600));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let template = cases::load(
        &[root.join("scenarios/kyrgyzstan_2010.toml")],
        Overrides::default(),
    )
    .expect("the shipped case loads")
    .cases
    .remove(0);
    let design = Design {
        template,
        vary: "crisis.severity=0.2:1".parse().unwrap(),
        cases: n_cases,
        per_alliance: n_cases,
        truth: vec![
            ("noise=0.02:1".parse::<ParamSpec>().unwrap(), 0.3),
            ("abstention_band=0:0.4".parse::<ParamSpec>().unwrap(), 0.1),
        ],
        runs: runs as u64,
    };
    let settings = Settings {
        cv: CrossValidation::None,
        extra_starts: 1,
        burn_in: draws / 3,
        draws,
        seed: 1,
    };
    let started = std::time::Instant::now();
    let reps = synthetic::recovery(&design, 1..=reps as u64, &settings, &|r| {
        eprint!("\rreplication {r}");
    })
    .expect("the study runs");
    eprintln!();
    println!(
        "{} replications, {n_cases} cases, {runs} runs per case, {draws} draws, {:.0} s",
        reps.len(),
        started.elapsed().as_secs_f64()
    );
    for (j, (spec, truth)) in design.truth.iter().enumerate() {
        let covered = reps.iter().filter(|r| r.covered[j]).count();
        let n = reps.len() as f64;
        let share = covered as f64 / n;
        // 95% Wilson interval of the coverage.
        let z = 1.96;
        let centre = (share + z * z / (2.0 * n)) / (1.0 + z * z / n);
        let half =
            z * (share * (1.0 - share) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
        let mean_est = reps.iter().map(|r| r.estimate[j]).sum::<f64>() / n;
        let mean_width = reps
            .iter()
            .map(|r| r.interval[j].1 - r.interval[j].0)
            .sum::<f64>()
            / n;
        println!(
            "{:16} truth {truth:.3}: covered {covered}/{} ({:.2}, 95% CI {:.2}-{:.2}); mean estimate {mean_est:.3}; mean interval width {mean_width:.3}",
            spec.path,
            reps.len(),
            share,
            centre - half,
            centre + half,
        );
    }
}
