//! `alliance-sim validate [PATH...]`: run every scenario that records a
//! historical outcome (`[expected]`), score how well the model and two
//! baselines give it, and print a table per alliance; the library
//! ([`alliance_sim::job::validate`]) prepares and runs the cases and writes
//! `validation.csv`, `validation_summary.csv`, `validation.svg`,
//! `report.html` and `manifest.json` to `OUT/validation/`. It reports and
//! does not judge: the exit code is 0 whatever the fit, unless
//! `--require-modal` is given.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use alliance_sim::job::validate::{
    common, overall_lines, overall_words, Scored, ValidateJob, ValidateSettings, BASELINES_NOTE,
    FLOORED_NOTE, SCORES_NOTE,
};
use alliance_sim::job::Watch;
use alliance_sim::output::table::thousands;

use super::args::{PosteriorArg, RuleArg, RunsArg, SimArgs};
use super::{job_error, progress};

/// Arguments of `validate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Results: OUT/validation/. Each case is one simulation of --runs runs, with its scenario's seed unless --seed is given."
)]
pub struct ValidateArgs {
    /// Scenario files, or folders: every `*.toml` in a folder and its
    /// subfolders whose own text has an `[expected]` table (rosters and
    /// options files are skipped).
    #[arg(value_name = "PATH", default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub runs: RunsArg,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub rule: RuleArg,
    #[command(flatten)]
    pub posterior: PosteriorArg,
    /// Exit with code 1 (after writing the results) if any case's historical
    /// outcome is not the most likely one.
    #[arg(long)]
    pub require_modal: bool,
}

impl ValidateArgs {
    fn settings(&self) -> ValidateSettings {
        ValidateSettings {
            paths: self.paths.clone(),
            runs: self.runs.runs,
            seed: self.sim.seed,
            rule: self.rule.rule,
            posterior: self.posterior.posterior.clone(),
            out: self.sim.out.clone(),
            replace: self.sim.replace(),
            dialect: self.sim.dialect(),
        }
    }
}

/// Runs and scores every historical case.
pub fn execute(args: &ValidateArgs) -> anyhow::Result<()> {
    let job = ValidateJob::prepare(&args.settings()).map_err(job_error)?;
    super::catch_signals();
    let (pool, threads) = super::worker_pool(args.sim.threads)?;

    for (c, d) in job.set.cases.iter().zip(&job.draws) {
        if let Some(d) = d {
            super::note_skipped(&c.file, d);
        }
    }
    let total = job.total_runs();
    let started = Instant::now();
    let bar = progress::bar(total, 0, "runs", args.sim.quiet || total < 1_000_000);
    let update = |done: u64| progress::update(&bar, done, 0, 1, started);
    let done = pool.install(|| {
        job.execute(
            threads,
            Watch {
                progress: Some(&update),
                cancel: Some(&super::STOP),
            },
        )
    });
    bar.finish_and_clear();
    let (scored, folder) = done.map_err(job_error)?;
    print_table(&job, &scored, &folder.dir)?;
    super::note_folder(&folder);

    if args.require_modal {
        let missed = job.missed(&scored);
        if !missed.is_empty() {
            anyhow::bail!(
                "--require-modal: the historical outcome is not the most likely in {} of {} case{}: {}",
                missed.len(),
                scored.model.len(),
                if scored.model.len() == 1 { "" } else { "s" },
                missed.join("; ")
            );
        }
    }
    Ok(())
}

/// The terminal's report: the settings, a table per alliance with its means
/// beside the baselines', the overall lines and where the results are.
fn print_table(job: &ValidateJob, scored: &Scored, dir: &Path) -> anyhow::Result<()> {
    let plan = &job.set;
    let draws = &job.draws;
    let mut out = String::new();
    let n = plan.cases.len();
    writeln!(
        out,
        "Validation against history: {n} case{}; skipped {} file{} without [expected]",
        if n == 1 { "" } else { "s" },
        plan.skipped,
        if plan.skipped == 1 { "" } else { "s" }
    )?;
    writeln!(
        out,
        "rule {}, runs {}, seed {}",
        common(plan.cases.iter().map(|c| c.rule.to_string())),
        common(plan.cases.iter().map(|c| thousands(c.runs))),
        common(plan.cases.iter().map(|c| c.seed)),
    )?;
    out.push_str(&alliance_sim::output::table::meanings(
        plan.cases.iter().map(|c| &c.rule),
    ));
    if let Some(p) = draws.iter().find_map(|d| d.as_ref()) {
        writeln!(out, "{}", p.record().sentence())?;
    }
    let case_w = plan
        .cases
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let hist_w = plan
        .cases
        .iter()
        .map(|c| c.expected_ids().join("|").chars().count())
        .max()
        .unwrap_or(0)
        .max(10);
    for group in &scored.groups[..scored.groups.len() - 1] {
        writeln!(out)?;
        writeln!(out, "{}", group.alliance)?;
        writeln!(
            out,
            "  {:case_w$}  {:hist_w$}  {:>5}  {:14}  {:5}  {:>9}  {:>5}  {:>5}  {:>5}",
            "case",
            "historical",
            "p",
            "95% interval",
            "modal",
            "log score",
            "Brier",
            "base",
            "req."
        )?;
        for (i, c) in plan.cases.iter().enumerate() {
            if c.alliance != group.alliance {
                continue;
            }
            let s = &scored.model[i];
            let log = format!(
                "{:.3}{}",
                s.log_score,
                if s.log_score_floored { "*" } else { "" }
            );
            let blockers = match s.blockers {
                Some(b) => format!(
                    "  exactly {} blocked: {:.3}",
                    c.blocker_ids().join(", "),
                    b.probability
                ),
                None => String::new(),
            };
            writeln!(
                out,
                "  {:case_w$}  {:hist_w$}  {:>5.3}  [{:.3}, {:.3}]  {:5}  {:>9}  {:>5.3}  {:>5.3}  {:>5.3}{blockers}",
                c.label,
                c.expected_ids().join("|"),
                s.share.probability,
                s.share.ci_low,
                s.share.ci_high,
                if s.modal { "yes" } else { "no" },
                log,
                s.brier,
                scored.base_rate[i].probability,
                scored.granted[i].probability,
            )?;
        }
        writeln!(
            out,
            "  model: {}; base rate: {}; request granted: {}",
            overall_words(&group.model),
            overall_words(&group.base_rate),
            overall_words(&group.granted)
        )?;
    }
    writeln!(out)?;
    let (overall, baselines) = overall_lines(scored.overall());
    writeln!(out, "overall: {overall}")?;
    writeln!(out, "baselines on the same cases: {baselines}")?;
    writeln!(out, "{SCORES_NOTE}")?;
    writeln!(out, "{BASELINES_NOTE}")?;
    if scored.model.iter().any(|s| s.log_score_floored) {
        writeln!(out, "{FLOORED_NOTE}")?;
    }
    writeln!(out, "results in {}/", dir.display())?;
    Ok(super::console::out(&out)?)
}
