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

#[cfg(test)]
mod tests {
    use super::super::tests::{dim, kazakhstan};
    use super::super::{Design, Plan};
    use super::*;
    use crate::model::DecisionRule;

    fn all(points: &Points, dims: usize) -> Vec<Vec<Option<f64>>> {
        (0..points.len())
            .map(|k| (0..dims).map(|j| points.coordinate(k, j).value()).collect())
            .collect()
    }

    /// The Cartesian product built explicitly, the last dimension fastest.
    fn product(lists: &[Vec<f64>]) -> Vec<Vec<Option<f64>>> {
        let mut points = vec![vec![]];
        for list in lists {
            let mut longer = Vec::new();
            for p in &points {
                for &v in list {
                    let mut q: Vec<Option<f64>> = p.clone();
                    q.push(Some(v));
                    longer.push(q);
                }
            }
            points = longer;
        }
        points
    }

    #[test]
    fn a_grid_computed_from_the_index_is_the_explicit_product() {
        let s = kazakhstan();
        let specs = [
            ("crisis.severity", "0:1:7"),
            ("noise", "0.1,0.3"),
            ("members.*.dependence", "0:1:5"),
            ("crisis.framing", "0.5"),
        ];
        for n in 0..=specs.len() {
            let dims: Vec<Dimension> = specs[..n].iter().map(|(p, v)| dim(&s, p, v)).collect();
            let lists: Vec<Vec<f64>> = dims.iter().map(|d| d.spec.values().unwrap()).collect();
            let points = grid(&dims).unwrap();
            let want = product(&lists);
            assert_eq!(points.len(), want.len(), "{n} dimensions");
            assert_eq!(all(&points, n), want, "{n} dimensions");
            for k in 0..points.len() {
                for (j, list) in lists.iter().enumerate() {
                    match points.coordinate(k, j) {
                        Coordinate::Listed { index, value } => {
                            assert_eq!(list[index].to_bits(), value.to_bits())
                        }
                        other => panic!("{other:?} in a grid"),
                    }
                }
            }
        }
    }

    #[test]
    fn one_at_a_time_points_computed_from_the_index() {
        let s = kazakhstan();
        let dims = vec![
            dim(&s, "crisis.severity", "0.1,0.2,0.3"),
            dim(&s, "noise", "0.4"),
            dim(&s, "members.*.dependence", "0:1:3"),
        ];
        let points = one_at_a_time(&dims).unwrap();
        let mut want = vec![vec![None; 3]];
        for (j, d) in dims.iter().enumerate() {
            for v in d.spec.values().unwrap() {
                let mut p = vec![None; 3];
                p[j] = Some(v);
                want.push(p);
            }
        }
        assert_eq!(all(&points, 3), want);
        assert_eq!(points.coordinate(0, 1), Coordinate::Scenario);
        assert!(!points.sets_every_dimension());
    }

    /// The Latin hypercube as it was first written: a vector of values per
    /// point, filled dimension by dimension.
    fn lhs_reference(ranges: &[(f64, f64)], samples: usize, seed: u64) -> Vec<Vec<Option<f64>>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(DESIGN_STREAM);
        let mut points = vec![vec![None; ranges.len()]; samples];
        for (j, (lo, hi)) in ranges.iter().enumerate() {
            let mut strata: Vec<usize> = (0..samples).collect();
            for i in (1..samples).rev() {
                let k = rng.random_range(0..=i);
                strata.swap(i, k);
            }
            for (p, stratum) in points.iter_mut().zip(strata) {
                let u: f64 = rng.random();
                let x = lo + (hi - lo) * (stratum as f64 + u) / samples as f64;
                p[j] = Some(spec::tidy(x).clamp(*lo, *hi));
            }
        }
        points
    }

    #[test]
    fn latin_hypercube_values_stored_flat_are_the_sampled_ones() {
        let s = kazakhstan();
        let dims = vec![
            dim(&s, "crisis.severity", "0.2:0.6"),
            dim(&s, "members.*.dependence", "0:1"),
            dim(&s, "noise", "0:0.5"),
        ];
        for (samples, seed) in [(1, 3), (2, 4), (97, 5), (1000, 6)] {
            let points = latin_hypercube(&dims, samples, seed).unwrap();
            let want = lhs_reference(&[(0.2, 0.6), (0.0, 1.0), (0.0, 0.5)], samples, seed);
            let got = all(&points, 3);
            let bits = |p: &Vec<Vec<Option<f64>>>| -> Vec<Vec<Option<u64>>> {
                p.iter()
                    .map(|q| q.iter().map(|v| v.map(f64::to_bits)).collect())
                    .collect()
            };
            assert_eq!(bits(&got), bits(&want), "{samples} samples");
        }
    }

    /// The first value outside its range in a scan of every point in turn.
    fn scan(points: &[Vec<Option<f64>>], dims: &[Dimension]) -> Option<(f64, String)> {
        points.iter().find_map(|p| {
            p.iter().zip(dims).find_map(|(v, d)| {
                v.filter(|x| !d.path.range().contains(*x))
                    .map(|x| (x, d.path.to_string()))
            })
        })
    }

    #[test]
    fn the_first_value_out_of_range_is_the_one_a_scan_of_the_points_finds() {
        let s = kazakhstan();
        let cases = [
            vec![("crisis.severity", "0.5,1.5"), ("noise", "0.1,0.2")],
            vec![
                ("crisis.severity", "0.5,0.6,1.5"),
                ("members.*.dependence", "0.1,1.2"),
            ],
            vec![
                ("crisis.severity", "1.5,0.5"),
                ("members.*.dependence", "1.2"),
            ],
            vec![
                ("crisis.severity", "0.5"),
                ("members.*.dependence", "0.3,1.2,1.4"),
            ],
            vec![("crisis.severity", "0.5"), ("noise", "0.3")],
        ];
        for case in cases {
            let dims: Vec<Dimension> = case.iter().map(|(p, v)| dim(&s, p, v)).collect();
            for points in [grid(&dims).unwrap(), one_at_a_time(&dims).unwrap()] {
                let found = points
                    .first_out_of_range(&dims)
                    .map(|(v, d)| (v, d.path.to_string()));
                assert_eq!(found, scan(&all(&points, dims.len()), &dims), "{case:?}");
            }
        }
        let plan = Plan::new(
            &s,
            vec![
                dim(&s, "crisis.severity", "0.5,0.6,1.5"),
                dim(&s, "members.*.dependence", "0.1,1.2"),
            ],
            Design::Grid,
            vec![DecisionRule::Majority],
            10,
            1,
        );
        assert!(plan.unwrap_err().0.starts_with("1.2 is outside the range"));
    }
}
