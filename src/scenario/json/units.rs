//! Durations as a scenario writes them (`"150ms"`, `"5s"`, `250`), read exactly into
//! microseconds.

use super::number::Number;
use std::fmt;

/// What a duration may look like, for "expected" messages.
pub const DURATION_FORMS: &str = "a duration: an integer number of milliseconds, or a string \
such as \"250us\", \"150ms\", \"1.5s\", \"2m\" or \"1h\"";

/// The units a duration string may end in, and their length in microseconds.
const UNITS: [(&str, u64); 7] = [
    ("us", 1),
    ("\u{b5}s", 1),
    ("\u{3bc}s", 1),
    ("ms", 1_000),
    ("s", 1_000_000),
    ("m", 60_000_000),
    ("h", 3_600_000_000),
];

/// Why a duration was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DurationError {
    /// Below zero.
    Negative,
    /// A number followed by something other than `us`, `µs`, `ms`, `s`, `m` or `h`.
    UnknownUnit(String),
    /// A string holding only a number: in a string the unit is required.
    MissingUnit,
    /// A fraction that does not come out as whole microseconds (`0.5us`).
    NotWholeMicros,
    /// More than `u64::MAX` microseconds.
    TooLarge,
    /// Not a duration at all.
    Invalid,
}

impl DurationError {
    /// The message for this error about `input`, as the user wrote it.
    pub fn message(&self, input: &str) -> String {
        let q = super::error::quoted(input);
        match self {
            DurationError::Negative => format!("negative duration {q}"),
            DurationError::UnknownUnit(u) => {
                format!("unknown unit {} in duration {q}", super::error::quoted(u))
            }
            DurationError::MissingUnit => format!("duration {q} has no unit"),
            DurationError::NotWholeMicros => {
                format!("duration {q} is not a whole number of microseconds")
            }
            DurationError::TooLarge => format!("duration {q} is too large"),
            DurationError::Invalid => format!("invalid duration {q}"),
        }
    }

    /// What would have been accepted.
    pub fn expected(&self) -> String {
        match self {
            DurationError::TooLarge => format!("at most {}us", u64::MAX),
            _ => DURATION_FORMS.to_string(),
        }
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DurationError::Negative => "negative duration",
            DurationError::UnknownUnit(_) => "unknown duration unit",
            DurationError::MissingUnit => "duration without a unit",
            DurationError::NotWholeMicros => "not a whole number of microseconds",
            DurationError::TooLarge => "duration too large",
            DurationError::Invalid => "invalid duration",
        })
    }
}

/// Reads a duration string: a decimal number then a unit (`us` or `µs`, `ms`, `s`, `m`,
/// `h`), no spaces, into microseconds. Fractions are accepted when exact.
///
/// ```
/// use otpsim::scenario::json::{parse_duration_us, DurationError};
/// assert_eq!(parse_duration_us("150ms"), Ok(150_000));
/// assert_eq!(parse_duration_us("1.5s"), Ok(1_500_000));
/// assert_eq!(parse_duration_us("2m"), Ok(120_000_000));
/// assert_eq!(parse_duration_us("0.5us"), Err(DurationError::NotWholeMicros));
/// assert_eq!(parse_duration_us("5d"), Err(DurationError::UnknownUnit("d".into())));
/// assert_eq!(parse_duration_us("-5s"), Err(DurationError::Negative));
/// ```
pub fn parse_duration_us(text: &str) -> Result<u64, DurationError> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let int_len = body.bytes().take_while(u8::is_ascii_digit).count();
    if int_len == 0 {
        return Err(DurationError::Invalid);
    }
    let (int, rest) = body.split_at(int_len);
    let (frac, unit) = match rest.strip_prefix('.') {
        Some(after) => {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return Err(DurationError::Invalid);
            }
            after.split_at(n)
        }
        None => ("", rest),
    };
    if unit.is_empty() {
        return Err(DurationError::MissingUnit);
    }
    let Some(&(_, unit_us)) = UNITS.iter().find(|(u, _)| *u == unit) else {
        let plausible = unit.chars().all(char::is_alphabetic) && unit.chars().count() <= 8;
        return Err(if plausible {
            DurationError::UnknownUnit(unit.to_string())
        } else {
            DurationError::Invalid
        });
    };
    signed(negative, exact_us(int, frac, 0, unit_us))
}

/// Reads a JSON number as a duration in milliseconds (`250` is 250 ms), into
/// microseconds. Fractions and exponents are accepted when exact (`2.5` is 2500 us).
pub(crate) fn number_duration_us(n: &Number) -> Result<u64, DurationError> {
    let lit = n.literal();
    let body = lit.trim_start_matches('-');
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], parse_exponent(&body[i + 1..])),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    signed(n.is_negative(), exact_us(int, frac, exp, 1_000))
}

/// Rejects a negative sign unless the magnitude is zero (`-0` is just zero).
fn signed(negative: bool, us: Result<u64, DurationError>) -> Result<u64, DurationError> {
    match us {
        Ok(v) if negative && v > 0 => Err(DurationError::Negative),
        Err(DurationError::NotWholeMicros | DurationError::TooLarge) if negative => {
            Err(DurationError::Negative)
        }
        other => other,
    }
}

/// An exponent's value, saturated far beyond anything that could still be exact.
fn parse_exponent(text: &str) -> i64 {
    let (neg, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut e: i64 = 0;
    for b in digits.bytes() {
        e = (e * 10 + i64::from(b - b'0')).min(1_000_000);
    }
    if neg {
        -e
    } else {
        e
    }
}

/// `int.frac × 10^exp × unit_us`, exactly, as whole microseconds.
fn exact_us(int: &str, frac: &str, exp: i64, unit_us: u64) -> Result<u64, DurationError> {
    // All digits as one significand, scaled by a power of ten.
    let mut scale = exp - frac.len() as i64;
    let joined = format!("{int}{frac}");
    let sig = joined.trim_start_matches('0');
    let trimmed = sig.trim_end_matches('0');
    scale += (sig.len() - trimmed.len()) as i64;
    if trimmed.is_empty() {
        return Ok(0);
    }
    // `trimmed` does not end in 0, so it lacks a factor 2 or a factor 5, and the largest
    // unit (3.6e9 = 2^10·3^2·5^8) supplies at most ten of the other: dividing by more
    // than 10^10 cannot come out whole.
    if scale < -10 {
        return Err(DurationError::NotWholeMicros);
    }
    // With scale >= -10, 39 or more digits mean at least 10^28 microseconds.
    if trimmed.len() > 38 || scale > 38 {
        return Err(DurationError::TooLarge);
    }
    let sig: u128 = trimmed.parse().map_err(|_| DurationError::Invalid)?;
    let product = sig
        .checked_mul(u128::from(unit_us))
        .ok_or(DurationError::TooLarge)?;
    let us = if scale >= 0 {
        product
            .checked_mul(10u128.pow(scale as u32))
            .ok_or(DurationError::TooLarge)?
    } else {
        let div = 10u128.pow((-scale) as u32);
        if product % div != 0 {
            return Err(DurationError::NotWholeMicros);
        }
        product / div
    };
    u64::try_from(us).map_err(|_| DurationError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_scales_to_microseconds() {
        assert_eq!(parse_duration_us("250us"), Ok(250));
        assert_eq!(parse_duration_us("250\u{b5}s"), Ok(250));
        assert_eq!(parse_duration_us("250\u{3bc}s"), Ok(250));
        assert_eq!(parse_duration_us("150ms"), Ok(150_000));
        assert_eq!(parse_duration_us("5s"), Ok(5_000_000));
        assert_eq!(parse_duration_us("2m"), Ok(120_000_000));
        assert_eq!(parse_duration_us("1h"), Ok(3_600_000_000));
        assert_eq!(parse_duration_us("0s"), Ok(0));
        assert_eq!(parse_duration_us("007ms"), Ok(7_000));
    }

    #[test]
    fn fractions_must_be_exact() {
        assert_eq!(parse_duration_us("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration_us("0.001ms"), Ok(1));
        assert_eq!(
            parse_duration_us("0.0001ms"),
            Err(DurationError::NotWholeMicros)
        );
        assert_eq!(
            parse_duration_us("1.50000000000000000000000000s"),
            Ok(1_500_000)
        );
        assert_eq!(
            parse_duration_us("0.0000000000000000000000000001h"),
            Err(DurationError::NotWholeMicros)
        );
        assert_eq!(
            parse_duration_us("0.0000000001h"),
            Err(DurationError::NotWholeMicros)
        );
        assert_eq!(
            parse_duration_us("0.000000001h"),
            Err(DurationError::NotWholeMicros)
        );
        // 1/3600 h is exactly 1 s, but not writable in decimal; 1/1000 h is 3.6 s.
        assert_eq!(parse_duration_us("0.001h"), Ok(3_600_000));
        assert_eq!(parse_duration_us("1."), Err(DurationError::Invalid));
    }

    #[test]
    fn malformed_durations_say_why() {
        assert_eq!(parse_duration_us("-5s"), Err(DurationError::Negative));
        assert_eq!(parse_duration_us("-0s"), Ok(0));
        assert_eq!(parse_duration_us("150"), Err(DurationError::MissingUnit));
        assert_eq!(
            parse_duration_us("5d"),
            Err(DurationError::UnknownUnit("d".into()))
        );
        assert_eq!(parse_duration_us("5 s"), Err(DurationError::Invalid));
        assert_eq!(parse_duration_us(""), Err(DurationError::Invalid));
        assert_eq!(parse_duration_us("s"), Err(DurationError::Invalid));
        assert_eq!(parse_duration_us("+5s"), Err(DurationError::Invalid));
        assert_eq!(parse_duration_us(".5s"), Err(DurationError::Invalid));
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        assert_eq!(parse_duration_us("18446744073709551615us"), Ok(u64::MAX));
        assert_eq!(
            parse_duration_us("18446744073709551616us"),
            Err(DurationError::TooLarge)
        );
        assert_eq!(
            parse_duration_us("5124095577h"),
            Err(DurationError::TooLarge)
        );
        let huge = format!("{}h", "9".repeat(100));
        assert_eq!(parse_duration_us(&huge), Err(DurationError::TooLarge));
    }

    #[test]
    fn numbers_are_milliseconds() {
        let n = |s: &str| number_duration_us(&Number::new(s.to_string()));
        assert_eq!(n("250"), Ok(250_000));
        assert_eq!(n("2.5"), Ok(2_500));
        assert_eq!(n("1e3"), Ok(1_000_000));
        assert_eq!(n("1E-3"), Ok(1));
        assert_eq!(n("1e-4"), Err(DurationError::NotWholeMicros));
        assert_eq!(n("-1"), Err(DurationError::Negative));
        assert_eq!(n("-0"), Ok(0));
        assert_eq!(n("0e999999999999999"), Ok(0));
        assert_eq!(n("1e999999999999999"), Err(DurationError::TooLarge));
        assert_eq!(n("1e-999999999999999"), Err(DurationError::NotWholeMicros));
        assert_eq!(n("-1e-9"), Err(DurationError::Negative));
    }
}
