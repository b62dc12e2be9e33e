//! How sweep dimensions are written: `0.1,0.5,0.9` (a list), `0:1:11` (start,
//! end and count, evenly spaced) or `0:1` (a range, for Latin hypercubes), on
//! the command line as `--vary PATH=SPEC` or in a sweep file's `[vary]` table.

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

/// Largest sweep file read, in bytes (as for a scenario file).
pub const MAX_SWEEP_FILE_BYTES: u64 = crate::scenario::limits::MAX_FILE_BYTES;

use crate::text::{excerpt, num};

/// Most values one dimension may list or generate.
pub const MAX_VALUES: usize = 100_000;

/// The values of one dimension, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSpec {
    /// Exactly these values, in this order.
    List(Vec<f64>),
    /// `count` evenly spaced values from `start` to `end`, both included.
    Steps {
        /// First value.
        start: f64,
        /// Last value.
        end: f64,
        /// Number of values (at least 1).
        count: usize,
    },
    /// A range to sample (Latin hypercube designs).
    Range {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
}

/// The command-line form: `0.1,0.5`, `0:1:11` or `0:1`.
impl std::fmt::Display for ValueSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValueSpec::List(v) => {
                let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                f.write_str(&parts.join(","))
            }
            ValueSpec::Steps { start, end, count } => write!(f, "{start}:{end}:{count}"),
            ValueSpec::Range { lo, hi } => write!(f, "{lo}:{hi}"),
        }
    }
}

/// Rounds to 12 decimals so that generated values print as written (0.3, not
/// 0.30000000000000004): steps, Latin hypercube points, and the scenario's
/// central values that a one-at-a-time sweep writes for parameters a point
/// leaves alone. Steps too fine for it are refused by [`ValueSpec::values`]
/// rather than rounded together.
pub fn tidy(x: f64) -> f64 {
    if x.abs() >= 1e6 {
        return x; // no rounding noise worth removing, and x·1e12 could overflow
    }
    let r = (x * 1e12).round() / 1e12;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn number(text: &str, whole: &str) -> Result<f64, String> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!(
            "`{}` in `{}` is not a finite number",
            excerpt(t),
            excerpt(whole)
        )),
    }
}

/// The most a generated value may move when rounded, as a share of the step
/// between two values: beyond it the values would not be what was asked for.
const MAX_ROUNDING_SHARE_OF_STEP: f64 = 0.01;

impl ValueSpec {
    /// Parses `0.1,0.5,0.9`, `0:1:11` or `0:1`.
    pub fn parse(text: &str) -> Result<ValueSpec, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err(
                "no values given; write a list like 0.1,0.5,0.9 or a range like 0:1:11".into(),
            );
        }
        let shown = excerpt(t);
        if t.contains(':') {
            let parts: Vec<&str> = t.split(':').collect();
            return match parts.as_slice() {
                [lo, hi] => {
                    let (lo, hi) = (number(lo, t)?, number(hi, t)?);
                    if lo >= hi {
                        return Err(format!("in `{shown}` the low end must be below the high end"));
                    }
                    Ok(ValueSpec::Range { lo, hi })
                }
                [start, end, count] => {
                    let (start, end) = (number(start, t)?, number(end, t)?);
                    let count: usize = count.trim().parse().map_err(|_| {
                        format!(
                            "in `{shown}` the count `{}` must be a whole number",
                            excerpt(count.trim())
                        )
                    })?;
                    if count == 0 || count > MAX_VALUES {
                        return Err(format!("in `{shown}` the count must be from 1 to {MAX_VALUES}"));
                    }
                    if count == 1 && start != end {
                        return Err(format!("`{shown}` asks for one value between two different ends; give a count of 2 or more"));
                    }
                    Ok(ValueSpec::Steps { start, end, count })
                }
                _ => Err(format!(
                    "`{shown}` is not a range; write start:end:count (e.g. 0:1:11) or lo:hi for --design lhs"
                )),
            };
        }
        let values = t
            .split(',')
            .map(|v| number(v, t))
            .collect::<Result<Vec<_>, _>>()?;
        if values.len() > MAX_VALUES {
            return Err(format!("more than {MAX_VALUES} values"));
        }
        Ok(ValueSpec::List(values))
    }

    /// The values a grid or one-at-a-time design takes, in order.
    pub fn values(&self) -> Result<Vec<f64>, String> {
        match *self {
            ValueSpec::List(ref v) => Ok(v.clone()),
            ValueSpec::Steps { start, end, count } => {
                if count == 1 {
                    return Ok(vec![start]);
                }
                // Weighted ends rather than start + step·i: no overflow for wide ranges.
                let exact: Vec<f64> = (0..count)
                    .map(|i| {
                        let t = i as f64 / (count - 1) as f64;
                        start * (1.0 - t) + end * t
                    })
                    .collect();
                if exact.iter().any(|x| !x.is_finite()) {
                    return Err(format!(
                        "`{}` gives values that are not finite numbers",
                        self.shown()
                    ));
                }
                let values: Vec<f64> = exact.iter().map(|&x| tidy(x)).collect();
                let step = (end * 0.5 - start * 0.5).abs() / (count - 1) as f64 * 2.0;
                if exact.windows(2).any(|w| w[0] == w[1]) {
                    return Err(format!(
                        "`{}` asks for steps of {}, too small to tell the values apart near {}: it would give the same value more than once",
                        self.shown(),
                        num(step),
                        num(start)
                    ));
                }
                let moved = exact
                    .iter()
                    .zip(&values)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                if moved > MAX_ROUNDING_SHARE_OF_STEP * step {
                    let listed: Vec<String> = exact.iter().take(3).map(|&x| num(x)).collect();
                    return Err(format!(
                        "`{}` asks for steps of {}, too fine for the 12 decimals generated values are rounded to (they would come out as {}{}); write the values as a list instead, e.g. `{}{}`, which is taken as written",
                        self.shown(),
                        num(step),
                        values.iter().take(3).map(|&x| num(x)).collect::<Vec<_>>().join(", "),
                        if count > 3 { ", …" } else { "" },
                        listed.join(","),
                        if count > 3 { ",…" } else { "" }
                    ));
                }
                Ok(values)
            }
            ValueSpec::Range { lo, hi } => Err(format!(
                "`{0}:{1}` is a range without a count; a grid needs values (e.g. {0}:{1}:11) — ranges are for --design lhs",
                num(lo),
                num(hi)
            )),
        }
    }

    /// The form written in messages: as [`Display`](std::fmt::Display), with
    /// numbers in their compact form ([`num`]), cut to an excerpt.
    pub fn shown(&self) -> String {
        let text = match self {
            ValueSpec::List(v) => v.iter().map(|&x| num(x)).collect::<Vec<_>>().join(","),
            ValueSpec::Steps { start, end, count } => {
                format!("{}:{}:{count}", num(*start), num(*end))
            }
            ValueSpec::Range { lo, hi } => format!("{}:{}", num(*lo), num(*hi)),
        };
        excerpt(&text).into_owned()
    }

    /// The range a Latin hypercube samples.
    pub fn range(&self) -> Result<(f64, f64), String> {
        match *self {
            ValueSpec::Range { lo, hi } => Ok((lo, hi)),
            _ => Err("a Latin hypercube samples each dimension over a range: write it as lo:hi (e.g. 0:1)".into()),
        }
    }
}

/// A sweep file: the design, rules and dimensions, as an alternative to (or
/// together with) the command-line flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// `[sweep]`
    pub sweep: Option<SweepSettings>,
    /// `[vary]`: parameter path = list of numbers, or a string in command-line syntax.
    pub vary: Option<IndexMap<String, VaryValue>>,
}

/// `[sweep]` of a sweep file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSettings {
    /// `grid`, `lhs` or `oat`.
    pub design: Option<String>,
    /// Latin hypercube sample count.
    pub samples: Option<u64>,
    /// Decision rules, in `--rule` syntax.
    pub rules: Option<Vec<String>>,
    /// Runs per point.
    pub runs: Option<u64>,
    /// Master seed.
    pub seed: Option<u64>,
}

/// One `[vary]` entry.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum VaryValue {
    /// `[0.1, 0.5, 0.9]`
    List(Vec<f64>),
    /// `"0:1:11"`
    Text(String),
}

impl VaryValue {
    /// As a value spec.
    pub fn spec(&self) -> Result<ValueSpec, String> {
        match self {
            VaryValue::List(v) if v.is_empty() => Err("the list of values is empty".into()),
            VaryValue::List(v) => {
                if let Some(x) = v.iter().find(|x| !x.is_finite()) {
                    return Err(format!("{} is not a finite number", num(*x)));
                }
                Ok(ValueSpec::List(v.clone()))
            }
            VaryValue::Text(t) => ValueSpec::parse(t),
        }
    }
}

impl SweepFile {
    /// Reads a sweep file; a problem is reported like a scenario's, with its
    /// line, field and a suggestion for a misspelt key.
    /// The file must be a regular file (a pipe or a device is refused) of at
    /// most [`MAX_SWEEP_FILE_BYTES`] bytes of UTF-8 text.
    pub fn read(path: &Path) -> Result<SweepFile, String> {
        let class = crate::input::Class {
            noun: "sweep file",
            links: crate::input::Links::Follow,
            max_bytes: MAX_SWEEP_FILE_BYTES,
        };
        let bytes = crate::input::read(path, class).map_err(|e| e.to_string())?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, column) = crate::text::position(e.as_bytes(), e.utf8_error().valid_up_to());
            format!(
                "{}:{line}:{column}: the file is not UTF-8 text; save it as UTF-8",
                path.display()
            )
        })?;
        toml::from_str(&text)
            .map_err(|e| crate::scenario::toml_problem(path, &text, &e).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_steps_and_ranges() {
        assert_eq!(
            ValueSpec::parse("0.1,0.5, 0.9").unwrap(),
            ValueSpec::List(vec![0.1, 0.5, 0.9])
        );
        assert_eq!(
            ValueSpec::parse("0:1:11").unwrap().values().unwrap(),
            vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        );
        assert_eq!(
            ValueSpec::parse("0.2:0.4").unwrap().range().unwrap(),
            (0.2, 0.4)
        );
        assert_eq!(
            ValueSpec::parse("0.5:0.5:1").unwrap().values().unwrap(),
            vec![0.5]
        );
    }

    #[test]
    fn refuses_nonsense() {
        for bad in [
            "", "a,b", "1:0", "0:1:0", "0:1:x", "0:1:2:3", "nan", "0:inf:3", "0:1:1",
        ] {
            assert!(ValueSpec::parse(bad).is_err(), "{bad}");
        }
        assert!(ValueSpec::parse("0:1").unwrap().values().is_err());
        let wide = ValueSpec::parse("-1.7e308:1.7e308:3")
            .unwrap()
            .values()
            .unwrap();
        assert_eq!(wide, vec![-1.7e308, 0.0, 1.7e308]);
        let huge = ValueSpec::parse("1e300:2e300:2").unwrap().values().unwrap();
        assert_eq!(huge, vec![1e300, 2e300]);
        assert!(ValueSpec::parse("0,1").unwrap().range().is_err());
    }

    #[test]
    fn steps_the_rounding_would_merge_or_move_are_refused() {
        let e = ValueSpec::parse("0:1e-13:3").unwrap().values().unwrap_err();
        assert!(
            e.contains("steps of 5e-14") && e.contains("`0,5e-14,1e-13`"),
            "{e}"
        );
        let e = ValueSpec::parse("0:1e-11:4").unwrap().values().unwrap_err();
        assert!(e.contains("come out as 0, 3e-12, 7e-12, …"), "{e}");
        let e = ValueSpec::parse("1:1.0000000000000002:5")
            .unwrap()
            .values()
            .unwrap_err();
        assert!(e.contains("more than once"), "{e}");
        // Steps the rounding keeps, and lists, which are taken as written.
        assert_eq!(
            ValueSpec::parse("0:1e-10:3").unwrap().values().unwrap(),
            vec![0.0, 5e-11, 1e-10]
        );
        assert_eq!(
            ValueSpec::parse("0,5e-14,1e-13").unwrap().values().unwrap(),
            vec![0.0, 5e-14, 1e-13]
        );
        assert_eq!(
            ValueSpec::parse("1e6:1000000.000001:2")
                .unwrap()
                .values()
                .unwrap(),
            vec![1e6, 1000000.000001]
        );
    }

    #[test]
    fn messages_echo_short_numbers_and_short_input() {
        let e = ValueSpec::parse("0:1e-320").unwrap().values().unwrap_err();
        assert!(e.contains("`0:1e-320`") && e.len() < 200, "{e}");
        let long = "0,".repeat(10_000) + "x";
        let e = ValueSpec::parse(&long).unwrap_err();
        assert!(e.len() < 300 && e.contains('…'), "{e}");
    }
}
