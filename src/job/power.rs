//! `power`: the a-priori voting power of each member under the rule beside how
//! often each was decisive in simulated runs, written as `power.csv`,
//! `power.svg`, `report.html` and `manifest.json` to `OUT/<stem>-power/`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::{cannot_write, IoContext, JobError, Watch};
use crate::analysis::power::{self, Decisiveness, PowerIndices};
use crate::model::{DecisionRule, Model};
use crate::output::charts;
use crate::output::csv::{number_cell, text_cell};
use crate::output::folder::{Committed, Replace};
use crate::output::report::{self, Section};
use crate::output::{manifest, Manifest};
use crate::scenario::{self, Scenario};

/// Columns of `power.csv`.
pub const POWER_HEADER: [&str; 11] = [
    "scenario",
    "rule",
    "member",
    "banzhaf_absolute",
    "banzhaf_normalized",
    "shapley_shubik",
    "runs",
    "decisive",
    "p_decisive",
    "ci_low",
    "ci_high",
];

/// What `power` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct PowerSettings {
    /// The scenario file.
    pub file: PathBuf,
    /// Runs instead of the scenario's.
    pub runs: Option<u64>,
    /// Master seed instead of the scenario's.
    pub seed: Option<u64>,
    /// Decision rule instead of the scenario's.
    pub rule: Option<DecisionRule>,
    /// Folder for results.
    pub out: PathBuf,
    /// When an existing results folder is replaced.
    pub replace: Replace,
}

/// A checked power analysis, its a-priori indices already computed.
#[derive(Debug, Clone)]
pub struct PowerJob {
    /// The scenario file as named.
    pub file: PathBuf,
    /// The scenario's label (file stem).
    pub label: String,
    /// Where the results go.
    pub dir: PathBuf,
    /// The scenario.
    pub scenario: Scenario,
    /// The decision rule.
    pub rule: DecisionRule,
    /// Runs of the simulated decisiveness.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// The a-priori indices.
    pub indices: PowerIndices,
    /// When an existing results folder is replaced.
    pub replace: Replace,
}

impl PowerJob {
    /// Loads the scenario, checks the rule and computes the a-priori indices.
    pub fn prepare(settings: &PowerSettings) -> Result<PowerJob, JobError> {
        PowerJob::prepare_watched(settings, None)
    }

    /// [`PowerJob::prepare`], stopping with [`JobError::Interrupted`] soon
    /// after `cancel` is set (the enumeration of coalitions can take seconds).
    pub fn prepare_watched(
        settings: &PowerSettings,
        cancel: Option<&AtomicBool>,
    ) -> Result<PowerJob, JobError> {
        let file = &settings.file;
        let s = scenario::load(file)?;
        let rule = settings.rule.unwrap_or(s.rule);
        super::run::check_rule(file, &s, rule)?;
        let indices = power::a_priori_watched(&s, rule, cancel).map_err(|e| match e {
            power::PowerError::Cancelled => JobError::Interrupted(format!(
                "interrupted while enumerating the coalitions of {}; nothing was written",
                file.display()
            )),
            e => JobError::input(format!("{}: {e}", file.display())),
        })?;
        let (label, _) = super::result_dir(&settings.out, file)?;
        Ok(PowerJob {
            file: file.clone(),
            dir: settings.out.join(format!("{label}-power")),
            label,
            runs: settings.runs.unwrap_or(s.montecarlo.runs),
            seed: settings.seed.unwrap_or(s.montecarlo.seed),
            rule,
            scenario: s,
            indices,
            replace: settings.replace,
        })
    }

    /// Simulates the decisiveness on the current pool (`watch` hears the runs
    /// done) and writes the results; `threads` is recorded in the manifest.
    /// Returns the decisiveness and where the results went.
    pub fn execute(
        &self,
        threads: usize,
        watch: Watch,
    ) -> Result<(Decisiveness, Committed), JobError> {
        let model = Model::new(&self.scenario, self.rule);
        let progress = watch.progress.map(|p| p as &dyn Fn(u64));
        let sim = power::simulated(&model, self.seed, self.runs, progress, watch.cancel)
            .ok_or_else(|| {
                JobError::Interrupted(format!(
                    "interrupted during {}; nothing was written",
                    self.file.display()
                ))
            })?;
        let folder = write_files(self, threads, &sim)?;
        Ok((sim, folder))
    }
}

fn write_files(job: &PowerJob, threads: usize, sim: &Decisiveness) -> Result<Committed, JobError> {
    let (s, dir, p) = (&job.scenario, &job.dir, &job.indices);
    let rule = job.rule.to_string();
    let staged = super::stage(dir)?;
    let cannot = |name: &'static str| move || cannot_write(dir, name);

    let mut text = POWER_HEADER.join(",");
    text.push('\n');
    for (i, m) in s.members.iter().enumerate() {
        let share = sim.share(i);
        let cells = [
            text_cell(&job.label),
            text_cell(&rule),
            text_cell(&m.id),
            number_cell(p.banzhaf_absolute[i]),
            number_cell(p.banzhaf_normalized[i]),
            number_cell(p.shapley_shubik[i]),
            sim.runs.to_string(),
            share.count.to_string(),
            number_cell(share.probability),
            number_cell(share.ci_low),
            number_cell(share.ci_high),
        ];
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    staged
        .write("power.csv", text.as_bytes())
        .context_io(cannot("power.csv"))?;
    let m = manifest(job, threads, sim);
    staged
        .write("manifest.json", m.to_json().as_bytes())
        .context_io(cannot("manifest.json"))?;
    let points: Vec<(String, f64, f64)> = s
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (
                m.id.clone(),
                p.banzhaf_normalized[i],
                sim.share(i).probability,
            )
        })
        .collect();
    let svg = charts::scatter(
        &format!("{}: voting power ({rule})", s.name),
        "normalized Banzhaf index",
        "simulated decisive share",
        &points,
    );
    let html = report::report_html(
        &format!("{} ({}): voting power", s.name, job.label),
        &[
            Section {
                heading: "Power against decisiveness".into(),
                body_html: report::svg_html(&svg) + &report::csv_table_html(&text),
            },
            Section {
                heading: "Scenario".into(),
                body_html: report::sources_html(&s.sources),
            },
            Section {
                heading: "Manifest".into(),
                body_html: report::pre_html(&m.to_json()),
            },
        ],
    );
    for (name, body) in [("power.svg", svg), ("report.html", html)] {
        staged
            .write(name, body.as_bytes())
            .context_io(cannot(name))?;
    }
    super::commit(staged, job.replace)
}

fn manifest(job: &PowerJob, threads: usize, sim: &Decisiveness) -> Manifest {
    let s = &job.scenario;
    let (scenario_sha256, scenario_files) = manifest::scenario_digest(s);
    Manifest {
        tool: "alliance-sim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: crate::output::manifest::command_line(),
        scenario: job.label.clone(),
        scenario_name: s.name.clone(),
        scenario_sha256,
        scenario_files,
        rule: job.rule.to_string(),
        seed: job.seed,
        runs: sim.runs,
        noise: s.montecarlo.noise,
        noise_model: s.montecarlo.noise_model.to_string(),
        abstention_band: s.abstention_band,
        posterior: None,
        threads: Some(threads),
        shards: None,
        generator: "ChaCha8Rng::seed_from_u64(seed), stream = run index".into(),
        files: vec!["power.csv".into(), "power.svg".into(), "report.html".into()],
    }
}
