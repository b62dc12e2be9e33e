//! Numeric parameters: a fixed value or a distribution drawn once per run, each
//! confined to the valid range of the quantity it stands for.

use rand::Rng;
use rand_distr::{Beta, Distribution, StandardNormal};

/// The smallest positive number (a subnormal, 2^-1074).
pub const SMALLEST_POSITIVE: f64 = 5e-324;

/// The closed interval a parameter's values must lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Smallest allowed value.
    pub lo: f64,
    /// Largest allowed value.
    pub hi: f64,
}

impl Range {
    /// The unit interval [0, 1]: shares, probabilities, intensities.
    pub const UNIT: Range = Range { lo: 0.0, hi: 1.0 };
    /// [-1, 1]: affinities.
    pub const SIGNED_UNIT: Range = Range { lo: -1.0, hi: 1.0 };
    /// [0, 100]: interest weights.
    pub const WEIGHT: Range = Range { lo: 0.0, hi: 100.0 };
    /// [-10, 10]: reservation levels, in utility units.
    pub const RESERVATION: Range = Range {
        lo: -10.0,
        hi: 10.0,
    };
    /// [0, 100000]: money amounts in billions of US dollars.
    pub const MONEY: Range = Range {
        lo: 0.0,
        hi: 100_000.0,
    };
    /// [0, 10000000]: populations in thousands (up to ten billion people).
    pub const POPULATION: Range = Range {
        lo: 0.0,
        hi: 10_000_000.0,
    };
    /// (0, 1]: above 0, however little (its low end is the smallest
    /// positive number, 5e-324, so that the command line takes what a
    /// scenario file takes), up to 1.
    pub const ABOVE_ZERO_UNIT: Range = Range {
        lo: SMALLEST_POSITIVE,
        hi: 1.0,
    };

    /// Whether `x` is a finite number inside the interval.
    pub fn contains(&self, x: f64) -> bool {
        x.is_finite() && x >= self.lo && x <= self.hi
    }
}

/// `[lo, hi]`, or `(0, hi]` when the low end is the smallest positive
/// number; ends in the compact form of [`crate::text::num`].
impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::text::num;
        if self.lo == SMALLEST_POSITIVE {
            write!(f, "(0, {}]", num(self.hi))
        } else {
            write!(f, "[{}, {}]", num(self.lo), num(self.hi))
        }
    }
}

/// The smallest share of a normal distribution's mass that its truncation to a
/// parameter's range may keep. Below it, rejection sampling would be slow and the
/// distribution would in any case be better written as another family.
pub const MIN_TRUNCATED_MASS: f64 = 0.01;

/// A checked numeric parameter. Every variant only produces values inside the
/// range it was checked against.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// The same value in every run.
    Fixed(f64),
    /// Normal(mean, sd) truncated to [lo, hi] by rejection.
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal (> 0).
        sd: f64,
        /// Lower truncation point.
        lo: f64,
        /// Upper truncation point.
        hi: f64,
    },
    /// Uniform on [lo, hi].
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Beta(a, b) rescaled from [0, 1] to [lo, hi].
    Beta {
        /// First shape parameter (> 0).
        a: f64,
        /// Second shape parameter (> 0).
        b: f64,
        /// Value that a draw of 0 maps to.
        lo: f64,
        /// Value that a draw of 1 maps to.
        hi: f64,
    },
    /// Triangular on [lo, hi] with its peak at `mode`.
    Triangular {
        /// Lower end.
        lo: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
}

impl Param {
    /// Whether the parameter takes the same value in every run.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Param::Fixed(_))
    }

    /// The parameter's central value: the fixed value, or the distribution's
    /// mean (for a truncated normal, the mean of the untruncated normal clamped
    /// into range, which is what a reader of the file means by "about").
    pub fn central(&self) -> f64 {
        match *self {
            Param::Fixed(x) => x,
            Param::Normal { mean, lo, hi, .. } => mean.clamp(lo, hi),
            Param::Uniform { lo, hi } => 0.5 * (lo + hi),
            Param::Beta { a, b, lo, hi } => lo + (hi - lo) * a / (a + b),
            Param::Triangular { lo, mode, hi } => (lo + mode + hi) / 3.0,
        }
    }

    /// The smallest and largest values a draw can take.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Param::Fixed(x) => (x, x),
            Param::Normal { lo, hi, .. }
            | Param::Uniform { lo, hi }
            | Param::Beta { lo, hi, .. }
            | Param::Triangular { lo, hi, .. } => (lo, hi),
        }
    }

    /// Draws one value. A fixed parameter consumes no randomness. To draw
    /// the same parameter many times, prepare a [`Sampler`] once.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        Sampler::new(self).sample(rng)
    }
}

/// A parameter prepared for drawing many times: the draws of
/// [`Param::sample`], number for number, with what does not change between
/// draws (a beta's constants) worked out once.
#[derive(Debug, Clone, Copy)]
pub enum Sampler {
    /// The same value every time; consumes no randomness.
    Fixed(f64),
    /// Normal(mean, sd) truncated to [lo, hi] by rejection.
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Its standard deviation.
        sd: f64,
        /// Lower truncation point.
        lo: f64,
        /// Upper truncation point.
        hi: f64,
    },
    /// Uniform on [lo, hi].
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Beta rescaled to [lo, hi]; `None` for shapes the distribution
    /// refuses (never, once checked), which draw the middle.
    Beta {
        /// The prepared distribution.
        beta: Option<Beta<f64>>,
        /// Value a draw of 0 maps to.
        lo: f64,
        /// Value a draw of 1 maps to.
        hi: f64,
    },
    /// Triangular on [lo, hi] with its peak at `mode`.
    Triangular {
        /// Lower end.
        lo: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
}

impl Sampler {
    /// `param`, prepared.
    pub fn new(param: &Param) -> Sampler {
        match *param {
            Param::Fixed(x) => Sampler::Fixed(x),
            Param::Normal { mean, sd, lo, hi } => Sampler::Normal { mean, sd, lo, hi },
            Param::Uniform { lo, hi } => Sampler::Uniform { lo, hi },
            // Shapes were checked positive and finite; Beta::new cannot fail.
            Param::Beta { a, b, lo, hi } => Sampler::Beta {
                beta: Beta::new(a, b).ok(),
                lo,
                hi,
            },
            Param::Triangular { lo, mode, hi } => Sampler::Triangular { lo, mode, hi },
        }
    }

    /// Draws one value, as [`Param::sample`] does.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Sampler::Fixed(x) => x,
            Sampler::Normal { mean, sd, lo, hi } => loop {
                // Acceptance probability is at least MIN_TRUNCATED_MASS (checked
                // when the scenario is loaded), so this ends quickly.
                let z: f64 = StandardNormal.sample(rng);
                let x = mean + sd * z;
                if x >= lo && x <= hi {
                    break x;
                }
            },
            Sampler::Uniform { lo, hi } => {
                let u: f64 = rng.random();
                lo + (hi - lo) * u
            }
            Sampler::Beta { beta, lo, hi } => {
                let u = beta.map(|d| d.sample(rng)).unwrap_or(0.5);
                lo + (hi - lo) * u
            }
            Sampler::Triangular { lo, mode, hi } => {
                let u: f64 = rng.random();
                let width = hi - lo;
                if width <= 0.0 {
                    return lo;
                }
                let split = (mode - lo) / width;
                if u < split {
                    lo + (u * width * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * width * (hi - mode)).sqrt()
                }
            }
        }
    }
}

/// As written in a scenario file: `0.8`, `normal(mean 0.5, sd 0.1) on [0, 1]`,
/// numbers in the compact form of [`crate::text::num`].
impl std::fmt::Display for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::text::num;
        match *self {
            Param::Fixed(x) => write!(f, "{}", num(x)),
            Param::Normal { mean, sd, lo, hi } => write!(
                f,
                "normal(mean {}, sd {}) on [{}, {}]",
                num(mean),
                num(sd),
                num(lo),
                num(hi)
            ),
            Param::Uniform { lo, hi } => write!(f, "uniform on [{}, {}]", num(lo), num(hi)),
            Param::Beta { a, b, lo, hi } => write!(
                f,
                "beta(a {}, b {}) on [{}, {}]",
                num(a),
                num(b),
                num(lo),
                num(hi)
            ),
            Param::Triangular { lo, mode, hi } => write!(
                f,
                "triangular(mode {}) on [{}, {}]",
                num(mode),
                num(lo),
                num(hi)
            ),
        }
    }
}

/// The standard normal distribution function, Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// What `n` draws of `p` show: their mean and standard deviation, the
    /// standard error of that standard deviation (from the draws' fourth
    /// central moment: Var(s²) ≈ (m4 − s⁴)/n, and s moves by half of s²'s
    /// relative change), and the smallest and largest draw.
    struct Draws {
        mean: f64,
        sd: f64,
        se_sd: f64,
        lo: f64,
        hi: f64,
    }

    fn draws(p: &Param, n: usize) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| p.sample(&mut rng)).collect();
        let nf = n as f64;
        let mean = xs.iter().sum::<f64>() / nf;
        let m2 = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / nf;
        let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / nf;
        let sd = m2.sqrt();
        Draws {
            mean,
            sd,
            se_sd: ((m4 - m2 * m2) / nf).sqrt() / (2.0 * sd),
            lo: xs.iter().copied().fold(f64::INFINITY, f64::min),
            hi: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    #[test]
    fn fixed_consumes_no_randomness() {
        let mut a = ChaCha8Rng::seed_from_u64(1);
        let mut b = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(Param::Fixed(0.25).sample(&mut a), 0.25);
        assert_eq!(a.random::<u64>(), b.random::<u64>());
    }

    // Each sample mean and standard deviation is checked against its exact
    // value within 4.5 standard errors (of the mean, sd / sqrt(n); of the sd,
    // from the draws). A sampler that returned its mean every time, or the
    // wrong family with the right mean, fails.
    #[test]
    fn distribution_means_match_theory() {
        let n = 40_000;
        let cases = [
            (Param::Uniform { lo: 0.2, hi: 0.6 }, 0.4, 0.4 / 12f64.sqrt()),
            (
                Param::Triangular {
                    lo: 0.0,
                    mode: 0.2,
                    hi: 1.0,
                },
                0.4,
                ((1.0 + 0.04 - 0.2) / 18.0f64).sqrt(),
            ),
            (
                Param::Beta {
                    a: 2.0,
                    b: 6.0,
                    lo: 0.0,
                    hi: 1.0,
                },
                0.25,
                (12.0f64 / (64.0 * 9.0)).sqrt(),
            ),
        ];
        for (p, mean, sd) in cases {
            let d = draws(&p, n);
            let tol = 4.5 * sd / (n as f64).sqrt();
            assert!(
                (d.mean - mean).abs() < tol,
                "{p:?}: mean {} vs {mean} ± {tol}",
                d.mean
            );
            let tol = 4.5 * d.se_sd;
            assert!(
                (d.sd - sd).abs() < tol,
                "{p:?}: sd {} vs {sd} ± {tol}",
                d.sd
            );
            assert!(d.lo >= 0.0 && d.hi <= 1.0);
        }
    }

    #[test]
    fn truncated_normal_stays_in_range_and_is_symmetric() {
        let (mean, sd, lo, hi) = (0.5, 0.5, 0.0, 1.0);
        let p = Param::Normal { mean, sd, lo, hi };
        let n = 40_000;
        let d = draws(&p, n);
        assert!(d.lo >= lo && d.hi <= hi, "draws in [{}, {}]", d.lo, d.hi);
        // The normal truncated to [lo, hi]: with a = (lo - mean)/sd,
        // b = (hi - mean)/sd, Z = Φ(b) - Φ(a) and φ the standard density,
        // its mean is mean + sd (φ(a) - φ(b))/Z and its variance
        // sd² [1 + (a φ(a) - b φ(b))/Z - ((φ(a) - φ(b))/Z)²].
        let phi = |z: f64| (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
        let z = normal_cdf(b) - normal_cdf(a);
        let shift = (phi(a) - phi(b)) / z;
        let want_mean = mean + sd * shift;
        let want_sd = sd * (1.0 + (a * phi(a) - b * phi(b)) / z - shift * shift).sqrt();
        // Symmetric truncation keeps the mean; the sd, 0.2698, is below the
        // 0.2887 of a uniform on [0, 1], some 20 standard errors away.
        assert!((want_mean - 0.5).abs() < 1e-15);
        assert!((want_sd - 0.2698).abs() < 5e-5, "{want_sd}");
        let tol = 4.5 * want_sd / (n as f64).sqrt();
        assert!(
            (d.mean - want_mean).abs() < tol,
            "mean {} vs {want_mean} ± {tol}",
            d.mean
        );
        let tol = 4.5 * d.se_sd;
        assert!(
            (d.sd - want_sd).abs() < tol,
            "sd {} vs {want_sd} ± {tol}",
            d.sd
        );
        // The bound for draws from a normal, sd/sqrt(2n), caps the estimate:
        // the truncated law has lighter tails.
        assert!(d.se_sd < want_sd / (2.0 * n as f64).sqrt());
    }

    #[test]
    fn normal_cdf_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.959963984540054) - 0.975).abs() < 1e-12);
        assert!((normal_cdf(-1.0) - 0.158_655_253_931_457).abs() < 1e-12);
    }
}
