//! The case library: finding the scenario files that record a historical
//! outcome (`[expected]`), checking them into [`Case`]s, and simulating and
//! scoring one case. `validate`, `calibrate` and runs under a posterior all
//! read history through here.
//!
//! A folder is read recursively: its `*.toml` files by name, then its
//! subfolders by name. A file found in a folder is a case only if its own
//! text has an `[expected]` table, so rosters, options files and what-ifs
//! that include a case are skipped (and counted). A file named directly must
//! have `[expected]`.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::model::DecisionRule;
use crate::runner::{Models, Observers, RunRecord};
use crate::scenario::limits::MAX_FILE_BYTES;
use crate::scenario::{self, Scenario, ScenarioError};

use super::validate::{self, CaseScore};

/// One historical case, checked and ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    /// The scenario file.
    pub file: PathBuf,
    /// The file stem, which names the case in tables and results.
    pub label: String,
    /// The checked scenario.
    pub scenario: Scenario,
    /// The acceptable historical levels, ascending.
    pub levels: Vec<usize>,
    /// The recorded blockers of the requested option, if any (bit i = member i).
    pub blockers: Option<u64>,
    /// The alliance's name, which groups the cases.
    pub alliance: String,
    /// The rule the case is simulated under.
    pub rule: DecisionRule,
    /// Runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
}

impl Case {
    /// The ids of the acceptable historical options.
    pub fn expected_ids(&self) -> Vec<&str> {
        self.levels
            .iter()
            .map(|l| self.scenario.options[*l].id.as_str())
            .collect()
    }

    /// The ids of the recorded blockers, in file order (empty if none are recorded).
    pub fn blocker_ids(&self) -> Vec<&str> {
        let set = self.blockers.unwrap_or(0);
        self.scenario
            .members
            .iter()
            .enumerate()
            .filter(|(i, _)| set >> i & 1 == 1)
            .map(|(_, m)| m.id.as_str())
            .collect()
    }
}

/// The cases found under some paths, and how many folder files were not cases.
#[derive(Debug, Clone, Default)]
pub struct CaseSet {
    /// The cases, in the order found.
    pub cases: Vec<Case>,
    /// Files in folders that had no `[expected]` table of their own.
    pub skipped: usize,
}

/// Settings that replace each scenario's own for every case.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    /// Runs per case (default: the scenario's `[montecarlo] runs`).
    pub runs: Option<u64>,
    /// Master seed (default: the scenario's `[montecarlo] seed`).
    pub seed: Option<u64>,
    /// Decision rule (default: the scenario's).
    pub rule: Option<DecisionRule>,
}

/// Why the case library could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CasesError {
    /// One or more scenario files have errors; all of them are listed.
    #[error("{}", .0.last().map(ToString::to_string).unwrap_or_default())]
    Scenarios(Vec<ScenarioError>),
    /// Anything else the user must fix (a folder, a missing `[expected]`, a rule).
    #[error("{0}")]
    Input(String),
}

/// The `*.toml` files in `dir` and its subfolders: each folder's files by
/// name, then its subfolders by name. Links to folders are not followed, so
/// a loop cannot recur.
pub fn folder_files(dir: &Path) -> Result<Vec<PathBuf>, CasesError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CasesError::Input(format!("cannot read the folder `{}`: {e}", dir.display()))
    })?;
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        let kind = entry.file_type();
        if kind.as_ref().is_ok_and(|k| k.is_dir()) {
            folders.push(path);
        } else if path.is_file() && path.extension().is_some_and(|x| x == "toml") {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    folders.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    for folder in folders {
        files.extend(folder_files(&folder)?);
    }
    Ok(files)
}

/// Whether a file's own text has an `[expected]` table; `None` if it is not
/// readable TOML (loading it then gives the error in full).
fn has_own_expected(file: &Path) -> Option<bool> {
    let class = crate::input::Class {
        noun: "scenario file",
        links: crate::input::Links::Follow,
        max_bytes: MAX_FILE_BYTES,
    };
    let text = String::from_utf8(crate::input::read(file, class).ok()?).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    Some(table.contains_key("expected"))
}

/// The label of a case: its file stem.
fn label_of(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}

/// Loads and checks every case under `paths` (files or folders), applying
/// `overrides`. Every file is read before an error is returned, so that all
/// scenario errors are reported at once.
pub fn load(paths: &[PathBuf], overrides: Overrides) -> Result<CaseSet, CasesError> {
    let mut set = CaseSet::default();
    let mut errors = Vec::new();
    for path in paths {
        let (files, from_folder) = if path.is_dir() {
            (folder_files(path)?, true)
        } else {
            (vec![path.clone()], false)
        };
        for file in files {
            if from_folder && has_own_expected(&file) == Some(false) {
                set.skipped += 1;
                continue;
            }
            let s = match scenario::load(&file) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let Some(expected) = &s.expected else {
                if from_folder {
                    set.skipped += 1;
                    continue;
                }
                return Err(CasesError::Input(format!(
                    "{}: no `[expected]` table, so there is no historical outcome to compare with",
                    file.display()
                )));
            };
            let rule = overrides.rule.unwrap_or(s.rule);
            if matches!(rule, DecisionRule::HegemonMajority) && s.alliance.hegemon.is_none() {
                return Err(CasesError::Input(format!(
                    "{}: the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name",
                    file.display()
                )));
            }
            if let Some(e) = s.rule_problem(&rule) {
                return Err(CasesError::Input(e.to_string()));
            }
            let alliance = if s.alliance.name.is_empty() {
                "(alliance without a name)".to_string()
            } else {
                s.alliance.name.clone()
            };
            set.cases.push(Case {
                levels: expected.levels.clone(),
                blockers: expected.blockers,
                alliance,
                label: label_of(&file),
                runs: overrides.runs.unwrap_or(s.montecarlo.runs),
                seed: overrides.seed.unwrap_or(s.montecarlo.seed),
                rule,
                file,
                scenario: s,
            });
        }
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(CasesError::Scenarios(errors))
    }
}

/// Simulates `case` with `models` (the case's scenario, perhaps with
/// parameters changed or a posterior's draws, under the case's rule) on the current rayon pool and
/// scores it against history. With `count_blockers`, and blockers recorded,
/// the share of runs in which exactly they blocked is counted too. An
/// interruption through `cancel` gives an error of kind `Interrupted`.
pub fn score_case(
    case: &Case,
    models: &Models,
    count_blockers: bool,
    progress: Option<&dyn Fn(u64)>,
    cancel: Option<&AtomicBool>,
) -> std::io::Result<CaseScore> {
    let blockers = case.blockers.filter(|_| count_blockers);
    let mut matches = 0u64;
    let mut count = |records: &[RunRecord]| -> std::io::Result<()> {
        if let Some(set) = blockers {
            matches += records.iter().filter(|r| r.blockers == set).count() as u64;
        }
        Ok(())
    };
    let observers = Observers {
        records: blockers.is_some().then_some(&mut count as _),
        progress,
        cancel,
    };
    let tally = models.simulate(case.seed, 0..case.runs, observers)?;
    let matches = blockers.map(|_| matches);
    Ok(validate::score(&case.levels, &tally, matches))
}
