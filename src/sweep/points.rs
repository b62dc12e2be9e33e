//! The design points of a sweep, stored in memory that does not grow with
//! their number where it need not: a grid's and a one-at-a-time design's
//! points are computed from the point's index and each dimension's list of
//! values; a Latin hypercube keeps its sampled values, one `f64` per
//! dimension per sample in one flat vector.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{spec, Dimension, PlanError, DESIGN_STREAM, MAX_POINTS};

/// Where a design point's value of one dimension comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coordinate {
    /// The scenario's own value (a one-at-a-time point that leaves the
    /// dimension alone).
    Scenario,
    /// Entry `index` of the dimension's list of values (grid and
    /// one-at-a-time designs; see [`super::Plan::listed`]).
    Listed {
        /// Position in the dimension's list.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A sampled value (Latin hypercube).
    Sampled(f64),
}

impl Coordinate {
    /// The value, `None` for the scenario's own.
    pub fn value(self) -> Option<f64> {
        match self {
            Coordinate::Scenario => None,
            Coordinate::Listed { value, .. } | Coordinate::Sampled(value) => Some(value),
        }
    }
}

/// The design points of a plan.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Points {
    /// Every combination of the lists, the last dimension varying fastest.
    Grid {
        /// Each dimension's values.
        lists: Vec<Vec<f64>>,
        /// Point k's index in dimension j is `k / strides[j] % lists[j].len()`.
        strides: Vec<usize>,
        /// Number of points.
        len: usize,
    },
    /// Point 0 is the scenario as it is; then each dimension's values in turn.
    OneAtATime {
        /// Each dimension's values.
        lists: Vec<Vec<f64>>,
        /// `starts[j]`: the first point that varies dimension j.
        starts: Vec<usize>,
        /// Number of points.
        len: usize,
    },
    /// Sampled values, point-major: point k's value of dimension j is
    /// `values[k * dims + j]`.
    Sample {
        /// The values.
        values: Vec<f64>,
        /// Number of dimensions.
        dims: usize,
        /// Number of points.
        len: usize,
    },
}

impl Points {
    /// Number of design points.
    pub(super) fn len(&self) -> usize {
        match self {
            Points::Grid { len, .. }
            | Points::OneAtATime { len, .. }
            | Points::Sample { len, .. } => *len,
        }
    }

    /// Dimension j's list of values, for designs that list them.
    pub(super) fn listed(&self, j: usize) -> Option<&[f64]> {
        match self {
            Points::Grid { lists, .. } | Points::OneAtATime { lists, .. } => {
                lists.get(j).map(Vec::as_slice)
            }
            Points::Sample { .. } => None,
        }
    }

    /// Design point k's coordinate in dimension j.
    #[inline]
    pub(super) fn coordinate(&self, k: usize, j: usize) -> Coordinate {
        match self {
            Points::Grid { lists, strides, .. } => {
                let list = &lists[j];
                let index = (k / strides[j]) % list.len();
                Coordinate::Listed {
                    index,
                    value: list[index],
                }
            }
            Points::OneAtATime { lists, starts, .. } => {
                let start = starts[j];
                if k >= start && k - start < lists[j].len() {
                    let index = k - start;
                    Coordinate::Listed {
                        index,
                        value: lists[j][index],
                    }
                } else {
                    Coordinate::Scenario
                }
            }
            Points::Sample { values, dims, .. } => Coordinate::Sampled(values[k * dims + j]),
        }
    }

    /// Whether every point of the design sets every dimension (no point
    /// keeps a scenario value).
    pub(super) fn sets_every_dimension(&self) -> bool {
        !matches!(self, Points::OneAtATime { .. })
    }

    /// The first value outside its dimension's range, in point order (then
    /// dimension order), with its dimension: what a check of every point
    /// in turn would find first.
    pub(super) fn first_out_of_range<'d>(
        &self,
        dims: &'d [Dimension],
    ) -> Option<(f64, &'d Dimension)> {
        let bad = |j: usize, v: f64| !dims[j].path.range().contains(v);
        match self {
            Points::Grid {
                lists,
                strides,
                len,
            } => {
                if *len == 0 {
                    return None;
                }
                // The first point holding dimension j's first bad value is
                // index · stride (the other dimensions at their first
                // value); these differ between dimensions unless both are 0.
                (0..lists.len())
                    .filter_map(|j| {
                        let index = lists[j].iter().position(|&v| bad(j, v))?;
                        Some((index * strides[j], j, lists[j][index]))
                    })
                    .min_by_key(|&(k, j, _)| (k, j))
                    .map(|(_, j, v)| (v, &dims[j]))
            }
            Points::OneAtATime { lists, .. } => lists
                .iter()
                .enumerate()
                .find_map(|(j, list)| list.iter().find(|&&v| bad(j, v)).map(|&v| (v, &dims[j]))),
            Points::Sample {
                values, dims: d, ..
            } => values
                .iter()
                .enumerate()
                .find(|&(at, &v)| bad(at % d, v))
                .map(|(at, &v)| (v, &dims[at % d])),
        }
    }
}

fn check_count(n: usize) -> Result<usize, PlanError> {
    if n > MAX_POINTS {
        Err(PlanError(format!(
            "the design has {} points; at most {} are supported (use fewer values, or --design lhs)",
            crate::output::table::thousands(n as u64),
            crate::output::table::thousands(MAX_POINTS as u64)
        )))
    } else {
        Ok(n)
    }
}

fn lists(dims: &[Dimension]) -> Result<Vec<Vec<f64>>, PlanError> {
    dims.iter()
        .map(|d| {
            d.spec
                .values()
                .map_err(|e| PlanError(format!("`{}`: {e}", d.path)))
        })
        .collect()
}

/// Every combination of every dimension's values (the last varying fastest).
pub(super) fn grid(dims: &[Dimension]) -> Result<Points, PlanError> {
    let lists = lists(dims)?;
    let mut n: usize = 1;
    for v in &lists {
        n = n.saturating_mul(v.len());
    }
    check_count(n)?;
    let mut strides = vec![1usize; lists.len()];
    for j in (0..lists.len().saturating_sub(1)).rev() {
        strides[j] = strides[j + 1].saturating_mul(lists[j + 1].len().max(1));
    }
    Ok(Points::Grid {
        lists,
        strides,
        len: n,
    })
}

/// The scenario as it is, then each dimension's values in turn.
pub(super) fn one_at_a_time(dims: &[Dimension]) -> Result<Points, PlanError> {
    let mut lists = Vec::with_capacity(dims.len());
    let mut starts = Vec::with_capacity(dims.len());
    let mut len = 1;
    for d in dims {
        let values = d
            .spec
            .values()
            .map_err(|e| PlanError(format!("`{}`: {e}", d.path)))?;
        check_count(len + values.len())?;
        starts.push(len);
        len += values.len();
        lists.push(values);
    }
    Ok(Points::OneAtATime { lists, starts, len })
}

/// Latin hypercube: for each dimension in turn, a random permutation of the
/// strata (Fisher-Yates, drawing `random_range(0..=i)` for i from n−1 down to
/// 1), then one uniform draw per point placing it inside its stratum.
pub(super) fn latin_hypercube(
    dims: &[Dimension],
    samples: usize,
    seed: u64,
) -> Result<Points, PlanError> {
    if samples == 0 {
        return Err(PlanError(
            "a Latin hypercube needs at least 1 sample".into(),
        ));
    }
    check_count(samples)?;
    let ranges: Vec<(f64, f64)> = dims
        .iter()
        .map(|d| {
            d.spec
                .range()
                .map_err(|e| PlanError(format!("`{}`: {e}", d.path)))
        })
        .collect::<Result<_, _>>()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(DESIGN_STREAM);
    let n = dims.len();
    let mut values = vec![0.0; samples * n];
    let mut strata: Vec<usize> = Vec::with_capacity(samples);
    for (j, (lo, hi)) in ranges.iter().enumerate() {
        strata.clear();
        strata.extend(0..samples);
        for i in (1..samples).rev() {
            let k = rng.random_range(0..=i);
            strata.swap(i, k);
        }
        for (p, &stratum) in strata.iter().enumerate() {
            let u: f64 = rng.random();
            let x = lo + (hi - lo) * (stratum as f64 + u) / samples as f64;
            values[p * n + j] = spec::tidy(x).clamp(*lo, *hi);
        }
    }
    Ok(Points::Sample {
        values,
        dims: n,
        len: samples,
    })
}
