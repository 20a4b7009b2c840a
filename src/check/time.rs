//! Virtual times written for people: `0s`, `250us`, `150ms`, `14.2s`, `2m30s`.

/// A virtual time (or duration) in microseconds, in the largest unit that keeps it
/// exact: `format_us(14_200_000) == "14.2s"`, `format_us(150_000) == "150ms"`.
///
/// ```
/// use otpsim::check::format_us;
/// assert_eq!(format_us(0), "0s");
/// assert_eq!(format_us(250), "250us");
/// assert_eq!(format_us(1_500), "1.5ms");
/// assert_eq!(format_us(14_200_000), "14.2s");
/// assert_eq!(format_us(150_000_000), "2m30s");
/// assert_eq!(format_us(3_600_000_000), "60m");
/// ```
pub fn format_us(us: u64) -> String {
    const MS: u64 = 1_000;
    const S: u64 = 1_000_000;
    const MIN: u64 = 60 * S;
    if us == 0 {
        return "0s".to_string();
    }
    if us % MIN == 0 {
        return format!("{}m", us / MIN);
    }
    if us > MIN && us % S == 0 {
        return format!("{}m{}s", us / MIN, (us % MIN) / S);
    }
    if us >= S {
        return format!("{}s", decimal(us, S));
    }
    if us >= MS {
        return format!("{}ms", decimal(us, MS));
    }
    format!("{us}us")
}

/// `value / unit` with the fraction's trailing zeros cut (`1.5`, `14.2`, `3`).
fn decimal(value: u64, unit: u64) -> String {
    let whole = value / unit;
    let frac = value % unit;
    if frac == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::format_us;

    #[test]
    fn keeps_every_digit() {
        assert_eq!(format_us(1), "1us");
        assert_eq!(format_us(1_000_001), "1.000001s");
        assert_eq!(format_us(59_999_999), "59.999999s");
        assert_eq!(format_us(61_500_000), "61.5s");
        assert_eq!(format_us(61_000_000), "1m1s");
        assert_eq!(format_us(1_000), "1ms");
        assert_eq!(format_us(u64::MAX), "18446744073709.551615s");
    }
}
