//! The files of a run's results folder: `outcomes.csv`, `members.csv`,
//! `manifest.json`, with `runs.csv` (per run) and `outcomes.svg` and
//! `report.html` (unless the report is turned off). The files are written
//! into a staging folder that is put in place whole when all are ready.

use std::fs::File;
use std::io::{BufWriter, Write};

use super::run::RunJob;
use super::{IoContext, JobError, Origin};
use crate::output::charts;
use crate::output::folder::{Committed, Staged};
use crate::output::report::{self, Section};
use crate::output::table::thousands;
use crate::output::{csv, manifest, Manifest, Summary};
use crate::posterior::PosteriorRecord;

/// Writes a job's result files from its summary into `staged`:
/// outcomes.csv, members.csv, `runs_csv` (already written there) if given,
/// the chart and report unless `no_report`, and manifest.json; then puts
/// the folder in place in one step (see [`crate::output::folder`]).
pub fn write_results(
    job: &RunJob,
    summary: &Summary,
    staged: Staged,
    runs_csv: Option<BufWriter<File>>,
    origin: Origin,
    no_report: bool,
) -> Result<Committed, JobError> {
    let rule = job.rule.to_string();
    let mut files = vec!["outcomes.csv".to_string(), "members.csv".to_string()];
    if let Some(mut f) = runs_csv {
        f.flush().context_io(|| job.cannot_write("runs.csv"))?;
        files.push("runs.csv".into());
    }
    let mut outcomes_csv = Vec::new();
    csv::outcomes(&mut outcomes_csv, &job.label, &rule, &job.scenario, summary)
        .context_io(|| job.cannot_write("outcomes.csv"))?;
    let mut members_csv = Vec::new();
    csv::members(&mut members_csv, &job.label, &rule, &job.scenario, summary)
        .context_io(|| job.cannot_write("members.csv"))?;
    if !no_report {
        files.push("outcomes.svg".into());
        files.push("report.html".into());
    }
    let m = manifest(job, origin, files);
    let manifest_json = m.to_json();
    let mut pending = Vec::new();
    if !no_report {
        let svg = outcomes_chart(job, &rule, summary);
        let html = run_report(
            job,
            &rule,
            &svg,
            &outcomes_csv,
            &members_csv,
            &manifest_json,
        );
        pending.push(("outcomes.svg", svg.into_bytes()));
        pending.push(("report.html", html.into_bytes()));
    }
    pending.push(("outcomes.csv", outcomes_csv));
    pending.push(("members.csv", members_csv));
    pending.push(("manifest.json", manifest_json.into_bytes()));
    for (name, bytes) in pending {
        staged
            .write(name, &bytes)
            .context_io(|| job.cannot_write(name))?;
    }
    super::commit(staged, job.replace, job.dialect)
}

/// The manifest of a run's results.
fn manifest(job: &RunJob, origin: Origin, files: Vec<String>) -> Manifest {
    let (scenario_sha256, scenario_files) = manifest::scenario_digest(&job.scenario);
    let (threads, shards) = match origin {
        Origin::Threads(t) => (Some(t), None),
        Origin::Shards(n) => (None, Some(n)),
    };
    Manifest {
        tool: "alliance-sim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: crate::output::manifest::command_line(),
        scenario: job.label.clone(),
        scenario_name: job.scenario.name.clone(),
        scenario_sha256,
        scenario_files,
        rule: job.rule.to_string(),
        seed: job.seed,
        runs: job.runs,
        noise: job.scenario.montecarlo.noise,
        noise_model: job.scenario.montecarlo.noise_model.to_string(),
        abstention_band: job.scenario.abstention_band,
        posterior: job.posterior.as_ref().map(PosteriorRecord::to_json),
        threads,
        shards,
        generator: "ChaCha8Rng::seed_from_u64(seed), stream = run index".into(),
        files,
    }
}

/// The outcome distribution with its intervals.
fn outcomes_chart(job: &RunJob, rule: &str, summary: &Summary) -> String {
    let options: Vec<String> = job.scenario.options.iter().map(|o| o.id.clone()).collect();
    let get = |f: fn(&crate::output::summary::Share) -> f64| -> Vec<f64> {
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
    job: &RunJob,
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
                "Scenario {} ({}), rule {rule}, {} runs, seed {}; requested: {requested}.{}",
                job.scenario.name,
                job.label,
                thousands(job.runs),
                job.seed,
                job.posterior
                    .as_ref()
                    .map_or(String::new(), |p| format!(" {}", p.sentence()))
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
