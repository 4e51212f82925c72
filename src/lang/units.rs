//! Units in phrases (`ms`, `kHz`, `dB`, `%`, `beats`, note values like `3/8`) and the
//! conversion of a typed quantity into a parameter's own unit, absolute or as a step.
//!
//! Runs on the control thread. Pure functions.

use crate::engine::params::{format_decimal, ParamSpec, Unit};
use std::ops::Range;

/// A unit written in a phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnitWord {
    Hz,
    KHz,
    /// `k` after a number: thousands (`1.2k` = 1200).
    Kilo,
    Ms,
    Seconds,
    Micros,
    Percent,
    Db,
    Bpm,
    Beats,
    Bars,
    Cents,
    Semitones,
}

/// Every unit word, for completion and suggestions.
pub const UNIT_WORDS: &[&str] = &[
    "hz",
    "hertz",
    "khz",
    "k",
    "ms",
    "msec",
    "millisecond",
    "millis",
    "msecs",
    "kilohertz",
    "milliseconds",
    "s",
    "sec",
    "secs",
    "second",
    "seconds",
    "us",
    "µs",
    "microseconds",
    "%",
    "percent",
    "pct",
    "db",
    "decibel",
    "decibels",
    "bpm",
    "beat",
    "beats",
    "bar",
    "bars",
    "cent",
    "cents",
    "ct",
    "st",
    "semi",
    "semis",
];

impl UnitWord {
    /// The unit a (lower-case) word or suffix names.
    pub(crate) fn from_word(w: &str) -> Option<UnitWord> {
        Some(match w {
            "hz" | "hertz" => UnitWord::Hz,
            "khz" | "kilohertz" => UnitWord::KHz,
            "k" => UnitWord::Kilo,
            "ms" | "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" => UnitWord::Ms,
            "s" | "sec" | "secs" | "second" | "seconds" => UnitWord::Seconds,
            "us" | "µs" | "μs" | "microseconds" => UnitWord::Micros,
            "%" | "percent" | "pct" => UnitWord::Percent,
            "db" | "decibel" | "decibels" => UnitWord::Db,
            "bpm" => UnitWord::Bpm,
            "beat" | "beats" => UnitWord::Beats,
            "bar" | "bars" => UnitWord::Bars,
            "cent" | "cents" | "ct" => UnitWord::Cents,
            "st" | "semi" | "semis" => UnitWord::Semitones,
            _ => return None,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            UnitWord::Hz | UnitWord::KHz | UnitWord::Kilo => "a frequency",
            UnitWord::Ms | UnitWord::Seconds | UnitWord::Micros => "a time",
            UnitWord::Beats | UnitWord::Bars => "a musical length",
            UnitWord::Percent => "a percentage",
            UnitWord::Db => "a level in dB",
            UnitWord::Bpm => "a tempo",
            UnitWord::Cents | UnitWord::Semitones => "a pitch interval",
        }
    }
}

/// A number as typed, with its unit. Interval words become semitones (`an octave` = 12 st).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Quantity {
    pub value: f64,
    pub unit: Option<UnitWord>,
    /// Written as `n/d`: a note value (of a whole note = 4 beats) for times.
    pub note_value: bool,
    pub span: Range<usize>,
}

/// Why a quantity does not fit a parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ValueError {
    pub message: String,
    pub expected: String,
    pub suggestion: Option<String>,
}

/// What a parameter accepts, for error messages.
pub(crate) fn expected_for(spec: &ParamSpec) -> String {
    match spec.unit {
        Unit::Hz => "a frequency (Hz, kHz such as 1.2k, or a note such as A3)".into(),
        Unit::Seconds => "a time (ms, s, beats, bars, or a note value such as 3/8)".into(),
        Unit::Fraction => "a number from 0 to 1 or a percentage".into(),
        Unit::Db => "a level in dB".into(),
        Unit::Bpm => "a tempo in bpm".into(),
        Unit::Cents => "cents or semitones".into(),
        Unit::Choice => format!("one of {}", spec.choices.join(", ")),
        Unit::Ratio => format!(
            "a number from {} to {}",
            fmt(f64::from(spec.min)),
            fmt(f64::from(spec.max))
        ),
        Unit::Count => format!(
            "a whole number from {} to {}",
            fmt(f64::from(spec.min)),
            fmt(f64::from(spec.max))
        ),
    }
}

fn wrong_unit(spec: &ParamSpec, unit: UnitWord) -> ValueError {
    ValueError {
        message: format!(
            "{} takes {}, not {}",
            spec.name,
            expected_for(spec).split(" (").next().unwrap_or(""),
            unit.describe()
        ),
        expected: expected_for(spec),
        suggestion: None,
    }
}

fn seconds_per_beat(tempo: f32) -> f64 {
    60.0 / f64::from(tempo.max(1.0))
}

/// The absolute value (in the parameter's unit, unclamped) that `q` means for `spec`.
/// `canonical`: the parameter was named `module.param`, so a bare number is in its own unit.
pub(crate) fn absolute(
    spec: &ParamSpec,
    q: &Quantity,
    tempo: f32,
    canonical: bool,
) -> Result<f32, ValueError> {
    let v = q.value;
    let beat = seconds_per_beat(tempo);
    let out = match (spec.unit, q.unit) {
        (Unit::Seconds, None) if q.note_value => v * 4.0 * beat,
        // Fractions of a bar (`arp rate 1/16`, `delay sync 3/8`) and plain ratios.
        (Unit::Fraction, None) if q.note_value && spec.help.contains("fraction of a 4/4 bar") => v,
        (_, None) if q.note_value => {
            return Err(ValueError {
                message: format!("{} does not take a note value", spec.name),
                expected: expected_for(spec),
                suggestion: None,
            })
        }
        (Unit::Hz, None | Some(UnitWord::Hz)) => v,
        (Unit::Hz, Some(UnitWord::KHz | UnitWord::Kilo)) => v * 1000.0,
        (Unit::Seconds, None) if canonical || v == 0.0 => v,
        (Unit::Seconds, None) => {
            let guess = if v > 2.0 { "ms" } else { "s" };
            return Err(ValueError {
                message: format!("a time needs a unit: {} ms or {} s?", fmt(v), fmt(v)),
                expected: expected_for(spec),
                suggestion: Some(format!("{} {guess}", fmt(v))),
            });
        }
        (Unit::Seconds, Some(UnitWord::Ms)) => v / 1000.0,
        (Unit::Seconds, Some(UnitWord::Seconds)) => v,
        (Unit::Seconds, Some(UnitWord::Micros)) => v / 1e6,
        (Unit::Seconds, Some(UnitWord::Beats)) => v * beat,
        (Unit::Seconds, Some(UnitWord::Bars)) => v * 4.0 * beat,
        (Unit::Fraction, None) if canonical || v <= 1.0 => v,
        (Unit::Fraction, None) => {
            return Err(ValueError {
                message: format!("{} goes from 0 to 1", spec.name),
                expected: expected_for(spec),
                suggestion: Some(format!("{}%", fmt(v))),
            })
        }
        (Unit::Fraction, Some(UnitWord::Percent)) => v / 100.0,
        (Unit::Db, None | Some(UnitWord::Db)) => v,
        (Unit::Db, Some(UnitWord::Percent)) => {
            if v <= 0.0 {
                f64::from(spec.min)
            } else {
                20.0 * (v / 100.0).log10()
            }
        }
        (Unit::Bpm, None | Some(UnitWord::Bpm)) => v,
        (Unit::Count, None) => v.round(),
        (Unit::Ratio, None) => v,
        (Unit::Cents, None | Some(UnitWord::Cents)) => v,
        (Unit::Cents, Some(UnitWord::Semitones)) => v * 100.0,
        (Unit::Choice, _) => {
            return Err(ValueError {
                message: format!("{} is a choice, not a number", spec.name),
                expected: expected_for(spec),
                suggestion: None,
            })
        }
        (_, Some(unit)) => return Err(wrong_unit(spec, unit)),
    };
    finite(out)
}

/// `current` moved by `q` up (`sign` = 1) or down (`sign` = -1), unclamped: `cutoff up 200 hz`,
/// `tempo down 10%`, `pitch up 3 semitones`, `reverb mix up 10%`.
pub(crate) fn step_by(
    spec: &ParamSpec,
    current: f32,
    q: &Quantity,
    sign: f64,
    tempo: f32,
    canonical: bool,
) -> Result<f32, ValueError> {
    let cur = f64::from(current);
    let v = q.value * sign;
    let out = match (spec.unit, q.unit) {
        (_, Some(UnitWord::Percent)) if spec.unit == Unit::Fraction => cur + v / 100.0,
        (Unit::Hz | Unit::Seconds | Unit::Bpm, Some(UnitWord::Percent)) => cur * (1.0 + v / 100.0),
        (Unit::Hz, Some(UnitWord::Semitones)) => cur * 2f64.powf(v / 12.0),
        (Unit::Hz, Some(UnitWord::Cents)) => cur * 2f64.powf(v / 1200.0),
        (Unit::Choice, _) => {
            return Err(ValueError {
                message: format!("{} is a choice; name it instead", spec.name),
                expected: expected_for(spec),
                suggestion: None,
            })
        }
        _ => {
            // Same units as an absolute value, added to the current one.
            let amount = Quantity {
                value: q.value.abs(),
                ..q.clone()
            };
            let delta = if spec.unit == Unit::Db && q.unit == Some(UnitWord::Percent) {
                return Err(wrong_unit(spec, UnitWord::Percent));
            } else {
                f64::from(absolute(spec, &amount, tempo, canonical)?)
            };
            cur + delta * sign * q.value.signum()
        }
    };
    finite(out)
}

fn finite(v: f64) -> Result<f32, ValueError> {
    let f = v as f32;
    if f.is_finite() {
        Ok(f)
    } else {
        Err(ValueError {
            message: "that number is too large".into(),
            expected: "a number of reasonable size".into(),
            suggestion: None,
        })
    }
}

fn fmt(v: f64) -> String {
    format_decimal(v as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::ParamId;

    fn q(value: f64, unit: Option<UnitWord>) -> Quantity {
        Quantity {
            value,
            unit,
            note_value: false,
            span: 0..1,
        }
    }

    #[test]
    fn absolute_values_convert_units() {
        let cutoff = ParamId::FilterCutoff.spec();
        assert_eq!(
            absolute(cutoff, &q(1.2, Some(UnitWord::Kilo)), 120.0, false),
            Ok(1200.0)
        );
        let attack = ParamId::EnvAttack.spec();
        assert_eq!(
            absolute(attack, &q(5.0, Some(UnitWord::Ms)), 120.0, false),
            Ok(0.005)
        );
        assert!(absolute(attack, &q(5.0, None), 120.0, false).is_err());
        assert_eq!(absolute(attack, &q(0.005, None), 120.0, true), Ok(0.005));
        let delay = ParamId::DelayTime.spec();
        let three_eighths = Quantity {
            value: 0.375,
            note_value: true,
            ..q(0.0, None)
        };
        assert_eq!(absolute(delay, &three_eighths, 120.0, false), Ok(0.75));
        let sustain = ParamId::EnvSustain.spec();
        assert_eq!(
            absolute(sustain, &q(50.0, Some(UnitWord::Percent)), 120.0, false),
            Ok(0.5)
        );
        let e = absolute(sustain, &q(70.0, None), 120.0, false).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("70%"));
        let gain = ParamId::AmpGain.spec();
        let half = absolute(gain, &q(50.0, Some(UnitWord::Percent)), 120.0, false).unwrap_or(0.0);
        assert!((half + 6.0206).abs() < 1e-3);
        assert!(absolute(cutoff, &q(5.0, Some(UnitWord::Ms)), 120.0, false).is_err());
        assert!(absolute(cutoff, &q(1e300, None), 120.0, false).is_err());
    }

    #[test]
    fn steps_add_or_multiply_by_unit() {
        let cutoff = ParamId::FilterCutoff.spec();
        assert_eq!(
            step_by(
                cutoff,
                1000.0,
                &q(200.0, Some(UnitWord::Hz)),
                -1.0,
                120.0,
                false
            ),
            Ok(800.0)
        );
        let up = step_by(
            cutoff,
            1000.0,
            &q(12.0, Some(UnitWord::Semitones)),
            1.0,
            120.0,
            false,
        );
        assert_eq!(up, Ok(2000.0));
        let tempo = ParamId::TransportTempo.spec();
        assert_eq!(
            step_by(tempo, 120.0, &q(10.0, None), 1.0, 120.0, false),
            Ok(130.0)
        );
        assert_eq!(
            step_by(
                tempo,
                120.0,
                &q(10.0, Some(UnitWord::Percent)),
                -1.0,
                120.0,
                false
            ),
            Ok(108.0)
        );
        let mix = ParamId::ReverbMix.spec();
        let m = step_by(
            mix,
            0.2,
            &q(10.0, Some(UnitWord::Percent)),
            1.0,
            120.0,
            false,
        )
        .unwrap_or(0.0);
        assert!((m - 0.3).abs() < 1e-6);
    }
}
