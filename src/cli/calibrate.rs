//! `alliance-sim calibrate [PATH...] --param PATH=LO:HI ...`: fit parameters
//! to the historical cases by maximum likelihood, score the fit out of
//! sample, sample the posterior, print the answer and write
//! `OUT/calibration/`.

use std::fmt::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;
use indicatif::ProgressBar;

use alliance_sim::analysis::cases::Overrides;
use alliance_sim::calibrate::files::{self, Effort};
use alliance_sim::calibrate::job::{self, NoiseChoice};
use alliance_sim::calibrate::{
    self, CalibrateError, Calibration, CrossValidation, Objective, ParamSpec, Settings, Stage,
};
use alliance_sim::output::table::thousands;
use alliance_sim::scenario::limits::MAX_RUNS;
use alliance_sim::scenario::NoiseModel;

use super::args::{RuleArg, SimArgs};
use super::{BadInput, Interrupted};

/// Arguments of `calibrate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Results: OUT/calibration/. Every case is simulated with its own seed (its scenario's, or --seed) at every evaluation; --seed also seeds the optimizer's random starts and the sampler (default 1)."
)]
pub struct CalibrateArgs {
    /// Scenario files, or folders read as `validate` reads them: every case
    /// with an `[expected]` table of its own.
    #[arg(value_name = "PATH", default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// A parameter to fit and its bounds, PATH=LO:HI (repeat for more):
    /// a path or pattern as `sweep` takes them, e.g. noise=0.02:0.5,
    /// abstention_band=0:0.3, members.*.weights.cost=0.2:5. Each is set in
    /// every case that has it.
    #[arg(long = "param", value_name = "PATH=LO:HI", required = true, value_parser = parse_param)]
    pub params: Vec<ParamSpec>,
    /// Runs per case at every evaluation of the likelihood.
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=MAX_RUNS))]
    pub runs: u64,
    /// Cross-validation: loo (refit without each case, score it), alliance
    /// (refit without each alliance, score its cases) or none.
    #[arg(long, value_name = "CV", default_value = "loo", value_parser = parse_cv)]
    pub cv: CrossValidation,
    /// Random starting points of the optimizer besides the written values.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=100))]
    pub starts: u64,
    /// Posterior draws to keep (0: no posterior).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub draws: u64,
    /// Sampler steps before the kept draws, during which its step size adapts.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub burn_in: u64,
    /// Perception noise model for every case: absolute, relative, or
    /// compare (fit and cross-validate both, keep the one with the better
    /// out-of-sample log score). Default: each scenario's own.
    #[arg(long, value_name = "MODEL", value_parser = parse_noise)]
    pub noise_model: Option<NoiseChoice>,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub rule: RuleArg,
}

fn parse_param(s: &str) -> Result<ParamSpec, String> {
    s.parse()
}

fn parse_noise(s: &str) -> Result<NoiseChoice, String> {
    if s == "compare" {
        return Ok(NoiseChoice::Compare);
    }
    s.parse::<NoiseModel>()
        .map(NoiseChoice::Use)
        .map_err(|_| format!("unknown noise model `{s}`: expected absolute, relative or compare"))
}

fn parse_cv(s: &str) -> Result<CrossValidation, String> {
    s.parse()
}

/// Fits, cross-validates, samples, prints and writes.
pub fn execute(args: &CalibrateArgs) -> anyhow::Result<()> {
    let overrides = Overrides {
        runs: Some(args.runs),
        seed: args.sim.seed,
        rule: args.rule.rule,
    };
    let set = super::load_cases(&args.paths, overrides)?;
    if set.cases.is_empty() {
        return Err(BadInput(format!(
            "no scenario with an `[expected]` table in {}",
            args.paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    let settings = Settings {
        cv: args.cv,
        extra_starts: args.starts as usize,
        burn_in: args.burn_in as usize,
        draws: args.draws as usize,
        seed: args.sim.seed.unwrap_or(1),
    };
    let noise = args.noise_model.unwrap_or(NoiseChoice::Written);
    super::catch_signals();
    // Everything that can be refused is refused before any run.
    let prepared = job::prepare(
        &set.cases,
        &args.params,
        &settings,
        noise,
        Some(&super::STOP),
    )
    .map_err(to_cli)?;
    let (pool, threads) = super::worker_pool(args.sim.threads)?;

    let started = Instant::now();
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    let say = |line: String| {
        if !args.sim.quiet {
            super::console::note_line(&line);
        }
    };
    let folds = calibrate::folds(&prepared.objectives[0], settings.cv).map_err(to_cli)?;
    let progress = |stage: Stage| match stage {
        Stage::Written => say(format!(
            "scoring {} cases as written ({} runs each)",
            set.cases.len(),
            thousands(args.runs)
        )),
        Stage::Fit => say("fitting on every case".into()),
        Stage::Fold(k, n) => say(format!(
            "refit {} of {n}, without {}",
            k + 1,
            folds.get(k).map_or("", |f| f.0.as_str())
        )),
        Stage::NoiseModel(m) => say(format!("noise model {m}")),
        Stage::Chosen(m) => say(format!("kept the {m} noise model (better out of sample)")),
        Stage::Posterior(done, total) => {
            let mut b = bar.lock().expect("progress lock");
            let b = b.get_or_insert_with(|| {
                say(format!("sampling the posterior ({total} steps)"));
                super::progress::bar(total as u64, 0, "steps", args.sim.quiet)
            });
            b.set_position(done as u64);
        }
    };
    let result = pool.install(|| job::run(prepared, &settings, &progress));
    if let Some(b) = bar.lock().expect("progress lock").take() {
        b.finish_and_clear();
    }
    let outcome = result.map_err(to_cli)?;
    let effort = Effort {
        threads,
        seconds: started.elapsed().as_secs_f64(),
    };
    let dir = args.sim.out.join("calibration");
    let folder = files::write_outcome(
        &dir,
        &outcome,
        effort,
        args.sim.replace(),
        args.sim.dialect(),
    )
    .map_err(super::folder_error)?;
    if outcome.results.len() > 1 {
        print_comparison(&outcome)?;
    }
    let (objective, calibration) = outcome.kept();
    print_summary(
        objective,
        calibration,
        effort,
        outcome.runs_done(),
        &folder.dir,
    )?;
    super::note_folder(&folder);
    Ok(())
}

fn to_cli(e: CalibrateError) -> anyhow::Error {
    match e {
        CalibrateError::Input(m) => BadInput(m).into(),
        CalibrateError::Interrupted => {
            Interrupted("interrupted; nothing was written".into()).into()
        }
    }
}

/// The noise-model comparison as a small table.
fn print_comparison(outcome: &job::Outcome) -> anyhow::Result<()> {
    let mut out = String::new();
    writeln!(
        out,
        "Perception noise models, mean log score in sample / out of sample:"
    )?;
    for (i, (m, c)) in outcome.models.iter().zip(&outcome.results).enumerate() {
        let rows = c.score_rows();
        let get = |name: &str| {
            rows.iter()
                .find(|r| r.forecaster == name)
                .map_or(f64::NAN, |r| r.overall.mean_log_score)
        };
        writeln!(
            out,
            "  {:9} {:.3} / {:.3}{}",
            m.unwrap_or_default().to_string(),
            get("calibrated, in sample"),
            get("calibrated, out of sample"),
            if i == outcome.best { "  (kept)" } else { "" }
        )?;
    }
    writeln!(out)?;
    Ok(super::console::out(&out)?)
}

fn print_summary(
    o: &Objective,
    c: &Calibration,
    effort: Effort,
    runs: u64,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let mut out = String::new();
    writeln!(
        out,
        "Calibration on {} case{}, {} runs each; cross-validation {}",
        o.cases().len(),
        if o.cases().len() == 1 { "" } else { "s" },
        thousands(o.cases()[0].runs),
        c.settings.cv
    )?;
    writeln!(out)?;
    let w = o
        .params()
        .iter()
        .map(|p| p.path.len())
        .max()
        .unwrap_or(9)
        .max(9);
    writeln!(
        out,
        "  {:w$}  {:>9}  {:>9}  {:>21}  {:>5}",
        "parameter", "written", "fitted", "95% interval", "cases"
    )?;
    for (j, p) in o.params().iter().enumerate() {
        let interval = c.interval(j).map_or_else(
            || "(no posterior)".to_string(),
            |(lo, hi)| format!("[{lo:.4}, {hi:.4}]"),
        );
        writeln!(
            out,
            "  {:w$}  {:>9.4}  {:>9.4}  {:>21}  {:>5}",
            p.path,
            c.written[j],
            c.fit.theta[j],
            interval,
            o.cases_with(j)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  {:28}  {:>5}  {:>9}  {:>6}",
        "forecaster", "modal", "mean log", "Brier"
    )?;
    for r in c.score_rows() {
        writeln!(
            out,
            "  {:28}  {:>2}/{:<2}  {:>9.3}  {:>6.3}",
            r.forecaster,
            r.overall.modal,
            r.overall.cases,
            r.overall.mean_log_score,
            r.overall.mean_brier
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "log score: −ln p of the historical outcome (floored at 0.5/runs), 0 is perfect, lower is better; Brier 0 is perfect, 2 worst"
    )?;
    if let Some(ch) = &c.chain {
        writeln!(
            out,
            "posterior: {} draws after {} burn-in steps, acceptance {:.2}; intervals are its 2.5% and 97.5% quantiles",
            ch.draws.len(),
            c.settings.burn_in,
            ch.acceptance
        )?;
    }
    writeln!(
        out,
        "{} evaluations, {} runs in {:.1} s ({} runs/s on {} thread{})",
        thousands(o.evaluations()),
        thousands(runs),
        effort.seconds,
        thousands((runs as f64 / effort.seconds.max(1e-9)) as u64),
        effort.threads,
        if effort.threads == 1 { "" } else { "s" }
    )?;
    writeln!(out, "results in {}/", dir.display())?;
    Ok(super::console::out(&out)?)
}
