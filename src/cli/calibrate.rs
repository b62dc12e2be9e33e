//! `alliance-sim calibrate [PATH...] --param PATH=LO:HI ...`: fit parameters
//! to the historical cases by maximum likelihood, score the fit out of
//! sample, sample the posterior, print the answer and write
//! `OUT/calibration/`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::ProgressBar;

use alliance_sim::analysis::cases::{self, CasesError, Overrides};
use alliance_sim::calibrate::files::{self, Effort};
use alliance_sim::calibrate::{
    self, CalibrateError, Calibration, CrossValidation, Objective, ParamSpec, Settings, Stage,
};
use alliance_sim::model::DecisionRule;
use alliance_sim::output::table::thousands;
use alliance_sim::scenario::limits::MAX_RUNS;
use alliance_sim::scenario::NoiseModel;

use super::{BadInput, Interrupted};

/// Arguments of `calibrate`.
#[derive(Debug, Args)]
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
    /// Master seed: of every case's runs (default: each scenario's
    /// `[montecarlo] seed`), and of the optimizer's random starts and the
    /// sampler (default: 1).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
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
    /// Worker threads (default: all cores, or SLURM_CPUS_PER_TASK in a Slurm job). Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Decision rule instead of each scenario's: unanimity, unanimity:abstention_blocks,
    /// majority, qualified_majority:THRESHOLD, weighted:ATTRIBUTE:QUOTA, hegemon_majority.
    #[arg(long, value_name = "RULE", value_parser = super::parse_rule)]
    pub rule: Option<DecisionRule>,
    /// Folder for results; writes OUT/calibration/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// No progress display on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_param(s: &str) -> Result<ParamSpec, String> {
    s.parse()
}

/// `--noise-model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseChoice {
    /// One model for every case.
    Use(NoiseModel),
    /// Both, compared out of sample.
    Compare,
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
        seed: args.seed,
        rule: args.rule,
    };
    let set = match cases::load(&args.paths, overrides) {
        Ok(set) => set,
        Err(CasesError::Scenarios(mut errors)) => {
            let last = errors.pop().expect("at least one error");
            for e in &errors {
                eprintln!("error: {e}");
            }
            return Err(last.into());
        }
        Err(CasesError::Input(m)) => return Err(BadInput(m).into()),
    };
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
        seed: args.seed.unwrap_or(1),
    };
    if args.noise_model == Some(NoiseChoice::Compare) && settings.cv == CrossValidation::None {
        return Err(BadInput(
            "--noise-model compare chooses by the out-of-sample log score, so it needs --cv loo or --cv alliance"
                .into(),
        )
        .into());
    }
    let models: Vec<Option<NoiseModel>> = match args.noise_model {
        None => vec![None],
        Some(NoiseChoice::Use(m)) => vec![Some(m)],
        Some(NoiseChoice::Compare) => NoiseModel::ALL.iter().copied().map(Some).collect(),
    };
    super::catch_signals();
    let mut objectives = Vec::new();
    for m in &models {
        let cases = match m {
            Some(m) => calibrate::with_noise_model(&set.cases, *m),
            None => set.cases.clone(),
        };
        let objective = Objective::new(cases, args.params.clone())
            .map_err(to_cli)?
            .with_cancel(&super::STOP);
        calibrate::folds(&objective, settings.cv).map_err(to_cli)?;
        objectives.push(objective);
    }
    let (pool, threads) = super::worker_pool(args.threads)?;

    let started = Instant::now();
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    let say = |line: String| {
        if !args.quiet {
            eprintln!("{line}");
        }
    };
    let objective0 = &objectives[0];
    let progress = |stage: Stage| match stage {
        Stage::Written => say(format!(
            "scoring {} cases as written ({} runs each)",
            objective0.cases().len(),
            thousands(args.runs)
        )),
        Stage::Fit => say("fitting on every case".into()),
        Stage::Fold(k, n) => say(format!(
            "refit {} of {n}, without {}",
            k + 1,
            fold_name(objective0, settings.cv, k)
        )),
        Stage::Posterior(done, total) => {
            let mut b = bar.lock().expect("progress lock");
            let b = b.get_or_insert_with(|| {
                say(format!("sampling the posterior ({total} steps)"));
                super::progress::bar(total as u64, 0, "steps", args.quiet)
            });
            b.set_position(done as u64);
        }
    };
    let result = pool.install(|| -> Result<_, CalibrateError> {
        if models.len() == 1 {
            let c = calibrate::calibrate(&objectives[0], &settings, &progress)?;
            return Ok((0, vec![c]));
        }
        let mut results = Vec::new();
        for (m, objective) in models.iter().zip(&objectives) {
            say(format!(
                "noise model {}",
                m.expect("compared models are named")
            ));
            let no_posterior = Settings {
                draws: 0,
                ..settings.clone()
            };
            results.push(calibrate::calibrate(objective, &no_posterior, &progress)?);
        }
        let named: Vec<(NoiseModel, Calibration)> = models
            .iter()
            .map(|m| m.expect("named"))
            .zip(results.iter().cloned())
            .collect();
        let best = calibrate::best_out_of_sample(&named);
        say(format!("chose the {} noise model", named[best].0));
        let chain = calibrate::sample_posterior(
            &objectives[best],
            &results[best].fit,
            &settings,
            &progress,
        )?;
        results[best].chain = chain;
        results[best].settings = settings.clone();
        Ok((best, results))
    })
    .and_then(|(best, mut results)| {
        // "As written" means the files as they are, with their own noise
        // model, whatever model the fit used.
        if args.noise_model.is_some() {
            let written = Objective::new(set.cases.clone(), args.params.clone())?
                .with_cancel(&super::STOP);
            let all: Vec<usize> = (0..set.cases.len()).collect();
            let before = pool.install(|| written.scores(None, &all))?;
            for r in &mut results {
                r.before = before.clone();
            }
        }
        Ok((best, results))
    });
    if let Some(b) = bar.lock().expect("progress lock").take() {
        b.finish_and_clear();
    }
    let (best, results) = result.map_err(to_cli)?;
    let effort = Effort {
        threads,
        seconds: started.elapsed().as_secs_f64(),
    };
    let comparison = if results.len() > 1 {
        let named: Vec<(NoiseModel, &Calibration)> = models
            .iter()
            .map(|m| m.expect("named"))
            .zip(results.iter())
            .collect();
        Some(files::noise_models_csv(&named, best).context("cannot format noise_models.csv")?)
    } else {
        None
    };
    let objective = &objectives[best];
    let calibration = &results[best];
    let runs_total: u64 = objectives.iter().map(|o| o.runs_done()).sum();
    let dir = args.out.join("calibration");
    files::write(&dir, objective, calibration, effort, comparison.clone())
        .with_context(|| format!("cannot write the results to `{}`", dir.display()))?;
    if let Some(bytes) = &comparison {
        print_comparison(bytes)?;
    }
    print_summary(objective, calibration, effort, runs_total, &dir)?;
    Ok(())
}

fn fold_name(o: &Objective, cv: CrossValidation, k: usize) -> String {
    calibrate::folds(o, cv)
        .ok()
        .and_then(|f| f.get(k).map(|(n, _)| n.clone()))
        .unwrap_or_default()
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
fn print_comparison(csv_bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut r = csv::Reader::from_reader(csv_bytes);
    writeln!(
        out,
        "Perception noise models, mean log score in sample / out of sample:"
    )?;
    for rec in r.records() {
        let rec = rec?;
        writeln!(
            out,
            "  {:9} {} / {}{}",
            &rec[0],
            &rec[4],
            &rec[7],
            if &rec[1] == "true" { "  (chosen)" } else { "" }
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn print_summary(
    o: &Objective,
    c: &Calibration,
    effort: Effort,
    runs: u64,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
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
    Ok(())
}
