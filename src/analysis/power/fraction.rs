//! Exact non-negative fractions of big integers, always in lowest terms: the
//! exact form of the power indices (`106/635`), compared with `==` and printed
//! the way published tables write them.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Add;
use std::str::FromStr;

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

/// A non-negative fraction `num / den` in lowest terms (`den > 0`; zero is
/// `0/1`). Two fractions are equal exactly when their values are.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fraction {
    num: BigUint,
    den: BigUint,
}

/// Why a text is not a fraction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a fraction: write digits, optionally `/` and a non-zero denominator (`106/635`, `0`)")]
pub struct FractionError(pub String);

impl Fraction {
    /// `num / den` in lowest terms; `None` when `den` is 0.
    pub fn new(num: BigUint, den: BigUint) -> Option<Fraction> {
        if den.is_zero() {
            return None;
        }
        if num.is_zero() {
            return Some(Fraction::zero());
        }
        let g = num.gcd(&den);
        Some(Fraction {
            num: num / &g,
            den: den / g,
        })
    }

    /// `num / den` from machine integers; `None` when `den` is 0.
    pub fn from_u64(num: u64, den: u64) -> Option<Fraction> {
        Fraction::new(num.into(), den.into())
    }

    /// Zero, `0/1`.
    pub fn zero() -> Fraction {
        Fraction {
            num: BigUint::zero(),
            den: BigUint::one(),
        }
    }

    /// The numerator in lowest terms.
    pub fn numer(&self) -> &BigUint {
        &self.num
    }

    /// The denominator in lowest terms (1 for a whole number).
    pub fn denom(&self) -> &BigUint {
        &self.den
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.num.is_zero()
    }

    /// The `f64` nearest to the exact value (ties to even), however many
    /// digits the numerator and denominator have. Values too large for an
    /// `f64` give infinity. Only below 2^−1022, where `f64` loses precision
    /// (never for a power index of up to 511 players), may the result be one
    /// unit in the last place away.
    pub fn to_f64(&self) -> f64 {
        if self.num.is_zero() {
            return 0.0;
        }
        // Scale by 2^s so that the integer quotient has 65 or 66 bits: then
        // rounding it to 53 bits, with a sticky bit for a non-zero remainder,
        // is rounding the exact value.
        let s = 65 - (self.num.bits() as i64 - self.den.bits() as i64);
        let (q, r) = if s >= 0 {
            (&self.num << s as u64).div_rem(&self.den)
        } else {
            self.num.div_rem(&(&self.den << s.unsigned_abs()))
        };
        let q = q.to_u128().expect("the quotient has at most 66 bits") | u128::from(!r.is_zero());
        // u128 to f64 rounds to nearest, ties to even; the scaling by a power
        // of two is exact wherever the result is a normal number.
        let e = (-s).clamp(-4000, 4000) as i32;
        libm::ldexp(q as f64, e)
    }
}

impl Default for Fraction {
    fn default() -> Self {
        Fraction::zero()
    }
}

impl fmt::Display for Fraction {
    /// `num/den`, or the whole number alone (`0`, `1`) when `den` is 1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den.is_one() {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl FromStr for Fraction {
    type Err = FractionError;

    /// Reads `num/den` or a whole number, digits only; the result is reduced.
    fn from_str(text: &str) -> Result<Fraction, FractionError> {
        let bad = || FractionError(text.to_string());
        let digits = |t: &str| {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            BigUint::parse_bytes(t.as_bytes(), 10)
        };
        let (num, den) = match text.split_once('/') {
            Some((a, b)) => (digits(a).ok_or_else(bad)?, digits(b).ok_or_else(bad)?),
            None => (digits(text).ok_or_else(bad)?, BigUint::one()),
        };
        Fraction::new(num, den).ok_or_else(bad)
    }
}

impl Ord for Fraction {
    fn cmp(&self, other: &Fraction) -> Ordering {
        (&self.num * &other.den).cmp(&(&other.num * &self.den))
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Fraction) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Add for &Fraction {
    type Output = Fraction;

    fn add(self, other: &Fraction) -> Fraction {
        Fraction::new(
            &self.num * &other.den + &other.num * &self.den,
            &self.den * &other.den,
        )
        .expect("a product of non-zero denominators is not zero")
    }
}

impl<'a> std::iter::Sum<&'a Fraction> for Fraction {
    fn sum<I: Iterator<Item = &'a Fraction>>(iter: I) -> Fraction {
        iter.fold(Fraction::zero(), |acc, x| &acc + x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frac(s: &str) -> Fraction {
        s.parse().unwrap()
    }

    #[test]
    fn reduced_and_printed_as_published() {
        assert_eq!(
            Fraction::from_u64(212, 1270).unwrap().to_string(),
            "106/635"
        );
        assert_eq!(Fraction::from_u64(0, 7).unwrap().to_string(), "0");
        assert_eq!(Fraction::from_u64(9, 9).unwrap().to_string(), "1");
        assert_eq!(Fraction::from_u64(10, 5).unwrap().to_string(), "2");
        assert_eq!(Fraction::from_u64(1, 0), None);
        assert_eq!(frac("6/4"), frac("3/2"));
        assert_eq!(frac("0/5"), Fraction::zero());
        for bad in [
            "", "/", "1/", "/2", "1/0", "-1/2", "1.5", " 1/2", "1/2/3", "+3",
        ] {
            assert!(bad.parse::<Fraction>().is_err(), "{bad:?}");
        }
        let e = "1/0".parse::<Fraction>().unwrap_err();
        assert!(e.to_string().contains("`1/0`"), "{e}");
    }

    #[test]
    fn ordered_and_added_exactly() {
        assert!(frac("1/3") < frac("34/100"));
        assert!(frac("2/6") == frac("1/3"));
        assert_eq!(&frac("1/3") + &frac("1/6"), frac("1/2"));
        let parts = [frac("421/2145"), frac("4/2145")];
        let total: Fraction = parts.iter().cycle().take(2).sum();
        assert_eq!(total, frac("425/2145"));
    }

    #[test]
    fn to_f64_of_small_fractions_is_the_division() {
        // Both parts exact in f64, so IEEE division is correctly rounded.
        for (a, b) in [
            (106u64, 635u64),
            (1, 3),
            (2, 3),
            (53, 1024),
            (421, 2145),
            (0, 1),
            (5, 1),
        ] {
            assert_eq!(
                Fraction::from_u64(a, b).unwrap().to_f64(),
                a as f64 / b as f64
            );
        }
        assert_eq!(frac("1/3").to_f64(), 1.0 / 3.0);
    }

    /// Exact value of a finite positive `f64` as numerator / power-of-two
    /// denominator.
    fn exact(x: f64) -> (BigUint, BigUint) {
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1 << 52) - 1);
        let (mant, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | 1 << 52, exp - 1075)
        };
        if e >= 0 {
            (BigUint::from(mant) << e as u64, BigUint::one())
        } else {
            (BigUint::from(mant), BigUint::one() << (-e) as u64)
        }
    }

    /// Whether `x` is a nearest `f64` to `num/den`: no closer than half the
    /// gap to either neighbour.
    fn is_nearest(x: f64, num: &BigUint, den: &BigUint) -> bool {
        let (xn, xd) = exact(x);
        // |num/den - xn/xd| = |num*xd - xn*den| / (den*xd)
        let a = num * &xd;
        let b = &xn * den;
        let err = if a > b { &a - &b } else { &b - &a };
        for y in [
            f64::from_bits(x.to_bits() + 1),
            f64::from_bits(x.to_bits() - 1),
        ] {
            let (yn, yd) = exact(y);
            // Gap |x - y| = |xn*yd - yn*xd| / (xd*yd); need err/(den*xd) <= gap/2.
            let p = &xn * &yd;
            let q = &yn * &xd;
            let gap = if p > q { &p - &q } else { &q - &p };
            // err * 2 * xd * yd <= gap * den * xd  <=>  err * 2 * yd <= gap * den
            if &err * 2u8 * &yd > gap * den {
                return false;
            }
        }
        true
    }

    #[test]
    fn to_f64_rounds_huge_fractions_to_nearest() {
        // Numerators and denominators of hundreds of digits, from a fixed
        // sequence: each result is a nearest double of the exact value.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state
        };
        let mut big = |limbs: usize| {
            let mut x = BigUint::zero();
            for _ in 0..limbs {
                x = (x << 64u8) + next();
            }
            x + 1u8
        };
        for round in 0..300 {
            let (num, den) = (big(1 + round % 13), big(1 + round % 11));
            let f = Fraction::new(num.clone(), den.clone()).unwrap();
            let x = f.to_f64();
            assert!(x.is_finite() && x > 0.0, "{f}");
            assert!(is_nearest(x, f.numer(), f.denom()), "{f} -> {x:e}");
        }
        // A value just above a tie between two doubles rounds up, just below
        // rounds down: 1 + 2^-53 ± 2^-2000.
        let one = BigUint::one() << 2000u32;
        let tie = &one + (BigUint::one() << 1947u32);
        let up = Fraction::new(&tie + 1u8, one.clone()).unwrap();
        let down = Fraction::new(&tie - 1u8, one.clone()).unwrap();
        let exact_tie = Fraction::new(tie, one).unwrap();
        assert_eq!(up.to_f64(), 1.0 + f64::EPSILON);
        assert_eq!(down.to_f64(), 1.0);
        assert_eq!(exact_tie.to_f64(), 1.0, "a tie goes to the even neighbour");
        // 1/3 with 600-digit parts; and beyond the range of f64.
        let k = BigUint::from(7u8).pow(700);
        assert_eq!(
            Fraction::new(k.clone(), &k * 3u8).unwrap().to_f64(),
            1.0 / 3.0
        );
        assert_eq!(
            Fraction::new(BigUint::one() << 1100u32, BigUint::one())
                .unwrap()
                .to_f64(),
            f64::INFINITY
        );
        assert_eq!(
            Fraction::new(BigUint::one(), BigUint::one() << 600u32)
                .unwrap()
                .to_f64(),
            2f64.powi(-600)
        );
    }
}
