//! The posterior of the fitted parameters: a random-walk Metropolis sampler
//! on the simulated log-likelihood, with flat priors over the bounds.
//!
//! The chain starts at the maximum-likelihood point. A proposal moves every
//! parameter at once by a normal step whose standard deviation is a share of
//! its range (10% at first); a proposal outside the bounds has prior 0 and
//! is rejected. During burn-in, every 25 steps the share is scaled up when
//! more than 44% of the proposals were accepted and down when fewer than
//! 20% were, then frozen, so the kept draws come from a fixed kernel. Every
//! draw after burn-in is kept. The generator is ChaCha8 from the master
//! seed on its own stream, so the sample is a deterministic function of the
//! cases, the bounds and the seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{CalibrateError, ParamSpec};

/// Generator stream of the sampler, away from the runs' streams.
const SAMPLER_STREAM: u64 = u64::MAX - 2;
/// Steps between two adaptations of the step size during burn-in.
const ADAPT_EVERY: usize = 25;
/// First step size, as a share of each parameter's range.
const FIRST_STEP: f64 = 0.1;

/// Draws from the posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The kept parameter vectors, in chain order.
    pub draws: Vec<Vec<f64>>,
    /// The log-likelihood at each kept draw.
    pub log_likelihood: Vec<f64>,
    /// Share of proposals accepted after burn-in.
    pub acceptance: f64,
    /// The step size used after burn-in, as a share of each range.
    pub step: f64,
}

impl Chain {
    /// The `q`-quantile (0..=1) of parameter `j` over the draws, by linear
    /// interpolation between order statistics.
    pub fn quantile(&self, j: usize, q: f64) -> f64 {
        let mut xs: Vec<f64> = self.draws.iter().map(|d| d[j]).collect();
        xs.sort_by(f64::total_cmp);
        quantile_sorted(&xs, q)
    }

    /// Mean of parameter `j` over the draws.
    pub fn mean(&self, j: usize) -> f64 {
        self.draws.iter().map(|d| d[j]).sum::<f64>() / self.draws.len().max(1) as f64
    }
}

/// The `q`-quantile of ascending `xs` (type 7: linear between order statistics).
pub fn quantile_sorted(xs: &[f64], q: f64) -> f64 {
    match xs.len() {
        0 => f64::NAN,
        1 => xs[0],
        n => {
            let h = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo])
        }
    }
}

/// Runs the sampler from `start` (whose log-likelihood is `start_ll`) for
/// `burn_in` adapting steps, then keeps `draws` steps. `log_likelihood` is
/// the objective; `progress` receives the steps done so far.
#[allow(clippy::too_many_arguments)]
pub fn metropolis(
    mut log_likelihood: impl FnMut(&[f64]) -> Result<f64, CalibrateError>,
    params: &[ParamSpec],
    start: &[f64],
    start_ll: f64,
    burn_in: usize,
    draws: usize,
    seed: u64,
    progress: &dyn Fn(usize),
) -> Result<Chain, CalibrateError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(SAMPLER_STREAM);
    let mut x = start.to_vec();
    let mut ll = start_ll;
    let mut step = FIRST_STEP;
    let mut chain = Chain {
        draws: Vec::with_capacity(draws),
        log_likelihood: Vec::with_capacity(draws),
        acceptance: 0.0,
        step,
    };
    let (mut accepted_window, mut accepted_kept) = (0usize, 0usize);
    for i in 0..burn_in + draws {
        let proposal: Vec<f64> = x
            .iter()
            .zip(params)
            .map(|(x, p)| {
                let z: f64 = StandardNormal.sample(&mut rng);
                x + step * (p.hi - p.lo) * z
            })
            .collect();
        // Drawn whether or not it is needed, so the stream does not depend
        // on where proposals fall.
        let u: f64 = rng.random();
        let inside = proposal
            .iter()
            .zip(params)
            .all(|(x, p)| *x >= p.lo && *x <= p.hi);
        if inside {
            let ll_new = log_likelihood(&proposal)?;
            if ll_new >= ll || u < (ll_new - ll).exp() {
                x = proposal;
                ll = ll_new;
                if i < burn_in {
                    accepted_window += 1;
                } else {
                    accepted_kept += 1;
                }
            }
        }
        if i < burn_in && (i + 1) % ADAPT_EVERY == 0 {
            let rate = accepted_window as f64 / ADAPT_EVERY as f64;
            if rate > 0.44 {
                step = (step * 1.5).min(1.0);
            } else if rate < 0.2 {
                step *= 0.6;
            }
            accepted_window = 0;
        }
        if i >= burn_in {
            chain.draws.push(x.clone());
            chain.log_likelihood.push(ll);
        }
        progress(i + 1);
    }
    chain.acceptance = accepted_kept as f64 / draws.max(1) as f64;
    chain.step = step;
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(lo: f64, hi: f64) -> ParamSpec {
        ParamSpec {
            path: "noise".into(),
            lo,
            hi,
        }
    }

    /// On a known target, a normal N(0.5, 0.1²) inside [0, 1], the sample's
    /// mean and quantiles match the target's within their Monte Carlo error.
    #[test]
    fn samples_a_known_normal_target() {
        let params = [spec(0.0, 1.0)];
        let target = |x: &[f64]| -> Result<f64, CalibrateError> {
            let z = (x[0] - 0.5) / 0.1;
            Ok(-0.5 * z * z)
        };
        let n = 20_000;
        let chain = metropolis(target, &params, &[0.5], 0.0, 1_000, n, 3, &|_| {}).unwrap();
        assert_eq!(chain.draws.len(), n);
        // The chain is autocorrelated: allow for an effective sample size
        // of n / 20, and 4 standard errors.
        let se = 0.1 / ((n / 20) as f64).sqrt();
        assert!(
            (chain.mean(0) - 0.5).abs() < 4.0 * se,
            "mean {}",
            chain.mean(0)
        );
        let q = chain.quantile(0, 0.975);
        assert!((q - (0.5 + 1.96 * 0.1)).abs() < 0.03, "97.5% quantile {q}");
        assert!(chain.acceptance > 0.15 && chain.acceptance < 0.6);
        // The same seed gives the same chain.
        let again = metropolis(target, &params, &[0.5], 0.0, 1_000, n, 3, &|_| {}).unwrap();
        assert_eq!(chain, again);
    }

    #[test]
    fn never_leaves_the_bounds() {
        let params = [spec(0.2, 0.3), spec(-1.0, 1.0)];
        let flat = |_: &[f64]| -> Result<f64, CalibrateError> { Ok(0.0) };
        let chain = metropolis(flat, &params, &[0.25, 0.0], 0.0, 200, 2_000, 1, &|_| {}).unwrap();
        assert!(chain
            .draws
            .iter()
            .all(|d| (0.2..=0.3).contains(&d[0]) && (-1.0..=1.0).contains(&d[1])));
    }

    #[test]
    fn quantiles_interpolate() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&xs, 0.5), 3.0);
        assert_eq!(quantile_sorted(&xs, 0.0), 1.0);
        assert_eq!(quantile_sorted(&xs, 1.0), 5.0);
        assert_eq!(quantile_sorted(&xs, 0.125), 1.5);
    }
}
