//! Fixed-width unsigned integers for the counting tables: `L` little-endian
//! 64-bit limbs, added and subtracted modulo 2^(64·L).
//!
//! The tables of [`super::counting`] hold numbers of coalitions, which reach
//! 2^n for n members: more than any machine word once n passes 64, yet small
//! enough that a fixed number of limbs, chosen from n before counting, always
//! holds them. Every true value fits, so arithmetic modulo 2^(64·L) gives the
//! exact result even where an intermediate step of a subtraction would be
//! negative. Only addition and subtraction happen in the hot loops; the results
//! leave as [`BigUint`] for the exact fractions.

use num_bigint::BigUint;

/// An unsigned integer of `L` 64-bit limbs, least significant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wide<const L: usize>(pub [u64; L]);

impl<const L: usize> Default for Wide<L> {
    fn default() -> Self {
        Wide::ZERO
    }
}

impl<const L: usize> Wide<L> {
    /// Zero.
    pub const ZERO: Wide<L> = Wide([0; L]);

    /// The number `x`.
    pub fn from_u64(x: u64) -> Wide<L> {
        let mut w = Wide::ZERO;
        w.0[0] = x;
        w
    }

    /// `self += other`, modulo 2^(64·L).
    #[inline(always)]
    pub fn add_assign(&mut self, other: &Wide<L>) {
        if L == 1 {
            // One limb: no carry to pass on (and far less work unoptimized).
            self.0[0] = self.0[0].wrapping_add(other.0[0]);
            return;
        }
        let mut carry = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            let (s, c1) = a.overflowing_add(*b);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *a = s;
            carry = c1 | c2;
        }
    }

    /// `a - b`, modulo 2^(64·L).
    #[inline(always)]
    pub fn difference(a: &Wide<L>, b: &Wide<L>) -> Wide<L> {
        if L == 1 {
            let mut out = [0u64; L];
            out[0] = a.0[0].wrapping_sub(b.0[0]);
            return Wide(out);
        }
        let mut out = [0u64; L];
        let mut borrow = false;
        for ((o, x), y) in out.iter_mut().zip(&a.0).zip(&b.0) {
            let (d, b1) = x.overflowing_sub(*y);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *o = d;
            borrow = b1 | b2;
        }
        Wide(out)
    }

    /// The same number as a [`BigUint`].
    pub fn to_biguint(&self) -> BigUint {
        let bytes: Vec<u8> = self.0.iter().flat_map(|l| l.to_le_bytes()).collect();
        BigUint::from_bytes_le(&bytes)
    }
}

/// Limbs needed to hold every number below 2^`bits`.
pub fn limbs_for(bits: usize) -> usize {
    bits.div_ceil(64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_and_borrows_cross_limbs() {
        let mut a = Wide::<3>([u64::MAX, u64::MAX, 0]);
        a.add_assign(&Wide::from_u64(1));
        assert_eq!(a, Wide([0, 0, 1]));
        assert_eq!(a.to_biguint(), BigUint::from(1u8) << 128);
        let b = Wide::difference(&a, &Wide::from_u64(1));
        assert_eq!(b, Wide([u64::MAX, u64::MAX, 0]));
        // Below zero wraps around; adding back restores the value exactly.
        let mut c = Wide::difference(&Wide::from_u64(2), &Wide::from_u64(5));
        assert_eq!(c, Wide([u64::MAX - 2, u64::MAX, u64::MAX]));
        c.add_assign(&Wide::from_u64(10));
        assert_eq!(c, Wide::from_u64(7));
    }

    #[test]
    fn agrees_with_big_integers() {
        // Powers of three in four limbs, added and subtracted as big integers.
        let mut x = Wide::<4>::from_u64(1);
        let mut big = BigUint::from(1u8);
        for _ in 0..150 {
            let before = x;
            x.add_assign(&before);
            x.add_assign(&before);
            big = &big * 3u8;
            assert_eq!(x.to_biguint(), big);
            assert_eq!(Wide::difference(&x, &before).to_biguint(), &big * 2u8 / 3u8);
        }
        assert!(big.bits() <= 256);
    }

    #[test]
    fn limb_counts() {
        assert_eq!(limbs_for(0), 1);
        assert_eq!(limbs_for(64), 1);
        assert_eq!(limbs_for(65), 2);
        assert_eq!(limbs_for(512), 8);
    }
}
