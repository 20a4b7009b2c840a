//! Latency distributions, and the deterministic sampling models draw with: IEEE
//! `+ - * /` only, so the same seed gives the same draws on every platform.

use super::{duration_json, read_duration_us};
use crate::kernel::rng::Stream;
use crate::scenario::json::{self, LoadError, Reader};
use rand_core::RngCore;
use serde_json::{json, Value};

/// A latency distribution, in microseconds. Written in JSON as a duration (fixed), or
/// `{"dist": "fixed", "value": D}`, `{"dist": "uniform", "min": D, "max": D}`,
/// `{"dist": "exponential", "mean": D}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latency {
    /// Always the same.
    Fixed(u64),
    /// Uniform over `min_us..=max_us`.
    Uniform {
        /// The shortest.
        min_us: u64,
        /// The longest.
        max_us: u64,
    },
    /// Exponential with this mean (memoryless service times).
    Exponential {
        /// The mean.
        mean_us: u64,
    },
}

const DISTS: [&str; 3] = ["fixed", "uniform", "exponential"];

impl Latency {
    /// Reads a distribution (see the type's documentation).
    pub fn read(r: &Reader<'_>) -> Result<Latency, LoadError> {
        let o = match r.node().value() {
            json::Value::Object(_) => r.expect_object()?,
            json::Value::String(_) | json::Value::Number(_) => return read_duration_us(r).map(Latency::Fixed),
            _ => {
                return Err(r.wrong_type(
                    "a duration, or an object such as {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"5ms\"}",
                ))
            }
        };
        let dist = o.required("dist")?.one_of(&DISTS)?;
        let fields: &[&str] = match dist {
            "fixed" => &["dist", "value"],
            "uniform" => &["dist", "min", "max"],
            _ => &["dist", "mean"],
        };
        o.deny_unknown_fields(fields)?;
        let get = |key: &str| o.required(key).and_then(|v| read_duration_us(&v));
        Ok(match dist {
            "fixed" => Latency::Fixed(get("value")?),
            "uniform" => {
                let (min_us, max_us) = (get("min")?, get("max")?);
                if min_us > max_us {
                    return Err(o
                        .as_reader()
                        .error_expected("`min` is above `max`", "min <= max"));
                }
                Latency::Uniform { min_us, max_us }
            }
            _ => Latency::Exponential {
                mean_us: get("mean")?,
            },
        })
    }

    /// The distribution as scenario JSON, in its object form.
    pub fn to_json(&self) -> Value {
        match *self {
            Latency::Fixed(us) => json!({"dist": "fixed", "value": duration_json(us)}),
            Latency::Uniform { min_us, max_us } => {
                json!({"dist": "uniform", "min": duration_json(min_us), "max": duration_json(max_us)})
            }
            Latency::Exponential { mean_us } => {
                json!({"dist": "exponential", "mean": duration_json(mean_us)})
            }
        }
    }

    /// One sample. A fixed latency draws nothing from the stream.
    pub fn sample(&self, rng: &mut Stream) -> u64 {
        match *self {
            Latency::Fixed(us) => us,
            Latency::Uniform { min_us, max_us } => {
                // Bounded by MAX_DURATION_US, so the span cannot overflow; the modulo
                // bias over 2^64 is far below anything a run could observe.
                min_us + rng.next_u64() % (max_us - min_us + 1)
            }
            Latency::Exponential { mean_us } => exponential_us(rng, mean_us),
        }
    }
}

pub use crate::kernel::rng::{chance, unit};

/// An exponential draw with mean `mean_us`, by inversion: `-mean * ln(U)`, `U` in
/// `(0, 1]`. At most about 37 times the mean (`U` is never below 2^-53).
pub fn exponential_us(rng: &mut Stream, mean_us: u64) -> u64 {
    let u = 1.0 - unit(rng);
    (-(mean_us as f64) * ln(u)) as u64
}

/// The natural logarithm of `x > 0`, computed with `+ - * /` only so every platform
/// gets the same bits (libm's `ln` may differ in the last place between platforms).
/// `x` is split into `m * 2^k` with `m` in `[sqrt(1/2), sqrt(2))`, and `ln(m)` summed
/// from the series `2 * atanh((m - 1) / (m + 1))`. Non-positive or subnormal `x` is
/// taken as the smallest normal number.
pub fn ln(x: f64) -> f64 {
    let x = if x >= f64::MIN_POSITIVE {
        x
    } else {
        f64::MIN_POSITIVE
    };
    let bits = x.to_bits();
    let mut k = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        k += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let (mut power, mut sum) = (s, 0.0);
    // |s| <= 0.172, so s^2 <= 0.0295 and 16 terms leave an error below 1e-24.
    for i in 0..16 {
        sum += power / f64::from(2 * i + 1);
        power *= s2;
    }
    2.0 * sum + k as f64 * std::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::rng::stream;
    use crate::scenario::json::Document;

    #[test]
    fn ln_matches_the_platform_ln_closely() {
        for x in [
            1e-16,
            2f64.powi(-53),
            0.001,
            0.1,
            0.5,
            0.7,
            0.71,
            0.9,
            0.999999,
            1.0,
            3.5,
            1e6,
        ] {
            let (ours, std) = (ln(x), x.ln());
            assert!(
                (ours - std).abs() <= 1e-14 * std.abs().max(1.0),
                "{x}: {ours} vs {std}"
            );
        }
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(0.0).is_finite(), "clamped, not -inf");
    }

    #[test]
    fn samples_stay_in_range_and_have_about_the_mean() {
        let mut rng = stream(3, "t");
        let u = Latency::Uniform {
            min_us: 10,
            max_us: 20,
        };
        assert!((0..1000).all(|_| (10..=20).contains(&u.sample(&mut rng))));
        let e = Latency::Exponential { mean_us: 1_000 };
        let total: u64 = (0..20_000).map(|_| e.sample(&mut rng)).sum();
        let mean = total / 20_000;
        assert!((900..=1100).contains(&mean), "mean {mean}");
        assert_eq!(Latency::Fixed(7).sample(&mut rng), 7);
        assert!(
            (0..100).all(|_| chance(&mut rng, 1.0)) && (0..100).all(|_| !chance(&mut rng, 0.0))
        );
    }

    #[test]
    fn latency_reads_every_form_and_round_trips() {
        let cases = [
            (r#""5ms""#, Latency::Fixed(5_000)),
            (r#"{"dist": "fixed", "value": 2}"#, Latency::Fixed(2_000)),
            (
                r#"{"dist": "uniform", "min": "1ms", "max": "3ms"}"#,
                Latency::Uniform {
                    min_us: 1_000,
                    max_us: 3_000,
                },
            ),
            (
                r#"{"dist": "exponential", "mean": "250us"}"#,
                Latency::Exponential { mean_us: 250 },
            ),
        ];
        for (text, want) in cases {
            let doc = Document::parse("l.json", text).unwrap();
            assert_eq!(Latency::read(&doc.reader()), Ok(want));
            let again = Document::parse("l.json", &want.to_json().to_string()).unwrap();
            assert_eq!(Latency::read(&again.reader()), Ok(want));
        }
        let bad = [
            (
                r#"{"dist": "uniform", "min": "3ms", "max": "1ms"}"#,
                "l.json:1:1: at $: `min` is above `max`",
            ),
            (
                r#"{"dist": "fixed", "mean": "3ms"}"#,
                "l.json:1:19: at $.mean: unknown field `mean`",
            ),
            (
                r#"{"dist": "normal"}"#,
                "l.json:1:10: at $.dist: unknown dist `normal`",
            ),
            (r#"true"#, "l.json:1:1: at $: found true"),
        ];
        for (text, want) in bad {
            let doc = Document::parse("l.json", text).unwrap();
            let err = Latency::read(&doc.reader()).unwrap_err().to_string();
            assert!(err.starts_with(want), "{err}");
        }
    }
}
