//! Exact fractions of a cycle, so that events land where TidalCycles puts them (`1/3` stays
//! a third, not 0.333…). Arithmetic is checked: a pattern too fine to count in 64-bit
//! numerators is refused instead of overflowing.
//!
//! Runs on the control thread. Plain data.

use std::cmp::Ordering;
use std::fmt;

/// A reduced fraction with a positive denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frac {
    /// Numerator.
    pub n: i64,
    /// Denominator, always positive.
    pub d: i64,
}

/// The arithmetic left 64-bit range (the pattern is too fine).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow;

pub(crate) fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Frac {
    /// Zero.
    pub const ZERO: Frac = Frac { n: 0, d: 1 };
    /// One whole cycle.
    pub const ONE: Frac = Frac { n: 1, d: 1 };

    /// A whole number.
    pub const fn int(n: i64) -> Frac {
        Frac { n, d: 1 }
    }

    /// `n/d` reduced; `None` for a zero denominator or overflow.
    pub fn new(n: i64, d: i64) -> Option<Frac> {
        Self::from_wide(i128::from(n), i128::from(d)).ok()
    }

    fn from_wide(n: i128, d: i128) -> Result<Frac, Overflow> {
        if d == 0 {
            return Err(Overflow);
        }
        let g = gcd(n, d).max(1);
        let (mut n, mut d) = (n / g, d / g);
        if d < 0 {
            (n, d) = (-n, -d);
        }
        Ok(Frac {
            n: i64::try_from(n).map_err(|_| Overflow)?,
            d: i64::try_from(d).map_err(|_| Overflow)?,
        })
    }

    /// `self + o`.
    pub fn plus(self, o: Frac) -> Result<Frac, Overflow> {
        let (a, b, c, d) = self.wide(o);
        Self::from_wide(a * d + c * b, b * d)
    }

    /// `self - o`.
    pub fn minus(self, o: Frac) -> Result<Frac, Overflow> {
        let (a, b, c, d) = self.wide(o);
        Self::from_wide(a * d - c * b, b * d)
    }

    /// `self × o`.
    pub fn times(self, o: Frac) -> Result<Frac, Overflow> {
        let (a, b, c, d) = self.wide(o);
        Self::from_wide(a * c, b * d)
    }

    /// `self ÷ o` (overflow for a zero divisor).
    pub fn over(self, o: Frac) -> Result<Frac, Overflow> {
        let (a, b, c, d) = self.wide(o);
        Self::from_wide(a * d, b * c)
    }

    fn wide(self, o: Frac) -> (i128, i128, i128, i128) {
        (
            i128::from(self.n),
            i128::from(self.d),
            i128::from(o.n),
            i128::from(o.d),
        )
    }

    /// The largest whole number not above the fraction (its cycle).
    pub fn floor(self) -> i64 {
        self.n.div_euclid(self.d)
    }

    /// The fraction as a float (for display and probabilities only).
    pub fn to_f64(self) -> f64 {
        self.n as f64 / self.d as f64
    }

    /// True for a fraction above zero.
    pub fn is_positive(self) -> bool {
        self.n > 0
    }

    /// A decimal as typed (`1.5`, `0.25`, `3`), exactly.
    pub fn parse_decimal(text: &str) -> Option<Frac> {
        let (whole, part) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() && part.is_empty() || part.len() > 9 || whole.len() > 9 {
            return None;
        }
        let digits = |s: &str| s.is_empty() || s.chars().all(|c| c.is_ascii_digit());
        if !digits(whole) || !digits(part) {
            return None;
        }
        let w: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let p: i64 = if part.is_empty() {
            0
        } else {
            part.parse().ok()?
        };
        let scale = 10i64.pow(part.len() as u32);
        Frac::new(w * scale + p, scale)
    }
}

impl PartialOrd for Frac {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Frac {
    fn cmp(&self, o: &Self) -> Ordering {
        let (a, b, c, d) = self.wide(*o);
        (a * d).cmp(&(c * b))
    }
}

impl fmt::Display for Frac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.d == 1 {
            write!(f, "{}", self.n)
        } else {
            write!(f, "{}/{}", self.n, self.d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_reduce_and_compare_exactly() {
        let third = Frac::new(2, 6).expect("a fraction");
        assert_eq!(third, Frac { n: 1, d: 3 });
        assert_eq!(third.plus(third).and_then(|t| t.plus(third)), Ok(Frac::ONE));
        assert!(Frac::new(1, 3) < Frac::new(34, 100));
        assert_eq!(Frac::new(-1, 2).map(Frac::floor), Some(-1));
        assert_eq!(Frac::parse_decimal("1.5"), Frac::new(3, 2));
        assert_eq!(Frac::parse_decimal("x"), None);
        assert_eq!(Frac::ONE.over(Frac::ZERO), Err(Overflow));
    }
}
