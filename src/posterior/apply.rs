//! A posterior applied to one scenario: which of its columns are parameters
//! of the scenario (the others are skipped), every value checked by
//! `ParamPath::set`, and one model per draw built on demand; and the record
//! of it that manifests and shard identities keep.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Posterior, PosteriorError};
use crate::model::{DecisionRule, Model};
use crate::runner::{Mixture, Models};
use crate::scenario::paths::ParamPath;
use crate::scenario::Scenario;

/// How a run uses a posterior, as manifests state it.
pub const SAMPLING: &str = "run r draws j = random_range(0..draws) from its own generator (ChaCha8Rng::seed_from_u64(seed), stream r) before anything else, then simulates draw j's parameters with the same generator";

/// What results record of the posterior they were simulated with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosteriorRecord {
    /// The file as named on the command line.
    pub file: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Draws K.
    pub draws: u64,
    /// The columns applied to the scenario, in file order.
    pub applied: Vec<String>,
    /// The columns the scenario has no parameter for, in file order.
    pub skipped: Vec<String>,
}

impl PosteriorRecord {
    /// What must agree between shards (and between a sweep and its resume):
    /// everything but the file's name.
    pub fn identity(&self) -> serde_json::Value {
        json!({
            "sha256": self.sha256,
            "draws": self.draws,
            "applied": self.applied,
            "skipped": self.skipped,
        })
    }

    /// The record from an identity and the file's name.
    pub fn from_identity(id: &serde_json::Value, file: &str) -> Option<PosteriorRecord> {
        let list = |key: &str| -> Option<Vec<String>> {
            id.get(key)?
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        Some(PosteriorRecord {
            file: file.to_string(),
            sha256: id.get("sha256")?.as_str()?.to_string(),
            draws: id.get("draws")?.as_u64()?,
            applied: list("applied")?,
            skipped: list("skipped")?,
        })
    }

    /// The manifest entry: the record and how runs sample it.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "file": self.file,
            "sha256": self.sha256,
            "draws": self.draws,
            "applied": self.applied,
            "skipped": self.skipped,
            "sampling": SAMPLING,
        })
    }

    /// One sentence for reports: how the probabilities and intervals read.
    pub fn sentence(&self) -> String {
        format!(
            "Probabilities and intervals include parameter uncertainty from the posterior {} ({} draws): each run simulates one draw chosen at random, so a probability is the average over the draws; its 95% interval is the Monte Carlo error of that average.",
            self.file, self.draws
        )
    }
}

/// A skipped column and why the scenario has no such parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The column's path.
    pub path: String,
    /// Why it does not parse against the scenario.
    pub reason: String,
}

/// A posterior's columns resolved against one scenario, every value checked.
/// Cheap to clone: the draws are shared.
#[derive(Debug, Clone)]
pub struct Applied {
    posterior: Arc<Posterior>,
    /// Column index and path, for the columns the scenario has.
    paths: Vec<(usize, ParamPath)>,
    skipped: Vec<Skipped>,
}

impl Applied {
    /// Resolves `posterior`'s columns against `scenario` (read from
    /// `scenario_file`) and checks every value with `ParamPath::set`. Fails if
    /// no column is a parameter of the scenario, if two columns set the same
    /// parameter, or if a value is outside its parameter's range.
    pub fn new(
        posterior: &Arc<Posterior>,
        scenario: &Scenario,
        scenario_file: &Path,
    ) -> Result<Applied, PosteriorError> {
        let p = posterior.as_ref();
        let mut paths: Vec<(usize, ParamPath)> = Vec::new();
        let mut skipped = Vec::new();
        for (c, column) in p.columns().iter().enumerate() {
            match ParamPath::parse(scenario, &column.path) {
                Ok(path) => {
                    if let Some((other, _)) = paths.iter().find(|(_, q)| q.overlaps(&path)) {
                        return Err(PosteriorError::at(
                            p.file(),
                            1,
                            column.at,
                            &column.path,
                            format!(
                                "sets a parameter of `{}` that column `{}` sets too; give each parameter one column",
                                scenario_file.display(),
                                p.columns()[*other].path
                            ),
                        ));
                    }
                    paths.push((c, path));
                }
                Err(e) => skipped.push(Skipped {
                    path: column.path.clone(),
                    reason: match e.help {
                        Some(h) => format!("{}; {h}", e.message),
                        None => e.message,
                    },
                }),
            }
        }
        if paths.is_empty() {
            let names: Vec<String> = p
                .columns()
                .iter()
                .map(|c| format!("`{}`", c.path))
                .collect();
            let mut e = PosteriorError::whole(
                p.file(),
                format!(
                    "none of its columns ({}) is a parameter of `{}`",
                    names.join(", "),
                    scenario_file.display()
                ),
            );
            if let Some(first) = skipped.first() {
                e = e.with_help(format!(
                    "{}; `alliance-sim params {}` lists the scenario's parameters",
                    first.reason,
                    scenario_file.display()
                ));
            }
            return Err(e);
        }
        let applied = Applied {
            posterior: Arc::clone(posterior),
            paths,
            skipped,
        };
        // Every value through the check the models will be built with.
        let mut s = scenario.clone();
        for d in 0..p.draws() {
            applied.set_draw(&mut s, d)?;
        }
        Ok(applied)
    }

    /// The posterior.
    pub fn posterior(&self) -> &Posterior {
        &self.posterior
    }

    /// The applied columns' paths, in file order.
    pub fn paths(&self) -> impl Iterator<Item = &ParamPath> {
        self.paths.iter().map(|(_, p)| p)
    }

    /// The skipped columns, in file order, with the reasons.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The record results keep.
    pub fn record(&self) -> PosteriorRecord {
        let p = self.posterior();
        PosteriorRecord {
            file: p.file().display().to_string(),
            sha256: p.sha256().to_string(),
            draws: p.draws() as u64,
            applied: self.paths().map(|q| q.as_str().to_string()).collect(),
            skipped: self.skipped.iter().map(|s| s.path.clone()).collect(),
        }
    }

    /// Sets draw `d`'s values in `scenario`.
    fn set_draw(&self, scenario: &mut Scenario, d: usize) -> Result<(), PosteriorError> {
        let p = self.posterior();
        for (c, path) in &self.paths {
            path.set(scenario, p.value(d, *c))
                .map_err(|e| p.cell_error(d, *c, e.message))?;
        }
        Ok(())
    }

    /// One model per draw of `scenario` (the scenario this was resolved
    /// against, or one with the same members, options and parameters, such
    /// as a sweep's point) under `rule`, in draw order.
    pub fn mixture(
        &self,
        scenario: &Scenario,
        rule: DecisionRule,
    ) -> Result<Mixture, PosteriorError> {
        let mut s = scenario.clone();
        let mut models = Vec::with_capacity(self.posterior.draws());
        for d in 0..self.posterior.draws() {
            self.set_draw(&mut s, d)?;
            models.push(Model::new(&s, rule));
        }
        Mixture::new(models)
            .ok_or_else(|| PosteriorError::whole(self.posterior.file(), "holds no draws".into()))
    }
}

/// What one simulation of `scenario` under `rule` runs: the model, or with a
/// posterior, the mixture of its draws.
pub fn models(
    scenario: &Scenario,
    rule: DecisionRule,
    posterior: Option<&Applied>,
) -> Result<Models, PosteriorError> {
    Ok(match posterior {
        None => Models::One(Box::new(Model::new(scenario, rule))),
        Some(p) => Models::Mixture(p.mixture(scenario, rule)?),
    })
}
