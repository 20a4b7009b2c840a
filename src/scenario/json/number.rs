//! JSON numbers kept as written, read as integers or floats on demand.

use std::fmt;

/// A JSON number as it appears in the text (`42`, `-7`, `1.5e3`).
///
/// The literal is kept rather than converted at parse time, so a count can demand an
/// exact integer (`3.0` and `1e3` are not integers here) and an out-of-range value is
/// reported instead of being rounded or clamped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number {
    literal: String,
}

/// Why a number could not be read as the type asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// It has a fraction or an exponent, and an integer was asked for.
    NotAnInteger,
    /// It is below zero, and an unsigned integer was asked for.
    Negative,
    /// It is above the largest value of the type asked for.
    TooLarge,
    /// It is below the smallest value of the type asked for.
    TooSmall,
    /// It is beyond the range of a 64-bit float (`1e400`).
    NotFinite,
}

impl Number {
    /// Wraps a literal the parser has checked against the JSON number grammar.
    pub(crate) fn new(literal: String) -> Number {
        Number { literal }
    }

    /// The number exactly as written.
    pub fn literal(&self) -> &str {
        &self.literal
    }

    /// True if the literal has neither a fraction nor an exponent.
    pub fn is_integer(&self) -> bool {
        !self
            .literal
            .bytes()
            .any(|b| matches!(b, b'.' | b'e' | b'E'))
    }

    /// True if the literal starts with `-` (including `-0`).
    pub fn is_negative(&self) -> bool {
        self.literal.starts_with('-')
    }

    /// The magnitude of an integer literal, or `None` if it exceeds `u64`.
    fn magnitude(&self) -> Result<Option<u64>, NumberError> {
        if !self.is_integer() {
            return Err(NumberError::NotAnInteger);
        }
        let digits = self.literal.trim_start_matches('-');
        let mut acc: u64 = 0;
        for b in digits.bytes() {
            let d = u64::from(b.wrapping_sub(b'0'));
            match acc.checked_mul(10).and_then(|a| a.checked_add(d)) {
                Some(a) => acc = a,
                None => return Ok(None),
            }
        }
        Ok(Some(acc))
    }

    /// The number as a `u64`: an integer literal from 0 to `u64::MAX` (`-0` is 0).
    ///
    /// ```
    /// # use otpsim::scenario::json::{Document, NumberError};
    /// let doc = Document::parse("x.json", "[7, -1, 2.0, 18446744073709551616]").unwrap();
    /// let n: Vec<_> = doc.root().value().as_array().unwrap().iter()
    ///     .map(|v| v.value().as_number().unwrap().as_u64()).collect();
    /// assert_eq!(n, [Ok(7), Err(NumberError::Negative), Err(NumberError::NotAnInteger),
    ///                Err(NumberError::TooLarge)]);
    /// ```
    pub fn as_u64(&self) -> Result<u64, NumberError> {
        match (self.is_negative(), self.magnitude()?) {
            (_, Some(0)) => Ok(0),
            (true, _) => Err(NumberError::Negative),
            (false, Some(m)) => Ok(m),
            (false, None) => Err(NumberError::TooLarge),
        }
    }

    /// The number as an `i64`: an integer literal from `i64::MIN` to `i64::MAX`.
    pub fn as_i64(&self) -> Result<i64, NumberError> {
        let neg = self.is_negative();
        match self.magnitude()? {
            None if neg => Err(NumberError::TooSmall),
            None => Err(NumberError::TooLarge),
            Some(m) if neg => {
                if m <= i64::MIN.unsigned_abs() {
                    Ok(0i64.wrapping_sub_unsigned(m))
                } else {
                    Err(NumberError::TooSmall)
                }
            }
            Some(m) => i64::try_from(m).map_err(|_| NumberError::TooLarge),
        }
    }

    /// The number as the nearest `f64`; an error only if it is beyond the range of
    /// `f64` (tiny numbers such as `1e-400` round to zero, as in every JSON reader).
    pub fn as_f64(&self) -> Result<f64, NumberError> {
        match self.literal.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(f),
            _ => Err(NumberError::NotFinite),
        }
    }

    /// The number as serde_json would have parsed it: `u64`, else `i64`, else `f64`
    /// (`-0` is the float `-0.0`, as serde_json makes it).
    pub(crate) fn to_serde_json(&self) -> Option<serde_json::Number> {
        if self.is_integer() {
            if self.is_negative() && self.magnitude() == Ok(Some(0)) {
                return serde_json::Number::from_f64(-0.0);
            }
            if let Ok(u) = self.as_u64() {
                return Some(u.into());
            }
            if let Ok(i) = self.as_i64() {
                return Some(i.into());
            }
        }
        serde_json::Number::from_f64(self.as_f64().ok()?)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.literal)
    }
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NumberError::NotAnInteger => "not an integer",
            NumberError::Negative => "negative",
            NumberError::TooLarge => "too large",
            NumberError::TooSmall => "too small",
            NumberError::NotFinite => "beyond the range of a 64-bit float",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::new(s.to_string())
    }

    #[test]
    fn unsigned_integers_are_exact_and_overflow_is_reported() {
        assert_eq!(n("0").as_u64(), Ok(0));
        assert_eq!(n("-0").as_u64(), Ok(0));
        assert_eq!(n("18446744073709551615").as_u64(), Ok(u64::MAX));
        assert_eq!(
            n("18446744073709551616").as_u64(),
            Err(NumberError::TooLarge)
        );
        assert_eq!(n("-1").as_u64(), Err(NumberError::Negative));
        assert_eq!(
            n("-99999999999999999999").as_u64(),
            Err(NumberError::Negative)
        );
        assert_eq!(n("1.0").as_u64(), Err(NumberError::NotAnInteger));
        assert_eq!(n("1e3").as_u64(), Err(NumberError::NotAnInteger));
    }

    #[test]
    fn signed_integers_cover_the_whole_range() {
        assert_eq!(n("-9223372036854775808").as_i64(), Ok(i64::MIN));
        assert_eq!(
            n("-9223372036854775809").as_i64(),
            Err(NumberError::TooSmall)
        );
        assert_eq!(n("9223372036854775807").as_i64(), Ok(i64::MAX));
        assert_eq!(
            n("9223372036854775808").as_i64(),
            Err(NumberError::TooLarge)
        );
        assert_eq!(
            n("-99999999999999999999").as_i64(),
            Err(NumberError::TooSmall)
        );
        assert_eq!(n("-5").as_i64(), Ok(-5));
        assert_eq!(n("2.5").as_i64(), Err(NumberError::NotAnInteger));
    }

    #[test]
    fn floats_reject_only_infinity() {
        assert_eq!(n("1.5e3").as_f64(), Ok(1500.0));
        assert_eq!(n("-0.25").as_f64(), Ok(-0.25));
        assert_eq!(n("1e-400").as_f64(), Ok(0.0));
        assert_eq!(n("1e400").as_f64(), Err(NumberError::NotFinite));
        assert_eq!(n("-1e400").as_f64(), Err(NumberError::NotFinite));
    }

    #[test]
    fn serde_json_conversion_follows_serde_json() {
        let same = |s: &str| {
            let theirs: serde_json::Value = serde_json::from_str(s).unwrap();
            assert_eq!(
                n(s).to_serde_json().map(serde_json::Value::Number),
                Some(theirs),
                "{s}"
            );
        };
        for s in [
            "0",
            "-0",
            "7",
            "-7",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775809",
            "1.5",
            "1E2",
        ] {
            same(s);
        }
        assert_eq!(n("1e400").to_serde_json(), None);
    }
}
