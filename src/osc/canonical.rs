//! The canonical action lines of ARCHITECTURE.md (`set filter.cutoff 800`, `set osc.wave saw`,
//! `gate on`, `note on 60`, `note off 60`, `hush`): what OSC messages become, so that they reach
//! the control thread as text, are shown and recorded like typed phrases. Formatting and a small
//! parser for exactly these forms (the headless control loop uses it until the phrase language
//! runs every line). Pure code, used on the OSC and control threads.

use crate::engine::command::{midi_to_hz, Command};
use crate::engine::params::{format_decimal, ParamId, Unit};

/// One action in its canonical form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CanonicalAction {
    /// `set <module>.<param> <value>`; choices are written as their word.
    Set {
        /// The parameter.
        param: ParamId,
        /// The value as sent (the control side clamps it and says so).
        value: f32,
    },
    /// `gate on` / `gate off`.
    Gate {
        /// Open or close.
        on: bool,
    },
    /// `note on <midi>`, or `note on <midi> velocity <0..1>` when the velocity is not 1.
    NoteOn {
        /// MIDI note number.
        note: u8,
        /// Velocity 0..1 if one was given.
        velocity: Option<f32>,
    },
    /// `note off <midi>`.
    NoteOff {
        /// MIDI note number.
        note: u8,
    },
    /// `hush`: every note off, silence now.
    Hush,
}

/// Formats a number so that reading it back gives the same `f32` (`800`, `0.1`, `-6.5`).
pub fn exact_number(value: f32) -> String {
    let s = format!("{value}");
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

impl CanonicalAction {
    /// The action as one canonical line.
    pub fn to_line(&self) -> String {
        match *self {
            CanonicalAction::Set { param, value } => {
                let spec = param.spec();
                let v = if spec.unit == Unit::Choice {
                    spec.format_plain(value)
                } else {
                    exact_number(value)
                };
                format!("set {} {v}", spec.name)
            }
            CanonicalAction::Gate { on: true } => "gate on".to_string(),
            CanonicalAction::Gate { on: false } => "gate off".to_string(),
            CanonicalAction::NoteOn {
                note,
                velocity: Some(v),
            } if v != 1.0 => format!("note on {note} velocity {}", exact_number(v)),
            CanonicalAction::NoteOn { note, .. } => format!("note on {note}"),
            CanonicalAction::NoteOff { note } => format!("note off {note}"),
            CanonicalAction::Hush => "hush".to_string(),
        }
    }

    /// The engine command for this action.
    pub fn command(&self) -> Command {
        match *self {
            CanonicalAction::Set { param, value } => Command::Set { param, value },
            CanonicalAction::Gate { on } => Command::Gate { on },
            CanonicalAction::NoteOn { note, velocity } => Command::NoteOn {
                note,
                velocity: velocity.unwrap_or(1.0),
            },
            CanonicalAction::NoteOff { note } => Command::NoteOff { note },
            CanonicalAction::Hush => Command::AllNotesOff,
        }
    }

    /// Parses one canonical line (case-insensitive, any spacing).
    pub fn parse(line: &str) -> Result<CanonicalAction, String> {
        let lower = line.to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        match words.as_slice() {
            ["set", name, value] => {
                let param = ParamId::from_name(name)
                    .ok_or_else(|| format!("unknown parameter \"{name}\""))?;
                let spec = param.spec();
                let value = match spec.choice_index(value) {
                    Some(i) if spec.unit == Unit::Choice => i as f32,
                    _ => parse_finite(value)?,
                };
                Ok(CanonicalAction::Set { param, value })
            }
            ["gate", "on"] => Ok(CanonicalAction::Gate { on: true }),
            ["gate", "off"] => Ok(CanonicalAction::Gate { on: false }),
            ["note", "on", n] => Ok(CanonicalAction::NoteOn {
                note: parse_note(n)?,
                velocity: None,
            }),
            ["note", "on", n, "velocity", v] => {
                let v = parse_finite(v)?;
                if !(0.0..=1.0).contains(&v) {
                    return Err(format!("velocity {v} is outside 0..1"));
                }
                Ok(CanonicalAction::NoteOn {
                    note: parse_note(n)?,
                    velocity: Some(v),
                })
            }
            ["note", "off", n] => Ok(CanonicalAction::NoteOff {
                note: parse_note(n)?,
            }),
            ["hush"] => Ok(CanonicalAction::Hush),
            _ => Err(format!(
                "\"{}\" is not a canonical action (set <module>.<param> <value>, gate on|off, \
                 note on|off <midi>, hush)",
                line.trim()
            )),
        }
    }

    /// A reply for people once the action is applied, given the value before and after
    /// (`filter.cutoff 2000 → 800 Hz`, `(clamped to 20000 Hz)` when it had to be).
    pub fn describe(&self, before: f32, after: f32) -> String {
        match *self {
            CanonicalAction::Set { param, value } => {
                let spec = param.spec();
                let mut s = format!(
                    "{} {} → {}",
                    spec.name,
                    spec.format_plain(before),
                    spec.format_with_unit(after)
                );
                if spec.unit != Unit::Choice && value != after {
                    s.push_str(&format!(" (clamped to {})", spec.format_with_unit(after)));
                }
                s
            }
            CanonicalAction::NoteOn { note, .. } => {
                format!(
                    "note on {note} ({} Hz)",
                    format_decimal(midi_to_hz(f32::from(note)))
                )
            }
            CanonicalAction::Hush => "hush: all notes off".to_string(),
            other => other.to_line(),
        }
    }
}

fn parse_finite(word: &str) -> Result<f32, String> {
    match word.parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("\"{word}\" is not a number")),
    }
}

fn parse_note(word: &str) -> Result<u8, String> {
    match word.parse::<u8>() {
        Ok(n) if n <= 127 => Ok(n),
        _ => Err(format!("\"{word}\" is not a MIDI note (0..127)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::PARAMS;

    #[test]
    fn every_action_reads_back_as_itself() {
        let mut actions = vec![
            CanonicalAction::Gate { on: true },
            CanonicalAction::Gate { on: false },
            CanonicalAction::NoteOn {
                note: 60,
                velocity: None,
            },
            CanonicalAction::NoteOn {
                note: 127,
                velocity: Some(0.25),
            },
            CanonicalAction::NoteOff { note: 0 },
            CanonicalAction::Hush,
        ];
        for p in PARAMS {
            for value in [p.min, p.default, p.max, 0.1, 1234.567, -0.000123] {
                let value = if p.unit == Unit::Choice {
                    p.clamp(value)
                } else {
                    value
                };
                actions.push(CanonicalAction::Set { param: p.id, value });
            }
        }
        for a in actions {
            let line = a.to_line();
            assert_eq!(CanonicalAction::parse(&line), Ok(a), "{line}");
        }
    }

    #[test]
    fn lines_look_like_explain_prints_them() {
        let set = |param, value| CanonicalAction::Set { param, value }.to_line();
        assert_eq!(set(ParamId::FilterCutoff, 800.0), "set filter.cutoff 800");
        assert_eq!(set(ParamId::OscWave, 1.0), "set osc.wave saw");
        assert_eq!(set(ParamId::AmpGain, -6.5), "set amp.gain -6.5");
        assert_eq!(
            CanonicalAction::NoteOn {
                note: 57,
                velocity: Some(1.0)
            }
            .to_line(),
            "note on 57"
        );
    }

    #[test]
    fn bad_lines_are_refused_with_a_reason() {
        for bad in [
            "",
            "set",
            "set filter.cutof 800",
            "set filter.cutoff abc",
            "set filter.cutoff NaN",
            "set osc.wave kazoo",
            "gate maybe",
            "note on 128",
            "note on 60 velocity 2",
            "fliter darker",
        ] {
            assert!(CanonicalAction::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn replies_show_before_after_and_clamping() {
        let a = CanonicalAction::Set {
            param: ParamId::FilterCutoff,
            value: 99_999.0,
        };
        assert_eq!(
            a.describe(2000.0, 20_000.0),
            "filter.cutoff 2000 → 20000 Hz (clamped to 20000 Hz)"
        );
    }
}
