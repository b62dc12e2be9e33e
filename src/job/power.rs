//! `power`: the a-priori voting power of each member under the rule beside how
//! often each was decisive in simulated runs, written as `power.csv`,
//! `power.svg`, `report.html` and `manifest.json` to `OUT/<stem>-power/`;
//! or, for a plain weighted game without a scenario ([`GamePowerJob`], `power
//! --weights`), the a-priori indices alone, in the same files with the same
//! columns (those of the simulation left empty).
//!
//! # `power.csv`
//! One header for both kinds, one row per member in the order given:
//! `scenario` (the scenario's or game file's stem, `game` for weights on the
//! command line), `rule` (the scenario's rule, or `quota:Q` / `share:S`),
//! `member`, the three indices as decimals with six places, then `runs`,
//! `decisive`, `p_decisive`, `ci_low`, `ci_high` (empty for a plain game),
//! then the three indices as exact fractions in lowest terms
//! (`banzhaf_absolute_exact`, `banzhaf_normalized_exact`,
//! `shapley_shubik_exact`). A fraction is written in double quotes
//! (`"106/635"`), which every CSV reader removes, so that a spreadsheet that
//! guesses dates (LibreOffice with "Detect special numbers" and "Format quoted
//! field as text") keeps `1/4` as text; whole values are written `0` and `1`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::game::{GameError, GameSource, PlainGame, Quota};
use super::{cannot_write, IoContext, JobError, Watch};
use crate::analysis::power::{self, CountedGame, Decisiveness, PowerError, PowerIndices};
use crate::model::{DecisionRule, Model};
use crate::output::charts;
use crate::output::csv::{number_cell, text_cell};
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, Replace};
use crate::output::report::{self, Section};
use crate::output::{manifest, Manifest};
use crate::scenario::{self, Scenario};

/// Columns of `power.csv`, for a scenario and a plain game alike.
pub const POWER_HEADER: [&str; 14] = [
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
    "banzhaf_absolute_exact",
    "banzhaf_normalized_exact",
    "shapley_shubik_exact",
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
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
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
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

impl PowerJob {
    /// Loads the scenario, checks the rule and computes the a-priori indices.
    pub fn prepare(settings: &PowerSettings) -> Result<PowerJob, JobError> {
        PowerJob::prepare_watched(settings, None)
    }

    /// [`PowerJob::prepare`], stopping with [`JobError::Interrupted`] soon
    /// after `cancel` is set (counting the coalitions can take seconds).
    pub fn prepare_watched(
        settings: &PowerSettings,
        cancel: Option<&AtomicBool>,
    ) -> Result<PowerJob, JobError> {
        let file = &settings.file;
        let mut s = scenario::load(file)?;
        let rule = settings.rule.unwrap_or(s.rule);
        super::run::check_rule(file, &s, rule)?;
        s.name = super::title_under(&s, &rule);
        let indices = power::a_priori_watched(&s, rule, cancel).map_err(|e| match e {
            power::PowerError::Cancelled => JobError::Interrupted(format!(
                "interrupted while counting the coalitions of {}; nothing was written",
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
            dialect: settings.dialect,
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
    let ids: Vec<&str> = s.members.iter().map(|m| m.id.as_str()).collect();
    let text = power_csv(&job.label, &rule, &ids, p, Some(sim));
    staged
        .write("power.csv", text.as_bytes())
        .context_io(cannot("power.csv"))?;
    let m = manifest(job, threads, sim);
    staged
        .write("manifest.json", m.to_json().as_bytes())
        .context_io(cannot("manifest.json"))?;
    let svg = chart(
        &format!("{}: voting power ({rule})", s.name),
        &ids,
        p,
        Some(sim),
    );
    let names: Vec<String> = s
        .members
        .iter()
        .map(|m| {
            if m.name.is_empty() || m.name == m.id {
                m.id.clone()
            } else {
                format!("{} ({})", m.name, m.id)
            }
        })
        .collect();
    let mut lead = power_lead(&names, p, Some(sim));
    lead.push(job.rule.described());
    let html = report::report_with_lead(
        &format!("{} ({}): voting power", s.name, job.label),
        &lead,
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
    super::commit(staged, job.replace, job.dialect)
}

/// The page's answer first: who holds the most power (or that all hold the
/// same), by the normalized Banzhaf index beside the Shapley-Shubik index,
/// and with a simulation, who was decisive most often.
pub fn power_lead(names: &[String], p: &PowerIndices, sim: Option<&Decisiveness>) -> Vec<String> {
    let n = names.len();
    let b = &p.banzhaf_normalized;
    let Some(top) = (0..n).max_by(|&x, &y| b[x].total_cmp(&b[y]).then(y.cmp(&x))) else {
        return Vec::new();
    };
    let tied: Vec<usize> = (0..n).filter(|&i| (b[i] - b[top]).abs() < 1e-12).collect();
    let mut first = if tied.len() == n && n > 1 {
        format!(
            "All {n} members hold equal voting power: a normalized Banzhaf index of {:.3} each (Shapley-Shubik {:.3}).",
            b[top], p.shapley_shubik[top]
        )
    } else if tied.len() > 1 {
        let who: Vec<&str> = tied.iter().map(|&i| names[i].as_str()).collect();
        format!(
            "Most voting power: {} equally, a normalized Banzhaf index of {:.3} each (Shapley-Shubik {:.3}).",
            who.join(", "),
            b[top],
            p.shapley_shubik[top]
        )
    } else {
        format!(
            "Most voting power: {}, with a normalized Banzhaf index of {:.3} (Shapley-Shubik {:.3}); equal shares would be {:.3}.",
            names[top],
            b[top],
            p.shapley_shubik[top],
            1.0 / n as f64
        )
    };
    if let Some(sim) = sim {
        let d = |i: usize| sim.share(i).probability;
        if let Some(most) = (0..n).max_by(|&x, &y| d(x).total_cmp(&d(y)).then(y.cmp(&x))) {
            let runs = crate::output::table::thousands(sim.runs);
            // Shares of the same runs: equal counts give equal shares.
            let tied: Vec<&str> = (0..n)
                .filter(|&i| d(i) == d(most))
                .map(|i| names[i].as_str())
                .collect();
            if d(most) == 0.0 {
                first.push_str(&format!(
                    " In the simulation, no member's vote decided the requested option in any of {runs} runs."
                ));
            } else if tied.len() == n && n > 1 {
                first.push_str(&format!(
                    " In the simulation, every member's vote decided the requested option equally often: each in {:.1}% of {runs} runs.",
                    100.0 * d(most)
                ));
            } else if tied.len() > 1 {
                first.push_str(&format!(
                    " In the simulation, {} decided the requested option most often, each in {:.1}% of {runs} runs.",
                    tied.join(", "),
                    100.0 * d(most)
                ));
            } else {
                first.push_str(&format!(
                    " In the simulation, {} decided the requested option most often: in {:.1}% of {runs} runs.",
                    names[most],
                    100.0 * d(most)
                ));
            }
        }
    }
    vec![first]
}

/// The text of `power.csv`: the header and a row per member (`ids` in
/// order); the simulation's columns are empty without `sim`.
fn power_csv(
    label: &str,
    rule: &str,
    ids: &[&str],
    p: &PowerIndices,
    sim: Option<&Decisiveness>,
) -> String {
    let mut text = POWER_HEADER.join(",");
    text.push('\n');
    for (i, id) in ids.iter().enumerate() {
        let simulated = match sim {
            Some(sim) => {
                let share = sim.share(i);
                [
                    sim.runs.to_string(),
                    share.count.to_string(),
                    number_cell(share.probability),
                    number_cell(share.ci_low),
                    number_cell(share.ci_high),
                ]
            }
            None => Default::default(),
        };
        let mut cells = vec![
            text_cell(label),
            text_cell(rule),
            text_cell(id),
            number_cell(p.banzhaf_absolute[i]),
            number_cell(p.banzhaf_normalized[i]),
            number_cell(p.shapley_shubik[i]),
        ];
        cells.extend(simulated);
        cells.extend(
            [
                &p.banzhaf_absolute_exact[i].to_string(),
                &p.banzhaf_normalized_exact[i].to_string(),
                &p.shapley_shubik_exact[i].to_string(),
            ]
            .map(|f| exact_cell(f)),
        );
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// An exact fraction as a CSV cell: in double quotes when it has a `/`.
fn exact_cell(fraction: &str) -> String {
    if fraction.contains('/') {
        format!("\"{fraction}\"")
    } else {
        fraction.to_string()
    }
}

/// The power chart: a row per member, sorted by power.
fn chart(title: &str, ids: &[&str], p: &PowerIndices, sim: Option<&Decisiveness>) -> String {
    let rows: Vec<charts::PowerRow> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| charts::PowerRow {
            label: (*id).to_string(),
            banzhaf_normalized: p.banzhaf_normalized[i],
            shapley_shubik: p.shapley_shubik[i],
            decisive: sim.map(|s| s.share(i).probability),
        })
        .collect();
    charts::power_bars(title, &rows)
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

/// What `power --weights` was asked to do.
#[derive(Debug, Clone)]
pub struct GamePowerSettings {
    /// A game file, or a comma-separated list of weights.
    pub weights: String,
    /// How much weight wins.
    pub quota: Quota,
    /// Folder for results.
    pub out: PathBuf,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// A plain weighted game's power analysis, its indices already computed.
#[derive(Debug, Clone)]
pub struct GamePowerJob {
    /// The game.
    pub game: PlainGame,
    /// Its label: the file's stem, or `game`.
    pub label: String,
    /// Where the results go: `OUT/<label>-power/`.
    pub dir: PathBuf,
    /// The a-priori indices.
    pub indices: PowerIndices,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// The a-priori indices of a plain game, counted on its exact whole-number
/// weights (up to [`power::counting::MAX_COUNTED_PLAYERS`] members).
fn indices_of(game: &PlainGame, cancel: Option<&AtomicBool>) -> Result<PowerIndices, PowerError> {
    CountedGame::weighted(game.scaled_weights.clone(), game.scaled_quota)?.indices(cancel)
}

impl GamePowerJob {
    /// Reads the game, checks the quota and computes the indices, stopping
    /// with [`JobError::Interrupted`] soon after `cancel` is set.
    pub fn prepare_watched(
        settings: &GamePowerSettings,
        cancel: Option<&AtomicBool>,
    ) -> Result<GamePowerJob, JobError> {
        let game = PlainGame::load(&settings.weights, settings.quota)
            .map_err(|e: GameError| JobError::input(e.to_string()))?;
        let label = game.label();
        crate::output::folder::check_name(&label).map_err(|_| {
            JobError::input(format!(
                "`{}`: the results folder is named after the file, and `{label}` cannot name a folder; rename the file",
                settings.weights
            ))
        })?;
        let origin = match &game.source {
            GameSource::File { path, .. } => path.display().to_string(),
            GameSource::Inline(_) => "--weights".to_string(),
        };
        let indices = indices_of(&game, cancel).map_err(|e| match e {
            PowerError::Cancelled => JobError::Interrupted(format!(
                "interrupted while counting the coalitions of {origin}; nothing was written"
            )),
            e => JobError::input(format!("{origin}: {e}")),
        })?;
        Ok(GamePowerJob {
            dir: settings.out.join(format!("{label}-power")),
            label,
            indices,
            game,
            replace: settings.replace,
            dialect: settings.dialect,
        })
    }

    /// The member ids, in order.
    pub fn ids(&self) -> Vec<&str> {
        self.game.members.iter().map(|m| m.id.as_str()).collect()
    }

    /// Writes `power.csv`, `power.svg`, `report.html` and `manifest.json`
    /// and returns where they went.
    pub fn execute(&self) -> Result<Committed, JobError> {
        let dir = &self.dir;
        let rule = self.game.quota.to_string();
        let ids = self.ids();
        let staged = super::stage(dir)?;
        let cannot = |name: &'static str| move || cannot_write(dir, name);
        let text = power_csv(&self.label, &rule, &ids, &self.indices, None);
        staged
            .write("power.csv", text.as_bytes())
            .context_io(cannot("power.csv"))?;
        let manifest = self.manifest_json();
        staged
            .write("manifest.json", manifest.as_bytes())
            .context_io(cannot("manifest.json"))?;
        let svg = chart(
            &format!("{}: voting power ({rule})", self.label),
            &ids,
            &self.indices,
            None,
        );
        let names: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let html = report::report_with_lead(
            &format!("{}: voting power", self.label),
            &power_lead(&names, &self.indices, None),
            &[
                Section {
                    heading: "Voting power".into(),
                    body_html: report::p_html(&self.summary())
                        + &report::svg_html(&svg)
                        + &report::csv_table_html(&text),
                },
                Section {
                    heading: "Manifest".into(),
                    body_html: report::pre_html(&manifest),
                },
            ],
        );
        for (name, body) in [("power.svg", svg), ("report.html", html)] {
            staged
                .write(name, body.as_bytes())
                .context_io(cannot(name))?;
        }
        super::commit(staged, self.replace, self.dialect)
    }

    /// One sentence on the game: members, total weight, quota.
    pub fn summary(&self) -> String {
        let g = &self.game;
        let quota = match g.quota {
            Quota::Absolute(q) => format!("quota {q}"),
            Quota::Share(s) => format!("quota {s} of the total, {}", g.winning_weight()),
        };
        format!(
            "{} members, total weight {}, {quota}: a coalition wins with a weight of at least {}",
            g.members.len(),
            g.total_weight(),
            g.winning_weight()
        )
    }

    fn manifest_json(&self) -> String {
        let g = &self.game;
        let (file, sha256, weights) = match &g.source {
            GameSource::File { path, sha256 } => {
                (Some(path.display().to_string()), Some(sha256.clone()), None)
            }
            GameSource::Inline(list) => (None, None, Some(list.clone())),
        };
        let m = GameManifest {
            tool: "alliance-sim",
            version: env!("CARGO_PKG_VERSION"),
            command: crate::output::manifest::command_line(),
            game: self.label.clone(),
            game_file: file,
            game_sha256: sha256,
            weights,
            members: g.members.len(),
            total_weight: g.total_weight(),
            rule: g.quota.to_string(),
            winning_weight: g.winning_weight(),
            method: "coalitions counted by generating functions over exact whole-number weights",
            files: ["power.csv", "power.svg", "report.html"],
        };
        let mut json = serde_json::to_string_pretty(&m).expect("a manifest serializes");
        json.push('\n');
        json
    }
}

/// `manifest.json` of a plain game.
#[derive(Debug, Serialize)]
struct GameManifest {
    tool: &'static str,
    version: &'static str,
    command: Vec<String>,
    game: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    game_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    game_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    weights: Option<String>,
    members: usize,
    total_weight: String,
    rule: String,
    winning_weight: String,
    method: &'static str,
    files: [&'static str; 3],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_cells_are_quoted_fractions() {
        assert_eq!(exact_cell("106/635"), "\"106/635\"");
        assert_eq!(exact_cell("1"), "1");
        assert_eq!(exact_cell("0"), "0");
    }

    #[test]
    fn exact_indices_of_the_eec_council() {
        let p = CountedGame::weighted(vec![4, 4, 4, 2, 2, 1], 12)
            .unwrap()
            .indices(None)
            .unwrap();
        let text = power_csv(
            "eec",
            "quota:12",
            &["FR", "DE", "IT", "BE", "NL", "LU"],
            &p,
            None,
        );
        let column = |name: &str| -> Vec<String> {
            let at = POWER_HEADER.iter().position(|h| *h == name).unwrap();
            text.lines()
                .skip(1)
                .map(|l| l.split(',').nth(at).unwrap().trim_matches('"').to_string())
                .collect()
        };
        let e = (
            column("banzhaf_absolute_exact"),
            column("banzhaf_normalized_exact"),
            column("shapley_shubik_exact"),
        );
        assert_eq!(e.0, ["5/16", "5/16", "5/16", "3/16", "3/16", "0"]);
        assert_eq!(e.1, ["5/21", "5/21", "5/21", "1/7", "1/7", "0"]);
        assert_eq!(e.2, ["7/30", "7/30", "7/30", "3/20", "3/20", "0"]);
    }
}
