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

impl Ratio {
    /// The decimal a floating-point number stands for: its shortest form
    /// (`0.67` for the `f64` nearest 0.67), which is what the user wrote when
    /// the number came from a file or the command line. `None` for a
    /// negative or non-finite number, or one that needs more than 18 decimal
    /// places or more than 19 digits.
    pub fn from_f64(x: f64) -> Option<Ratio> {
        let (num, places) = shortest_decimal(x)?;
        Some(Ratio {
            num,
            den: 10u64.checked_pow(places)?,
            fraction: false,
        })
    }

    /// Whether the value is a whole number.
    pub fn is_whole(&self) -> bool {
        self.num.is_multiple_of(self.den)
    }
}

/// Most bytes of the shortest decimal form of an `f64` that can still be a
/// whole number of units below 2^64 (20 digits, a point and leading zeros
/// for 18 places).
const DECIMAL_BUFFER: usize = 48;

/// A fixed buffer that `write!` fills, failing when it is full, so that the
/// shortest decimal form of a number is found without allocating.
struct Buffer {
    bytes: [u8; DECIMAL_BUFFER],
    len: usize,
}

impl fmt::Write for Buffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > DECIMAL_BUFFER {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// `x` as `digits / 10^places` from its shortest decimal form (Rust's `{}`,
/// which never uses an exponent): `None` when negative, not finite, or too
/// long for a `u64`.
fn shortest_decimal(x: f64) -> Option<(u64, u32)> {
    use fmt::Write as _;
    if !x.is_finite() || x.is_sign_negative() && x != 0.0 {
        return None;
    }
    let mut buf = Buffer {
        bytes: [0; DECIMAL_BUFFER],
        len: 0,
    };
    write!(buf, "{}", x.abs()).ok()?;
    let text = &buf.bytes[..buf.len];
    let (mut digits, mut places, mut after_point) = (0u64, 0u32, false);
    for &b in text {
        match b {
            b'.' => after_point = true,
            b'0'..=b'9' => {
                digits = digits.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                if after_point {
                    places += 1;
                }
            }
            _ => return None,
        }
    }
    (places <= MAX_DECIMALS).then_some((digits, places))
}

/// Converts decimal amounts (a member's military spending, GDP or
/// population, as written in a scenario or drawn) to whole numbers of one
/// common unit, so that sums and quotas can be compared exactly: each value's
/// shortest decimal form is scaled to the most decimal places any value has.
/// Returns the whole numbers and how many of them make one unit of the
/// values (a power of ten). `None` when a value is negative or not finite,
/// or when the whole numbers would not fit in 64 bits (a drawn value with 17
/// significant digits beside a large one, say); callers then compare in
/// floating point.
pub fn exact_units(values: &[f64]) -> Option<(Vec<u64>, u64)> {
    let mut units = Vec::with_capacity(values.len());
    let per_unit = exact_units_into(values, &mut units)?;
    Some((units, per_unit))
}

/// [`exact_units`] into a buffer the caller keeps (cleared first), so that
/// it allocates nothing once the buffer has grown to the number of values.
/// Returns how many units make one unit of the values; on `None` the
/// buffer's contents are unspecified.
pub fn exact_units_into(values: &[f64], units: &mut Vec<u64>) -> Option<u64> {
    units.clear();
    let mut places = 0u32;
    for &x in values {
        let (digits, p) = shortest_decimal(x)?;
        if p > places {
            // Every value so far gains the extra places.
            let factor = 10u64.checked_pow(p - places)?;
            for u in units.iter_mut() {
                *u = u.checked_mul(factor)?;
            }
            places = p;
        }
        units.push(digits.checked_mul(10u64.checked_pow(places - p)?)?);
    }
    10u64.checked_pow(places)
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
    fn floats_read_as_the_decimal_they_print_as() {
        assert_eq!(Ratio::from_f64(0.67).unwrap().to_string(), "0.67");
        assert_eq!(Ratio::from_f64(0.67), Some(r("67/100")));
        assert_eq!(Ratio::from_f64(39.0).unwrap().to_string(), "39");
        assert_eq!(
            Ratio::from_f64(0.8666666666666667).unwrap(),
            r("0.8666666666666667")
        );
        assert_ne!(Ratio::from_f64(0.8666666666666667).unwrap(), r("39/45"));
        assert_eq!(Ratio::from_f64(0.0), Some(r("0")));
        for bad in [-0.5, f64::NAN, f64::INFINITY, 1e-19, 1e20, 5e-324] {
            assert_eq!(Ratio::from_f64(bad), None, "{bad}");
        }
        assert!(r("15").is_whole() && r("30/2").is_whole() && !r("2/3").is_whole());
    }

    #[test]
    fn amounts_become_whole_units_of_one_scale() {
        assert_eq!(
            exact_units(&[52.8, 0.48, 3889.0, 1.15]),
            Some((vec![5280, 48, 388900, 115], 100))
        );
        assert_eq!(exact_units(&[7.0, 1.0, 1.0]), Some((vec![7, 1, 1], 1)));
        assert_eq!(exact_units(&[]), Some((vec![], 1)));
        // 0.1 + 0.2 is not 0.3 in floating point, but 1 + 2 units is 3.
        let (u, per) = exact_units(&[0.1, 0.2, 0.3]).unwrap();
        assert_eq!((u[0] + u[1], u[2], per), (3, 3, 10));
        // A drawn value with 17 significant digits beside a large one
        // overflows 64 bits: no exact form.
        assert_eq!(exact_units(&[0.12345678901234568, 83_000_000.0]), None);
        assert_eq!(exact_units(&[1.0, -1.0]), None);
        assert_eq!(exact_units(&[1.0, f64::NAN]), None);
        // The buffer is reused and cleared.
        let mut buf = vec![9, 9, 9, 9, 9];
        assert_eq!(exact_units_into(&[2.5, 1.0], &mut buf), Some(10));
        assert_eq!(buf, [25, 10]);
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
