//! Checking numeric parameters: finite, inside the quantity's range, and for
//! distributions, parameters that describe a proper distribution.

use super::{Checker, Result};
use crate::scenario::param::{normal_cdf, Param, Range, MIN_TRUNCATED_MASS};
use crate::scenario::raw::{LParam, RawDist, RawParam};
use crate::text::num;

impl Checker {
    pub(super) fn param(&self, lp: &LParam, field: &str, range: Range) -> Result<Param> {
        let bad = |msg: String| self.at(lp, field, msg);
        let finite = |name: &str, x: f64| -> Result<f64> {
            if x.is_finite() {
                Ok(x)
            } else {
                Err(bad(format!(
                    "`{name}` must be a finite number, found {}",
                    num(x)
                )))
            }
        };
        let inside = |name: &str, x: f64| -> Result<f64> {
            finite(name, x)?;
            if range.contains(x) {
                Ok(x)
            } else {
                Err(bad(format!(
                    "`{name}` = {} lies outside this parameter's range {range}",
                    num(x)
                )))
            }
        };
        let ordered = |lo: f64, hi: f64| -> Result<()> {
            if lo < hi {
                Ok(())
            } else {
                Err(bad(format!(
                    "`lo` ({}) must be below `hi` ({}); for a constant, write the number itself",
                    num(lo),
                    num(hi)
                )))
            }
        };
        match &lp.value {
            RawParam::Number(x) => {
                if !x.is_finite() {
                    return Err(bad(format!(
                        "expected a finite number in {range}, found {}",
                        num(*x)
                    )));
                }
                if !range.contains(*x) {
                    return Err(bad(format!(
                        "expected a number in {range}, found {}",
                        num(*x)
                    )));
                }
                Ok(Param::Fixed(*x))
            }
            RawParam::Dist(RawDist::Normal { mean, sd, lo, hi }) => {
                let mean = finite("mean", *mean)?;
                let sd = finite("sd", *sd)?;
                if sd <= 0.0 {
                    return Err(bad(format!(
                        "`sd` must be positive, found {}; for a constant, write the number itself",
                        num(sd)
                    )));
                }
                let lo = inside("lo", lo.unwrap_or(range.lo))?;
                let hi = inside("hi", hi.unwrap_or(range.hi))?;
                ordered(lo, hi)?;
                let mass = normal_cdf((hi - mean) / sd) - normal_cdf((lo - mean) / sd);
                if mass.is_nan() || mass < MIN_TRUNCATED_MASS {
                    return Err(bad(format!(
                        "this normal keeps only {:.4}% of its mass inside [{}, {}] (at least {}% is needed); move the mean inside the range or widen sd",
                        100.0 * mass.max(0.0),
                        num(lo),
                        num(hi),
                        100.0 * MIN_TRUNCATED_MASS
                    )));
                }
                Ok(Param::Normal { mean, sd, lo, hi })
            }
            RawParam::Dist(RawDist::Uniform { lo, hi }) => {
                let lo = inside("lo", *lo)?;
                let hi = inside("hi", *hi)?;
                ordered(lo, hi)?;
                Ok(Param::Uniform { lo, hi })
            }
            RawParam::Dist(RawDist::Beta { a, b, lo, hi }) => {
                let a = finite("a", *a)?;
                let b = finite("b", *b)?;
                if a <= 0.0 || b <= 0.0 {
                    return Err(bad(format!(
                        "beta shapes `a` and `b` must be positive, found a = {}, b = {}",
                        num(a),
                        num(b)
                    )));
                }
                let lo = inside("lo", lo.unwrap_or(range.lo))?;
                let hi = inside("hi", hi.unwrap_or(range.hi))?;
                ordered(lo, hi)?;
                Ok(Param::Beta { a, b, lo, hi })
            }
            RawParam::Dist(RawDist::Triangular { lo, mode, hi }) => {
                let lo = inside("lo", *lo)?;
                let hi = inside("hi", *hi)?;
                let mode = finite("mode", *mode)?;
                ordered(lo, hi)?;
                if mode < lo || mode > hi {
                    return Err(bad(format!(
                        "`mode` ({}) must lie between `lo` ({}) and `hi` ({})",
                        num(mode),
                        num(lo),
                        num(hi)
                    )));
                }
                Ok(Param::Triangular { lo, mode, hi })
            }
        }
    }

    pub(super) fn opt_param(
        &self,
        lp: &Option<LParam>,
        field: &str,
        range: Range,
        default: f64,
    ) -> Result<Param> {
        match lp {
            Some(lp) => self.param(lp, field, range),
            None => Ok(Param::Fixed(default)),
        }
    }

    pub(super) fn req_param(
        &self,
        lp: &Option<LParam>,
        field: &str,
        range: Range,
        what: &str,
        near: Option<(usize, usize)>,
    ) -> Result<Param> {
        let lp = self.required(lp, field, what, near)?;
        self.param(lp, field, range)
    }
}
