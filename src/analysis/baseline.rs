//! Baselines for validation: forecasts that use no model, scored on the same
//! cases with the same rules, so the model's scores have something to beat.
//!
//! * **Base rate** (leave-one-out): how often, in the *other* cases of the
//!   library, the alliance did nothing, gave part of what was asked, or gave
//!   what was asked. Ladders differ between alliances (the CSTO's level 2 is
//!   a monitoring mission, the EU's may be sanctions), so outcome levels are
//!   compared through these three categories, relative to each case's own
//!   request r: *none* (level 0), *part* (levels 1..r−1) and *granted*
//!   (level r or above). A case whose history allows several levels counts
//!   each of their categories with an equal share of one. Counts get one
//!   added to each category possible for the case being forecast (Laplace's
//!   rule), so no outcome is ever given probability 0; *part* is shared
//!   equally among levels 1..r−1, and levels above r get 0.
//! * **The request is granted**: probability 1 on the requested level r.

/// The outcome category of a level, relative to the requested level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Level 0: no action.
    None,
    /// Something milder than the request.
    Part,
    /// The request (or more).
    Granted,
}

impl Category {
    /// The category of `level` when `requested` was asked for.
    pub fn of(level: usize, requested: usize) -> Category {
        if level == 0 {
            Category::None
        } else if level < requested {
            Category::Part
        } else {
            Category::Granted
        }
    }

    fn index(self) -> usize {
        match self {
            Category::None => 0,
            Category::Part => 1,
            Category::Granted => 2,
        }
    }
}

/// What one case of the library contributes to the base rate: its
/// historical levels and its requested level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The acceptable historical levels.
    pub levels: Vec<usize>,
    /// The requested level.
    pub requested: usize,
}

impl History {
    /// Weight of each category, summing to 1.
    fn weights(&self) -> [f64; 3] {
        let mut w = [0.0; 3];
        let share = 1.0 / self.levels.len() as f64;
        for &level in &self.levels {
            w[Category::of(level, self.requested).index()] += share;
        }
        w
    }
}

/// The base-rate forecast for case `index` of `library`: a probability for
/// each of its `levels` levels (0..levels), from every other case.
pub fn base_rate(library: &[History], index: usize, levels: usize) -> Vec<f64> {
    let me = &library[index];
    let r = me.requested;
    let mut counts = [0.0f64; 3];
    for (j, h) in library.iter().enumerate() {
        if j != index {
            for (c, w) in counts.iter_mut().zip(h.weights()) {
                *c += w;
            }
        }
    }
    // Categories this case can fall in: part only if a milder option exists.
    let possible = [true, r > 1, true];
    let total: f64 = counts
        .iter()
        .zip(possible)
        .filter(|(_, p)| *p)
        .map(|(c, _)| c + 1.0)
        .sum();
    let p = |c: Category| {
        if possible[c.index()] {
            (counts[c.index()] + 1.0) / total
        } else {
            0.0
        }
    };
    let mut out = vec![0.0; levels];
    out[0] = p(Category::None);
    for slot in out.iter_mut().take(r).skip(1) {
        *slot = p(Category::Part) / (r - 1) as f64;
    }
    if r < levels {
        out[r] = p(Category::Granted);
    }
    out
}

/// The "request is granted" forecast: probability 1 on the requested level.
pub fn granted(requested: usize, levels: usize) -> Vec<f64> {
    let mut out = vec![0.0; levels];
    if requested < levels {
        out[requested] = 1.0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(levels: &[usize], requested: usize) -> History {
        History {
            levels: levels.to_vec(),
            requested,
        }
    }

    #[test]
    fn categories_are_relative_to_the_request() {
        assert_eq!(Category::of(0, 3), Category::None);
        assert_eq!(Category::of(2, 3), Category::Part);
        assert_eq!(Category::of(3, 3), Category::Granted);
        assert_eq!(Category::of(1, 1), Category::Granted);
    }

    #[test]
    fn base_rate_leaves_the_case_out_and_smooths() {
        // Others: one none, one granted, one split between none and part.
        let lib = [h(&[3], 3), h(&[0], 2), h(&[2], 2), h(&[0, 1], 4)];
        let p = base_rate(&lib, 0, 5);
        // counts none 1.5, part 0.5, granted 1; +1 each: 2.5, 1.5, 2; total 6.
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(p[0], 2.5 / 6.0));
        assert!(close(p[1], 1.5 / 6.0 / 2.0));
        assert!(close(p[2], 1.5 / 6.0 / 2.0));
        assert!(close(p[3], 2.0 / 6.0));
        assert_eq!(p[4], 0.0);
        assert!(close(p.iter().sum::<f64>(), 1.0));
        // The case's own outcome (granted) is not counted for it.
        let with_self = base_rate(&[h(&[3], 3), h(&[3], 3)], 0, 4);
        let alone = base_rate(&[h(&[3], 3)], 0, 4);
        assert!(with_self[3] > alone[3]);
    }

    #[test]
    fn base_rate_without_a_milder_option_has_two_categories() {
        let lib = [h(&[1], 1), h(&[1], 3), h(&[0], 1)];
        let p = base_rate(&lib, 0, 3);
        // Others: part 1 (not possible here), none 1; +1 on none and granted: 2 and 1.
        assert!((p[0] - 2.0 / 3.0).abs() < 1e-12);
        assert!((p[1] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(p[2], 0.0);
    }

    #[test]
    fn granted_puts_everything_on_the_request() {
        assert_eq!(granted(2, 4), vec![0.0, 0.0, 1.0, 0.0]);
    }
}
