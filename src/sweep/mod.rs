//! Parameter sweeps: a design (full grid, Latin hypercube, one at a time) over
//! parameter paths and decision rules, evaluated point by point with common
//! random numbers: run r at every point draws from the same stream (master
//! seed, run index), so differences between points are not noise. With a
//! posterior, every point's scenario is simulated as a mixture over its draws
//! (the runs pick their draw the same way at every point); a sweep may not
//! vary a parameter the posterior sets.

mod engine;
mod points;
pub mod spec;

use std::io;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::DecisionRule;
use crate::posterior::{self, Applied};
use crate::runner::{self, Models, Observers, Tally};
use crate::scenario::paths::ParamPath;
use crate::scenario::Scenario;
pub use engine::{run, run_into, run_pieces, Finish};
pub use points::Coordinate;
use points::Points;
pub use spec::{tidy, ValueSpec};

/// Most points (design points × rules) one sweep may have.
pub const MAX_POINTS: usize = 1_000_000;

/// Stream of the master seed's generator that Latin hypercube sampling uses;
/// runs use streams 0, 1, 2, … and never reach it.
pub const DESIGN_STREAM: u64 = u64::MAX;

/// One varied parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    /// The parameter.
    pub path: ParamPath,
    /// Its values, as written.
    pub spec: ValueSpec,
}

/// How points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Every combination of every dimension's values (Cartesian product).
    Grid,
    /// `samples` points, each dimension's range cut into `samples` equal
    /// strata with one point in each, strata paired at random.
    LatinHypercube {
        /// Number of points.
        samples: usize,
    },
    /// The scenario as it is, then each dimension's values in turn with the
    /// others left at the scenario's values.
    OneAtATime,
}

impl Design {
    /// `grid`, `lhs` or `oat`.
    pub fn name(&self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::LatinHypercube { .. } => "lhs",
            Design::OneAtATime => "oat",
        }
    }
}

/// Why a sweep could not be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// A checked sweep: its points, each a set of parameter values and a rule.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The varied parameters, in column order.
    pub dimensions: Vec<Dimension>,
    /// The design.
    pub design: Design,
    /// The decision rules; each design point is run under each.
    pub rules: Vec<DecisionRule>,
    /// Runs per point.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Design points: a value per dimension, or the scenario's own.
    design_points: Points,
    /// The posterior every point draws its other parameters from, if any.
    posterior: Option<Applied>,
}

impl Plan {
    /// Builds and checks the points of a sweep over `scenario`.
    pub fn new(
        scenario: &Scenario,
        dimensions: Vec<Dimension>,
        design: Design,
        rules: Vec<DecisionRule>,
        runs: u64,
        seed: u64,
    ) -> Result<Plan, PlanError> {
        if rules.is_empty() {
            return Err(PlanError("no decision rule to run".into()));
        }
        for (i, d) in dimensions.iter().enumerate() {
            if dimensions[..i]
                .iter()
                .any(|e| e.path.as_str() == d.path.as_str())
            {
                return Err(PlanError(format!("`{}` is varied twice", d.path)));
            }
        }
        let design_points = match design {
            Design::Grid => points::grid(&dimensions)?,
            Design::OneAtATime => points::one_at_a_time(&dimensions)?,
            Design::LatinHypercube { samples } => {
                points::latin_hypercube(&dimensions, samples, seed)?
            }
        };
        if let Some((v, d)) = design_points.first_out_of_range(&dimensions) {
            return Err(PlanError(format!(
                "{} is outside the range {} of `{}`",
                crate::text::num(v),
                d.path.range(),
                d.path
            )));
        }
        if rules
            .iter()
            .any(|r| matches!(r, DecisionRule::HegemonMajority))
            && scenario.alliance.hegemon.is_none()
        {
            return Err(PlanError(
                "--rules: the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name".into(),
            ));
        }
        if let Some(e) = rules.iter().find_map(|r| scenario.rule_problem(r)) {
            return Err(PlanError(format!("--rules: {e}")));
        }
        Ok(Plan {
            dimensions,
            design,
            rules,
            runs,
            seed,
            design_points,
            posterior: None,
        })
    }

    /// The plan with every point simulated as a mixture over `posterior`'s
    /// draws (resolved against the same scenario as the dimensions). Refused
    /// if a dimension varies a parameter the posterior sets.
    pub fn with_posterior(mut self, posterior: Applied) -> Result<Plan, PlanError> {
        for d in &self.dimensions {
            if let Some(q) = posterior.paths().find(|q| q.overlaps(&d.path)) {
                return Err(PlanError(format!(
                    "`{}` is varied by the sweep and set by the posterior {} (column `{q}`): each draw would overwrite the sweep's value; vary another parameter, or leave that column out of the posterior",
                    d.path,
                    posterior.posterior().file().display()
                )));
            }
        }
        self.posterior = Some(posterior);
        Ok(self)
    }

    /// The posterior the points are simulated with, if any.
    pub fn posterior(&self) -> Option<&Applied> {
        self.posterior.as_ref()
    }

    /// Number of points: design points × rules.
    pub fn len(&self) -> usize {
        self.design_points.len() * self.rules.len()
    }

    /// Whether the sweep has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`'s values (one per dimension; `None` = the scenario's own) and rule.
    /// Points run through the rules fastest: point i is design point i / R under rule i % R.
    pub fn point(&self, i: usize) -> (Vec<Option<f64>>, DecisionRule) {
        let values = (0..self.dimensions.len())
            .map(|j| self.coordinate(i, j).value())
            .collect();
        (values, self.rule(i))
    }

    /// Point `i`'s rule.
    pub fn rule(&self, i: usize) -> DecisionRule {
        self.rules[i % self.rules.len()]
    }

    /// Where point `i`'s value of dimension `j` comes from.
    #[inline]
    pub fn coordinate(&self, i: usize, j: usize) -> Coordinate {
        self.design_points.coordinate(i / self.rules.len(), j)
    }

    /// Dimension `j`'s list of values, in a design that lists them (grid,
    /// one at a time); [`Coordinate::Listed`] indexes into it.
    pub fn listed(&self, j: usize) -> Option<&[f64]> {
        self.design_points.listed(j)
    }

    /// The scenario as point `i` sets it.
    pub fn scenario_at(&self, base: &Scenario, i: usize) -> Scenario {
        let mut s = base.clone();
        self.set_point(&mut s, i);
        s
    }

    /// Sets the values point `i` gives in `s`, leaving the others alone.
    fn set_point(&self, s: &mut Scenario, i: usize) {
        for (j, d) in self.dimensions.iter().enumerate() {
            if let Some(v) = self.coordinate(i, j).value() {
                d.path
                    .set(s, v)
                    .expect("values were checked when the plan was made");
            }
        }
    }

    /// Simulates point `i`.
    pub fn evaluate(
        &self,
        base: &Scenario,
        i: usize,
        cancel: Option<&AtomicBool>,
    ) -> io::Result<Tally> {
        self.evaluate_runs(base, i, 0..self.runs, cancel)
    }

    /// Simulates runs `runs` of point `i`: part of its runs, for a shard.
    pub fn evaluate_runs(
        &self,
        base: &Scenario,
        i: usize,
        runs: Range<u64>,
        cancel: Option<&AtomicBool>,
    ) -> io::Result<Tally> {
        self.simulate(&self.scenario_at(base, i), i, runs, cancel)
    }

    /// Simulates runs `runs` of point `i` on `scenario`, the scenario as the
    /// point sets it. A point whose runs fit in one chunk
    /// ([`runner::CHUNK_RUNS`]) runs on the current thread, in one pass:
    /// the tally is the same as the runner's, which sums the same runs'
    /// counts, however split.
    fn simulate(
        &self,
        scenario: &Scenario,
        i: usize,
        runs: Range<u64>,
        cancel: Option<&AtomicBool>,
    ) -> io::Result<Tally> {
        let models = posterior::models(scenario, self.rule(i), self.posterior.as_ref())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        if runs.end.saturating_sub(runs.start) > runner::CHUNK_RUNS {
            return models.simulate(
                self.seed,
                runs,
                Observers {
                    cancel,
                    ..Observers::default()
                },
            );
        }
        if !runs.is_empty() && cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        Ok(match &models {
            Models::One(m) => runner::simulate_here(m.as_ref(), self.seed, runs),
            Models::Mixture(x) => runner::simulate_here(x, self.seed, runs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped Kazakhstan 2022 scenario (also for the tests of `points`).
    pub(super) fn kazakhstan() -> Scenario {
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kazakhstan_2022.toml");
        crate::scenario::load(&p).expect("shipped scenario loads")
    }

    /// A dimension of `s` from its path and values as written.
    pub(super) fn dim(s: &Scenario, path: &str, spec: &str) -> Dimension {
        Dimension {
            path: ParamPath::parse(s, path).unwrap(),
            spec: ValueSpec::parse(spec).unwrap(),
        }
    }

    const UN: DecisionRule = DecisionRule::Unanimity {
        abstention_blocks: false,
    };

    #[test]
    fn grid_is_the_cartesian_product_last_dimension_fastest() {
        let s = kazakhstan();
        let dims = vec![
            dim(&s, "crisis.severity", "0.1,0.2"),
            dim(&s, "noise", "0:0.2:3"),
        ];
        let plan = Plan::new(
            &s,
            dims,
            Design::Grid,
            vec![UN, DecisionRule::Majority],
            10,
            1,
        )
        .unwrap();
        assert_eq!(plan.len(), 12);
        assert_eq!(plan.point(0), (vec![Some(0.1), Some(0.0)], UN));
        assert_eq!(
            plan.point(1),
            (vec![Some(0.1), Some(0.0)], DecisionRule::Majority)
        );
        assert_eq!(plan.point(2).0, &[Some(0.1), Some(0.1)]);
        assert_eq!(plan.point(11).0, &[Some(0.2), Some(0.2)]);
        let at = plan.scenario_at(&s, 11);
        assert_eq!(at.crisis.severity, crate::scenario::Param::Fixed(0.2));
        assert_eq!(at.montecarlo.noise, 0.2);
    }

    #[test]
    fn one_at_a_time_starts_from_the_scenario() {
        let s = kazakhstan();
        let dims = vec![
            dim(&s, "crisis.severity", "0.1,0.2"),
            dim(&s, "noise", "0.3"),
        ];
        let plan = Plan::new(&s, dims, Design::OneAtATime, vec![UN], 10, 1).unwrap();
        let points: Vec<Vec<Option<f64>>> =
            (0..plan.len()).map(|i| plan.point(i).0.to_vec()).collect();
        assert_eq!(
            points,
            vec![
                vec![None, None],
                vec![Some(0.1), None],
                vec![Some(0.2), None],
                vec![None, Some(0.3)]
            ]
        );
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum() {
        let s = kazakhstan();
        let dims = vec![
            dim(&s, "crisis.severity", "0.2:0.6"),
            dim(&s, "members.*.dependence", "0:1"),
        ];
        let n = 50;
        let plan = Plan::new(
            &s,
            dims.clone(),
            Design::LatinHypercube { samples: n },
            vec![UN],
            10,
            9,
        )
        .unwrap();
        for (j, (lo, hi)) in [(0.2, 0.6), (0.0, 1.0)].into_iter().enumerate() {
            let mut strata: Vec<usize> = (0..n)
                .map(|i| {
                    let x = plan.point(i).0[j].unwrap();
                    assert!((lo..=hi).contains(&x));
                    (((x - lo) / (hi - lo)) * n as f64)
                        .floor()
                        .min(n as f64 - 1.0) as usize
                })
                .collect();
            strata.sort();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "dimension {j}");
        }
        let again = Plan::new(
            &s,
            dims.clone(),
            Design::LatinHypercube { samples: n },
            vec![UN],
            10,
            9,
        )
        .unwrap();
        assert_eq!(again.design_points, plan.design_points, "seeded");
        let other = Plan::new(
            &s,
            dims,
            Design::LatinHypercube { samples: n },
            vec![UN],
            10,
            10,
        )
        .unwrap();
        assert_ne!(other.design_points, plan.design_points);
    }

    #[test]
    fn bad_plans_are_refused() {
        let s = kazakhstan();
        let out_of_range = vec![dim(&s, "crisis.severity", "0.5,1.5")];
        assert!(Plan::new(&s, out_of_range, Design::Grid, vec![UN], 10, 1)
            .unwrap_err()
            .0
            .contains("[0, 1]"));
        let twice = vec![dim(&s, "noise", "0.1"), dim(&s, "noise", "0.2")];
        assert!(Plan::new(&s, twice, Design::Grid, vec![UN], 10, 1).is_err());
        let huge: Vec<Dimension> = (0..3).map(|_| dim(&s, "noise", "0:1:1000")).collect();
        let huge = vec![
            huge[0].clone(),
            dim(&s, "crisis.severity", "0:1:1000"),
            dim(&s, "crisis.framing", "0:1:1000"),
        ];
        assert!(Plan::new(&s, huge, Design::Grid, vec![UN], 10, 1)
            .unwrap_err()
            .0
            .contains("at most"));
        let range_in_grid = vec![dim(&s, "noise", "0:1")];
        assert!(Plan::new(&s, range_in_grid, Design::Grid, vec![UN], 10, 1).is_err());
    }

    #[test]
    fn points_use_common_random_numbers() {
        // Two points that differ only in a parameter no member reads give the
        // same tally: every run draws the same numbers at every point.
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kyrgyzstan_2010.toml");
        let s = crate::scenario::load(&p).unwrap();
        let dims = vec![dim(&s, "members.RUS.threat.interstate_war", "0.1,0.9")];
        let plan = Plan::new(&s, dims, Design::Grid, vec![UN], 3000, 5).unwrap();
        let a = plan.evaluate(&s, 0, None).unwrap();
        let b = plan.evaluate(&s, 1, None).unwrap();
        assert_eq!(a, b);
        assert!(
            a.levels.iter().filter(|c| **c > 0).count() > 1,
            "outcomes vary between runs"
        );
        let mut seen = Vec::new();
        let finish = run(
            &plan,
            &s,
            0,
            &mut |i, t| {
                seen.push((i, t.runs));
                Ok(())
            },
            None,
            None,
        )
        .unwrap();
        assert_eq!(finish, Finish::Complete);
        assert_eq!(seen, vec![(0, 3000), (1, 3000)]);
    }

    #[test]
    fn a_set_cancel_flag_stops_before_the_next_point() {
        let s = kazakhstan();
        let dims = vec![dim(&s, "noise", "0:1:40")];
        let plan = Plan::new(&s, dims, Design::Grid, vec![UN], 100, 5).unwrap();
        let cancel = AtomicBool::new(true);
        let mut calls = 0;
        let finish = run(
            &plan,
            &s,
            3,
            &mut |_, _| {
                calls += 1;
                Ok(())
            },
            None,
            Some(&cancel),
        )
        .unwrap();
        assert_eq!(finish, Finish::Interrupted { done: 3 });
        assert_eq!(calls, 0);
    }
}
