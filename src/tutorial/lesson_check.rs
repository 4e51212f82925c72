//! When a lesson is done: small conditions on the patch state, written after `check:` in a
//! lesson file.
//!
//! | check | true when |
//! |---|---|
//! | `gate`, `gate off` | the gated voice is open / closed |
//! | `running`, `stopped` | the transport runs / is stopped |
//! | `sounding` | the gate is open or a note is held |
//! | `held notes >= 3` | at least that many notes are held |
//! | `track bass has hits` | the track (a name or a number 1–8) has a step that plays |
//! | `filter.cutoff < 2000` | a parameter compared with `<`, `>`, `<=`, `>=` or `=` (a number in the parameter's unit, or a word such as `square`) |
//! | `filter.cutoff down` | lower than when the lesson began (`up`: higher, `changed`: different) |
//!
//! Runs on the control thread. `holds` never allocates except to look up a track name.

use crate::engine::params::{ParamId, Unit};
use crate::engine::PatchState;

/// How a parameter is compared with a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Compare {
    /// `<`
    Below,
    /// `<=`
    AtMost,
    /// `>`
    Above,
    /// `>=`
    AtLeast,
    /// `=` (within a millionth of the value's size)
    Equal,
}

/// How a parameter moved since the lesson began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Movement {
    /// Lower than at the start.
    Down,
    /// Higher than at the start.
    Up,
    /// Different from the start.
    Changed,
}

/// One condition on the patch.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// The gate is open (`true`) or closed.
    Gate(bool),
    /// The transport runs (`true`) or is stopped.
    Running(bool),
    /// Something sounds.
    Sounding,
    /// At least this many notes are held.
    HeldNotes(usize),
    /// The track (a name, or a number 1–8) has a step that plays.
    TrackHasHits(String),
    /// A parameter compared with a value.
    Param(ParamId, Compare, f32),
    /// A parameter moved since the lesson began.
    Moved(ParamId, Movement),
}

impl Check {
    /// Reads a check; the error says what was not understood.
    pub fn parse(text: &str) -> Result<Check, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.as_slice() {
            ["gate"] | ["gate", "on"] => return Ok(Check::Gate(true)),
            ["gate", "off"] => return Ok(Check::Gate(false)),
            ["running"] => return Ok(Check::Running(true)),
            ["stopped"] => return Ok(Check::Running(false)),
            ["sounding"] => return Ok(Check::Sounding),
            ["held", "notes", ">=", n] => {
                return n
                    .parse()
                    .map(Check::HeldNotes)
                    .map_err(|_| format!("\"{n}\" is not a number of notes"))
            }
            ["track", name, "has", "hits"] => return Ok(Check::TrackHasHits(name.to_string())),
            _ => {}
        }
        let (name, rest) = match words.as_slice() {
            [name, rest @ ..] if !rest.is_empty() => (*name, rest),
            _ => return Err(format!("\"{text}\" is not a check{}", Self::EXPECTED)),
        };
        let param = ParamId::from_name(name)
            .ok_or_else(|| format!("\"{name}\" is not a parameter name such as filter.cutoff"))?;
        let movement = match rest {
            ["down"] => Some(Movement::Down),
            ["up"] => Some(Movement::Up),
            ["changed"] => Some(Movement::Changed),
            _ => None,
        };
        if let Some(m) = movement {
            return Ok(Check::Moved(param, m));
        }
        let [op, value] = rest else {
            return Err(format!("\"{text}\" is not a check{}", Self::EXPECTED));
        };
        let compare = match *op {
            "<" => Compare::Below,
            "<=" => Compare::AtMost,
            ">" => Compare::Above,
            ">=" => Compare::AtLeast,
            "=" => Compare::Equal,
            other => return Err(format!("\"{other}\" is not one of < <= > >= =")),
        };
        let spec = param.spec();
        let number = if spec.unit == Unit::Choice {
            spec.choice_index(value).map(|i| i as f32)
        } else {
            value.parse::<f32>().ok().filter(|v| v.is_finite())
        };
        let number = number.ok_or_else(|| {
            format!(
                "\"{value}\" is not a value of {}{}",
                spec.name,
                if spec.choices.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", spec.choices.join(", "))
                }
            )
        })?;
        Ok(Check::Param(param, compare, number))
    }

    const EXPECTED: &'static str = "; expected gate, running, sounding, held notes >= N, \
        track NAME has hits, PARAM < N, PARAM = VALUE or PARAM down|up|changed";

    /// The check in words, for docs/TUTORIAL.md: `the gate is open`, `filter.cutoff goes down`.
    pub fn describe(&self) -> String {
        match self {
            Check::Gate(true) => "the gate is open".into(),
            Check::Gate(false) => "the gate is closed".into(),
            Check::Running(true) => "the transport runs".into(),
            Check::Running(false) => "the transport is stopped".into(),
            Check::Sounding => "something sounds".into(),
            Check::HeldNotes(n) => format!("at least {n} notes are held"),
            Check::TrackHasHits(name) => format!("track {name} has a step that plays"),
            Check::Param(p, compare, value) => {
                let spec = p.spec();
                let op = match compare {
                    Compare::Below => "<",
                    Compare::AtMost => "<=",
                    Compare::Above => ">",
                    Compare::AtLeast => ">=",
                    Compare::Equal => "=",
                };
                format!("`{} {op} {}`", spec.name, spec.format_plain(*value))
            }
            Check::Moved(p, movement) => {
                let how = match movement {
                    Movement::Down => "goes down",
                    Movement::Up => "goes up",
                    Movement::Changed => "changes",
                };
                format!("`{}` {how}", p.name())
            }
        }
    }

    /// Whether the check holds for `patch`, given the patch when the lesson began.
    pub fn holds(&self, patch: &PatchState, at_start: &PatchState) -> bool {
        match self {
            Check::Gate(on) => patch.gate() == *on,
            Check::Running(on) => patch.running() == *on,
            Check::Sounding => patch.sounding(),
            Check::HeldNotes(n) => patch.held().iter().count() >= *n,
            Check::TrackHasHits(name) => patch
                .track_names()
                .find(name)
                .and_then(|i| patch.tracks().get(usize::from(i)))
                .is_some_and(|t| t.has_hits()),
            Check::Param(p, compare, value) => {
                let v = patch.get(*p);
                match compare {
                    Compare::Below => v < *value,
                    Compare::AtMost => v <= *value,
                    Compare::Above => v > *value,
                    Compare::AtLeast => v >= *value,
                    Compare::Equal => (v - value).abs() <= value.abs().max(1.0) * 1e-6,
                }
            }
            Check::Moved(p, movement) => {
                let (now, then) = (patch.get(*p), at_start.get(*p));
                match movement {
                    Movement::Down => now < then,
                    Movement::Up => now > then,
                    Movement::Changed => now != then,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::Command;

    fn parsed(text: &str) -> Check {
        Check::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn checks_read_the_gate_the_transport_and_parameters() {
        let start = PatchState::default();
        let mut patch = start;
        assert!(!parsed("gate").holds(&patch, &start));
        assert!(parsed("gate off").holds(&patch, &start));
        patch.apply(&Command::Gate { on: true });
        patch.apply(&Command::TransportStart);
        assert!(parsed("gate").holds(&patch, &start));
        assert!(parsed("running").holds(&patch, &start));
        assert!(!parsed("filter.cutoff < 2000").holds(&patch, &start));
        assert!(!parsed("filter.cutoff down").holds(&patch, &start));
        patch.set(ParamId::FilterCutoff, 1400.0);
        assert!(parsed("filter.cutoff < 2000").holds(&patch, &start));
        assert!(parsed("filter.cutoff down").holds(&patch, &start));
        assert!(parsed("filter.cutoff changed").holds(&patch, &start));
        assert!(!parsed("filter.cutoff up").holds(&patch, &start));
        assert!(parsed("filter.cutoff = 1400").holds(&patch, &start));
    }

    #[test]
    fn a_wave_is_compared_by_its_word_and_notes_by_their_count() {
        let start = PatchState::default();
        let mut patch = start;
        let square = parsed("osc.wave = square");
        assert!(!square.holds(&patch, &start));
        patch.set(ParamId::OscWave, 2.0);
        assert_eq!(ParamId::OscWave.spec().choices[2], "square");
        assert!(square.holds(&patch, &start));
        let three = parsed("held notes >= 3");
        for note in [60, 64] {
            patch.apply(&Command::NoteOn {
                note,
                velocity: 1.0,
            });
        }
        assert!(!three.holds(&patch, &start));
        patch.apply(&Command::NoteOn {
            note: 67,
            velocity: 1.0,
        });
        assert!(three.holds(&patch, &start));
    }

    #[test]
    fn a_track_is_found_by_name_or_number() {
        use crate::engine::command::{Step, StepLevel};
        let start = PatchState::default();
        let mut patch = start;
        patch.select_track(2, Some("bass"));
        assert!(!parsed("track bass has hits").holds(&patch, &start));
        patch.apply(&Command::SetStep {
            track: 2,
            index: 0,
            step: Step::hit(StepLevel::Hit),
        });
        assert!(parsed("track bass has hits").holds(&patch, &start));
        assert!(parsed("track 3 has hits").holds(&patch, &start));
        assert!(!parsed("track hats has hits").holds(&patch, &start));
    }

    #[test]
    fn unknown_checks_say_what_was_expected() {
        assert!(Check::parse("filter.cutof < 3")
            .unwrap_err()
            .contains("filter.cutof"));
        assert!(Check::parse("osc.wave = kazoo")
            .unwrap_err()
            .contains("square"));
        assert!(Check::parse("dance").unwrap_err().contains("expected"));
        assert!(Check::parse("filter.cutoff ~ 3")
            .unwrap_err()
            .contains("< <= > >= ="));
    }
}
