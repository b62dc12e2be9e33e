//! Exact quotas: a share or an amount written as a decimal (`0.67`), a
//! fraction (`2/3`, `39/45`) or a whole number (`39`), kept as the exact
//! rational number the text denotes and compared without rounding.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A non-negative rational number exactly as written: `num / den`, not
/// reduced, so that it prints the way the user wrote it.
///
/// Comparisons are exact (cross-multiplication in 128 bits), so `39/45` and
/// `13/15` compare equal although they print differently.
#[derive(Debug, Clone, Copy)]
pub struct Ratio {
    num: u64,
    den: u64,
    /// Written as `a/b` (printed that way), rather than as a decimal.
    fraction: bool,
}

/// Why a quota could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an exact non-negative number: {why}; write a decimal such as `0.67`, a fraction such as `2/3`, or a whole number")]
pub struct RatioError {
    /// The text as given.
    pub text: String,
    /// What was wrong.
    pub why: &'static str,
}

/// Most digits after the decimal point (the denominator stays within u64).
const MAX_DECIMALS: u32 = 18;

impl Ratio {
    /// The whole number `n`.
    pub const fn whole(n: u64) -> Ratio {
        Ratio {
            num: n,
            den: 1,
            fraction: false,
        }
    }

    /// `num / den`, printed as a fraction; `None` when `den` is 0.
    pub fn new(num: u64, den: u64) -> Option<Ratio> {
        (den != 0).then_some(Ratio {
            num,
            den,
            fraction: true,
        })
    }

    /// The numerator as written.
    pub fn numer(&self) -> u64 {
        self.num
    }

    /// The denominator as written (never 0).
    pub fn denom(&self) -> u64 {
        self.den
    }

    /// The nearest `f64` (for display and for comparisons with drawn values).
    pub fn to_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Whether the value lies in (0, 1]: a share.
    pub fn is_share(&self) -> bool {
        self.num > 0 && self.num <= self.den
    }

    /// Whether `part / whole >= self`, exactly. `whole == 0` never reaches it.
    pub fn reached_by(&self, part: u128, whole: u128) -> bool {
        if whole == 0 {
            return false;
        }
        // part * den >= num * whole, in 256 bits to be safe from overflow.
        let left = mul_wide(part, u128::from(self.den));
        let right = mul_wide(u128::from(self.num), whole);
        left >= right
    }

    /// The least whole number `m` with `m / whole >= self`: the number of
    /// members (or units of weight) a share of `whole` asks for.
    pub fn ceil_of(&self, whole: u128) -> Option<u128> {
        let product = u128::from(self.num).checked_mul(whole)?;
        Some(product.div_ceil(u128::from(self.den)))
    }
}

/// `a * b` as (high, low) 128-bit halves, ordered lexicographically.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
    let low = (p00 & MASK) | (mid << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (high, low)
}

impl PartialEq for Ratio {
    fn eq(&self, other: &Ratio) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ratio {}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Ratio) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Ratio) -> Ordering {
        let left = u128::from(self.num) * u128::from(other.den);
        let right = u128::from(other.num) * u128::from(self.den);
        left.cmp(&right)
    }
}

fn decimal(text: &str, whole: &str) -> Result<Ratio, RatioError> {
    let fail = |why| RatioError {
        text: whole.to_string(),
        why,
    };
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty() {
        return Err(fail("no digits"));
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(fail("only digits and one decimal point are allowed"));
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() as u32 > MAX_DECIMALS {
        return Err(fail("more than 18 digits after the decimal point"));
    }
    let den = 10u64.pow(frac.len() as u32);
    let digits = format!("{int}{frac}");
    let num = digits
        .trim_start_matches('0')
        .parse::<u64>()
        .or_else(|_| {
            if digits.bytes().all(|b| b == b'0') {
                Ok(0)
            } else {
                Err(())
            }
        })
        .map_err(|_| fail("too large"))?;
    Ok(Ratio {
        num,
        den,
        fraction: false,
    })
}

impl FromStr for Ratio {
    type Err = RatioError;

    fn from_str(s: &str) -> Result<Ratio, RatioError> {
        let text = s.trim();
        match text.split_once('/') {
            None => decimal(text, s),
            Some((a, b)) => {
                let whole_number = |part: &str| {
                    let r = decimal(part.trim(), s)?;
                    if r.den != 1 || part.contains('.') {
                        return Err(RatioError {
                            text: s.to_string(),
                            why: "a fraction is two whole numbers, such as `39/45`",
                        });
                    }
                    Ok(r.num)
                };
                let (num, den) = (whole_number(a)?, whole_number(b)?);
                Ratio::new(num, den).ok_or(RatioError {
                    text: s.to_string(),
                    why: "the denominator is 0",
                })
            }
        }
    }
}

/// Prints the number as written: `2/3` for a fraction, `0.67` or `39` for a
/// decimal (shortest form, no trailing zeros).
impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fraction {
            return write!(f, "{}/{}", self.num, self.den);
        }
        let places = self.den.ilog10() as usize;
        let int = self.num / self.den;
        let rest = self.num % self.den;
        if rest == 0 {
            return write!(f, "{int}");
        }
        let digits = format!("{rest:0places$}");
        write!(f, "{int}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Ratio {
        s.parse().unwrap()
    }

    #[test]
    fn written_forms_round_trip() {
        for s in [
            "0.67",
            "2/3",
            "39/45",
            "39",
            "1",
            "0.8666666666666667",
            "0.5",
            "0",
        ] {
            assert_eq!(r(s).to_string(), s);
        }
        assert_eq!(r("0.670").to_string(), "0.67");
        assert_eq!(r(".5").to_string(), "0.5");
        assert_eq!(r(" 2/3 ").to_string(), "2/3");
    }

    #[test]
    fn comparisons_are_exact() {
        assert_eq!(r("39/45"), r("13/15"));
        assert!(r("0.8666666666666667") > r("39/45"));
        assert!(r("0.28") == r("7/25"));
        // 7 of 25 reach 0.28 exactly, which 0.28 * 25.0 in floating point misses.
        assert!(r("0.28").reached_by(7, 25));
        assert!(!r("0.28").reached_by(6, 25));
        assert!(r("2/3").reached_by(2, 3));
        assert!(!r("0.67").reached_by(2, 3));
        assert!(!r("1/2").reached_by(0, 0));
        assert_eq!(r("39/45").ceil_of(45), Some(39));
        assert_eq!(r("0.55").ceil_of(27), Some(15));
        assert_eq!(r("0.65").ceil_of(100), Some(65));
    }

    #[test]
    fn huge_products_do_not_overflow() {
        let q = r("999999999999999999/1000000000000000000");
        assert!(q.reached_by(u128::MAX, u128::MAX));
        assert!(!q.reached_by(
            u128::MAX - u128::MAX / 1_000_000_000_000_000_000 - 2,
            u128::MAX
        ));
        let (h, l) = mul_wide(u128::MAX, u128::MAX);
        assert_eq!((h, l), (u128::MAX - 1, 1));
    }

    #[test]
    fn bad_text_is_refused_with_a_reason() {
        for s in [
            "",
            "-1",
            "1e3",
            "2/0",
            "1.5/3",
            "a",
            "1/2/3",
            "0.1234567890123456789",
            "99999999999999999999",
        ] {
            let e = s.parse::<Ratio>().unwrap_err();
            assert!(e.to_string().contains("exact"), "{s}: {e}");
        }
        assert!(r("3/2") > r("1"));
        assert!(!r("3/2").is_share());
        assert!(r("1").is_share());
        assert!(!r("0").is_share());
    }
}
