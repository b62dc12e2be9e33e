//! `alliance-sim run FILE...`: simulate scenarios, print a summary, and write
//! `outcomes.csv`, `members.csv`, `manifest.json` (and `runs.csv`) per scenario,
//! with `outcomes.svg` and `report.html` unless `--no-report`.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use alliance_sim::model::{DecisionRule, Model};
use alliance_sim::output::atomic::{self, AtomicFile};
use alliance_sim::output::charts;
use alliance_sim::output::report::{self, Section};
use alliance_sim::output::table::{self, thousands};
use alliance_sim::output::{csv, manifest, Manifest, Summary};
use alliance_sim::runner::{self, Observers, RunRecord, Tally};
use alliance_sim::scenario::{self, Scenario};

use super::args::{RuleArg, RunsArg, ShardArgs, SimArgs};
use super::{BadInput, Interrupted, Origin};

/// Most runs `--per-run` will write, one line each.
pub const MAX_PER_RUN_ROWS: u64 = 10_000_000;

/// Arguments of `run`.
#[derive(Debug, Args)]
#[command(after_help = "Results: OUT/<file stem>/ for each scenario.")]
pub struct RunArgs {
    /// Scenario files to run.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub runs: RunsArg,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub rule: RuleArg,
    /// Also write runs.csv, one row per run.
    #[arg(long)]
    pub per_run: bool,
    /// Do not write outcomes.svg and report.html.
    #[arg(long)]
    pub no_report: bool,
    #[command(flatten)]
    pub shard: ShardArgs,
}

/// One scenario, checked and ready to run.
pub(super) struct Job {
    /// The scenario file as named.
    pub file: PathBuf,
    /// Its label (file stem): the CSV `scenario` column and the folder name.
    pub label: String,
    /// Where its results go.
    pub dir: PathBuf,
    /// The checked scenario.
    pub scenario: Scenario,
    /// The decision rule.
    pub rule: DecisionRule,
    /// Runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
}

impl Job {
    /// Context for a failed write of `name` in the job's folder.
    pub fn cannot_write(&self, name: &str) -> String {
        format!("cannot write `{}`", self.dir.join(name).display())
    }
}

/// Loads and checks every file and setting before any run starts.
fn prepare(args: &RunArgs) -> anyhow::Result<Vec<Job>> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut errors = Vec::new();
    for file in &args.files {
        match scenario::load(file) {
            Ok(s) => {
                let (label, dir) = super::result_dir(&args.sim.out, file);
                if let Some(other) = jobs.iter().find(|j| j.label == label) {
                    return Err(BadInput(format!(
                        "`{}` and `{}` would both write to `{}`; run them separately with different --out folders",
                        other.file.display(),
                        file.display(),
                        dir.display()
                    ))
                    .into());
                }
                let runs = args.runs.runs.unwrap_or(s.montecarlo.runs);
                if args.per_run && runs > MAX_PER_RUN_ROWS {
                    return Err(BadInput(format!(
                        "{}: --per-run writes one row per run; {} runs is more than the {} allowed",
                        file.display(),
                        thousands(runs),
                        thousands(MAX_PER_RUN_ROWS)
                    ))
                    .into());
                }
                let rule = args.rule.rule.unwrap_or(s.rule);
                if matches!(rule, DecisionRule::HegemonMajority) && s.alliance.hegemon.is_none() {
                    return Err(BadInput(format!(
                        "{}: the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name",
                        file.display()
                    ))
                    .into());
                }
                jobs.push(Job {
                    file: file.clone(),
                    label,
                    dir,
                    runs,
                    seed: args.sim.seed.unwrap_or(s.montecarlo.seed),
                    rule,
                    scenario: s,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok(jobs),
        1 => Err(errors.remove(0).into()),
        n => {
            for e in &errors[..n - 1] {
                eprintln!("error: {e}");
            }
            Err(errors.remove(n - 1).into())
        }
    }
}

/// Runs every scenario named on the command line.
pub fn execute(args: &RunArgs) -> anyhow::Result<()> {
    let shard = args.shard.resolve()?;
    let jobs = prepare(args)?;
    super::catch_signals();
    let (pool, threads) = super::worker_pool(args.sim.threads)?;
    for (i, job) in jobs.iter().enumerate() {
        if i > 0 && shard.is_none() {
            writeln!(std::io::stdout())?;
        }
        match shard {
            Some(shard) => pool.install(|| super::shard::run_shard(job, args, shard, threads))?,
            None => pool.install(|| run_one(job, args, threads))?,
        }
    }
    Ok(())
}

fn run_one(job: &Job, args: &RunArgs, threads: usize) -> anyhow::Result<()> {
    let per_run = args.per_run;
    std::fs::create_dir_all(&job.dir)
        .with_context(|| format!("cannot create the output folder `{}`", job.dir.display()))?;
    atomic::remove_stale_temps(&job.dir);
    let runs_path = job.dir.join("runs.csv");
    let runs_file = if per_run {
        Some(AtomicFile::create(&runs_path).with_context(|| job.cannot_write("runs.csv"))?)
    } else {
        None
    };
    let started = Instant::now();
    let (tally, runs_file) = simulate(job, 0..job.runs, runs_file, args.sim.quiet)?;
    let elapsed = started.elapsed().as_secs_f64();
    let summary = Summary::new(&tally);
    write_results(
        job,
        &summary,
        runs_file,
        Origin::Threads(threads),
        args.no_report,
    )?;
    let rate = if elapsed > 0.0 {
        job.runs as f64 / elapsed
    } else {
        f64::INFINITY
    };
    print_results(
        job,
        &summary,
        &format!(
            "{} runs in {:.3} s ({} runs/s, {threads} thread{})",
            thousands(job.runs),
            elapsed,
            if rate.is_finite() {
                thousands(rate as u64)
            } else {
                "-".into()
            },
            if threads == 1 { "" } else { "s" },
        ),
    )
}

/// Simulates runs `runs` of `job` on the current pool, writing their rows to
/// `runs_file` (header included) when given; returns the tally and the
/// unfinished file. Ctrl-C drops the file and reports `Interrupted`.
pub(super) fn simulate<W: Write>(
    job: &Job,
    runs: Range<u64>,
    runs_file: Option<W>,
    quiet: bool,
) -> anyhow::Result<(Tally, Option<W>)> {
    let model = Model::new(&job.scenario, job.rule);
    let mut writer = match runs_file {
        Some(f) => Some(csv::RunsWriter::new(f, &job.scenario)?),
        None => None,
    };
    let keep = writer.is_some();
    let mut sink = |records: &[RunRecord]| -> std::io::Result<()> {
        match writer.as_mut() {
            Some(w) => w.write(records),
            None => Ok(()),
        }
    };
    let started = Instant::now();
    let count = runs.end - runs.start;
    // Short jobs finish before a bar would say anything useful.
    let bar = super::progress::bar(count, 0, "runs", quiet || count < 1_000_000);
    let progress = |done: u64| super::progress::update(&bar, done, 0, 1, started);
    let observers = Observers {
        records: keep.then_some(&mut sink as &mut dyn FnMut(&[RunRecord]) -> std::io::Result<()>),
        progress: Some(&progress),
        cancel: Some(&super::STOP),
    };
    let result = runner::simulate(&model, job.seed, runs, observers);
    bar.finish_and_clear();
    match result {
        Ok(tally) => {
            let file = writer.map(|w| w.finish()).transpose()?;
            Ok((tally, file))
        }
        // Dropping the unfinished runs.csv removes its temporary file.
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(Interrupted(format!(
            "interrupted during {}; nothing was written for it",
            job.file.display()
        ))
        .into()),
        Err(e) => Err(e).with_context(|| job.cannot_write("runs.csv")),
    }
}

/// Writes a job's result files from its summary: outcomes.csv, members.csv,
/// `runs_csv` as runs.csv if given, the chart and report unless `no_report`,
/// and manifest.json. Everything is written under temporary names first and
/// renamed one after another, the manifest last: the folder never mixes old
/// and new results.
pub(super) fn write_results(
    job: &Job,
    summary: &Summary,
    runs_csv: Option<AtomicFile>,
    origin: Origin,
    no_report: bool,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&job.dir)
        .with_context(|| format!("cannot create the output folder `{}`", job.dir.display()))?;
    let rule = job.rule.to_string();
    let per_run = runs_csv.is_some();
    let mut files = vec!["outcomes.csv".to_string(), "members.csv".to_string()];
    let mut finished = Vec::new();
    if let Some(f) = runs_csv {
        finished.push(("runs.csv", f));
        files.push("runs.csv".into());
    }
    let mut outcomes_csv = Vec::new();
    csv::outcomes(&mut outcomes_csv, &job.label, &rule, &job.scenario, summary)?;
    let mut f = AtomicFile::create(&job.dir.join("outcomes.csv"))
        .with_context(|| job.cannot_write("outcomes.csv"))?;
    f.write_all(&outcomes_csv)
        .with_context(|| job.cannot_write("outcomes.csv"))?;
    finished.push(("outcomes.csv", f));
    let mut members_csv = Vec::new();
    csv::members(&mut members_csv, &job.label, &rule, &job.scenario, summary)?;
    let mut f = AtomicFile::create(&job.dir.join("members.csv"))
        .with_context(|| job.cannot_write("members.csv"))?;
    f.write_all(&members_csv)
        .with_context(|| job.cannot_write("members.csv"))?;
    finished.push(("members.csv", f));
    if !no_report {
        files.push("outcomes.svg".into());
        files.push("report.html".into());
    }
    let (scenario_sha256, scenario_files) = manifest::scenario_digest(&job.scenario);
    let (threads, shards) = match origin {
        Origin::Threads(t) => (Some(t), None),
        Origin::Shards(n) => (None, Some(n)),
    };
    let m = Manifest {
        tool: "alliance-sim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        scenario: job.label.clone(),
        scenario_name: job.scenario.name.clone(),
        scenario_sha256,
        scenario_files,
        rule: rule.clone(),
        seed: job.seed,
        runs: job.runs,
        noise: job.scenario.montecarlo.noise,
        abstention_band: job.scenario.abstention_band,
        threads,
        shards,
        generator: "ChaCha8Rng::seed_from_u64(seed), stream = run index".into(),
        files,
    };
    if !no_report {
        let svg = outcomes_chart(job, &rule, summary);
        let html = run_report(job, &rule, &svg, &outcomes_csv, &members_csv, &m.to_json());
        for (name, text) in [("outcomes.svg", svg), ("report.html", html)] {
            let mut f =
                AtomicFile::create(&job.dir.join(name)).with_context(|| job.cannot_write(name))?;
            f.write_all(text.as_bytes())
                .with_context(|| job.cannot_write(name))?;
            finished.push((name, f));
        }
    }
    let mut f = AtomicFile::create(&job.dir.join("manifest.json"))
        .with_context(|| job.cannot_write("manifest.json"))?;
    f.write_all(m.to_json().as_bytes())
        .with_context(|| job.cannot_write("manifest.json"))?;
    finished.push(("manifest.json", f));
    for (name, f) in finished {
        f.commit().with_context(|| job.cannot_write(name))?;
    }
    // Files of an earlier run that would not match the new results.
    let mut outdated = Vec::new();
    if no_report {
        outdated.extend(["outcomes.svg", "report.html"]);
    }
    if !per_run {
        outdated.push("runs.csv");
    }
    for name in outdated {
        let path = job.dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the outdated `{}`", path.display()))?;
        }
    }
    Ok(())
}

/// Prints the summary table and a last line `how` ... `; results in DIR/`.
pub(super) fn print_results(job: &Job, summary: &Summary, how: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    write!(
        out,
        "{}",
        table::render(
            &job.scenario,
            &job.label,
            &job.rule.to_string(),
            job.seed,
            summary
        )
    )?;
    writeln!(out, "  {how}; results in {}", display_dir(&job.dir))?;
    Ok(())
}

/// The outcome distribution with its intervals.
fn outcomes_chart(job: &Job, rule: &str, summary: &Summary) -> String {
    let options: Vec<String> = job.scenario.options.iter().map(|o| o.id.clone()).collect();
    let get = |f: fn(&alliance_sim::output::summary::Share) -> f64| -> Vec<f64> {
        summary.outcomes.iter().map(f).collect()
    };
    charts::outcome_bars(
        &format!(
            "{}: outcomes ({rule}, {} runs)",
            job.scenario.name,
            thousands(job.runs)
        ),
        &options,
        &get(|s| s.probability),
        &get(|s| s.ci_low),
        &get(|s| s.ci_high),
    )
}

/// `report.html` of a run.
fn run_report(
    job: &Job,
    rule: &str,
    svg: &str,
    outcomes_csv: &[u8],
    members_csv: &[u8],
    manifest_json: &str,
) -> String {
    let requested = job
        .scenario
        .options
        .get(job.scenario.crisis.requested)
        .map(|o| o.id.as_str())
        .unwrap_or("");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let sections = [
        Section {
            heading: "Summary".into(),
            body_html: report::p_html(&format!(
                "Scenario {} ({}), rule {rule}, {} runs, seed {}; requested: {requested}.",
                job.scenario.name,
                job.label,
                thousands(job.runs),
                job.seed
            )),
        },
        Section {
            heading: "Outcomes".into(),
            body_html: report::svg_html(svg) + &report::csv_table_html(&text(outcomes_csv)),
        },
        Section {
            heading: format!("Votes on the requested option ({requested})"),
            body_html: report::csv_table_html(&text(members_csv)),
        },
        Section {
            heading: "Scenario".into(),
            body_html: report::sources_html(&job.scenario.sources),
        },
        Section {
            heading: "Manifest".into(),
            body_html: report::pre_html(manifest_json),
        },
    ];
    report::report_html(
        &format!("{} ({}): results", job.scenario.name, job.label),
        &sections,
    )
}

fn display_dir(dir: &Path) -> String {
    format!("{}/", dir.display())
}
