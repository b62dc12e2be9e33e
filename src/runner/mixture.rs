//! Mixtures: one model per draw of a posterior sample, of which each run
//! simulates one chosen at random with its own generator; and [`Models`],
//! either a plain model or a mixture, dispatched once per simulation so that
//! the loop over runs is compiled for each kind.

use std::io;
use std::ops::Range;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{Observers, Simulator, Tally};
use crate::model::{Decision, Model, Scratch};

/// Models of one scenario and rule, one per posterior draw. Every model must
/// have the same members and options (they differ only in parameter values).
#[derive(Debug, Clone)]
pub struct Mixture {
    models: Vec<Model>,
}

impl Mixture {
    /// A mixture of `models`, in draw order; `None` if there are none or they
    /// differ in members or options.
    pub fn new(models: Vec<Model>) -> Option<Mixture> {
        let first = models.first()?;
        let same = models
            .iter()
            .all(|m| m.members() == first.members() && m.levels() == first.levels());
        same.then_some(Mixture { models })
    }

    /// Number of draws K.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Always false: a mixture has at least one model.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The model of draw `j`.
    pub fn model(&self, j: usize) -> &Model {
        &self.models[j]
    }

    /// The draw a run simulates: `rng.random_range(0..K)`, the first thing
    /// the run's generator is used for.
    #[inline]
    pub fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        rng.random_range(0..self.models.len())
    }
}

impl Simulator for Mixture {
    fn members(&self) -> usize {
        self.models[0].members()
    }

    fn levels(&self) -> usize {
        self.models[0].levels()
    }

    fn scratch(&self) -> Scratch {
        self.models[0].scratch()
    }

    #[inline]
    fn simulate_run(&self, rng: &mut ChaCha8Rng, scratch: &mut Scratch) -> Decision {
        let j = self.pick(rng);
        let model = &self.models[j];
        model.prefetch();
        model.simulate(rng, scratch)
    }
}

/// What one simulation runs: a model, or a mixture over a posterior.
#[derive(Debug, Clone)]
pub enum Models {
    /// The scenario's parameters as given (boxed: a model is large, a
    /// mixture is a vector).
    One(Box<Model>),
    /// One model per posterior draw.
    Mixture(Mixture),
}

impl Models {
    /// Simulates runs `runs` with master seed `seed`, as [`super::simulate`].
    pub fn simulate(&self, seed: u64, runs: Range<u64>, observers: Observers) -> io::Result<Tally> {
        match self {
            Models::One(m) => super::simulate(m.as_ref(), seed, runs, observers),
            Models::Mixture(x) => super::simulate(x, seed, runs, observers),
        }
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        match self {
            Models::One(m) => m.members(),
            Models::Mixture(x) => Simulator::members(x),
        }
    }

    /// Number of levels, including no action.
    pub fn levels(&self) -> usize {
        match self {
            Models::One(m) => m.levels(),
            Models::Mixture(x) => Simulator::levels(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::run_rng;
    use crate::scenario::paths::ParamPath;

    fn kazakhstan() -> crate::scenario::Scenario {
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kazakhstan_2022.toml");
        crate::scenario::load(&p).expect("shipped scenario loads")
    }

    fn kyrgyzstan() -> crate::scenario::Scenario {
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kyrgyzstan_2010.toml");
        crate::scenario::load(&p).expect("shipped scenario loads")
    }

    /// K models of a case whose outcome varies from run to run, differing in
    /// their noise.
    fn mixture(k: usize) -> Mixture {
        let mut s = kyrgyzstan();
        let noise = ParamPath::parse(&s, "noise").unwrap();
        let models = (0..k)
            .map(|j| {
                noise.set(&mut s, 0.05 * (j + 1) as f64).unwrap();
                Model::new(&s, s.rule)
            })
            .collect();
        Mixture::new(models).unwrap()
    }

    #[test]
    fn each_draw_is_chosen_about_one_time_in_k() {
        let k = 7;
        let m = mixture(k);
        let n = 70_000u64;
        let mut counts = vec![0u64; k];
        for run in 0..n {
            counts[m.pick(&mut run_rng(2024, run))] += 1;
        }
        // Each count is Binomial(n, 1/k): within 4 standard deviations.
        let p = 1.0 / k as f64;
        let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
        for (j, c) in counts.iter().enumerate() {
            assert!(
                (*c as f64 - mean).abs() < 4.0 * sd,
                "draw {j} chosen {c} times in {n} runs; expected {mean:.0} ± {:.0}",
                4.0 * sd
            );
        }
    }

    #[test]
    fn a_run_simulates_the_draw_it_picks_with_the_same_generator() {
        let m = mixture(5);
        let mut scratch = Simulator::scratch(&m);
        let mut alone = m.model(0).scratch();
        let mut picked = [0usize; 5];
        let mut levels = std::collections::BTreeSet::new();
        for run in 0..400 {
            let d = m.simulate_run(&mut run_rng(9, run), &mut scratch);
            let mut rng = run_rng(9, run);
            let j = m.pick(&mut rng);
            picked[j] += 1;
            let e = m.model(j).simulate(&mut rng, &mut alone);
            assert_eq!(
                (d.level, d.rounds, d.blockers),
                (e.level, e.rounds, e.blockers)
            );
            assert_eq!(scratch.requested_votes, alone.requested_votes);
            levels.insert(d.level);
        }
        assert!(picked.iter().all(|&c| c > 0), "{picked:?}");
        assert!(
            levels.len() > 1,
            "outcomes vary from run to run: {levels:?}"
        );
    }

    #[test]
    fn models_of_different_shapes_do_not_mix() {
        let s = kazakhstan();
        let other = kyrgyzstan();
        assert_ne!(other.members.len(), s.members.len());
        let a = Model::new(&s, s.rule);
        assert!(Mixture::new(vec![]).is_none());
        assert!(Mixture::new(vec![a.clone(), a.clone()]).is_some());
        let b = Model::new(&other, other.rule);
        assert!(Mixture::new(vec![a, b]).is_none());
    }
}
