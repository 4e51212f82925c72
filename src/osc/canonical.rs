//! OSC messages become lines in the canonical form that `explain` prints (`set filter.cutoff
//! 800`, `set osc.wave saw`, `gate on`, `note on 60`, `all notes off`), so they reach the control
//! thread as text and are shown, recorded and resolved exactly like typed phrases. Pure code,
//! used on the OSC thread.
//!
//! The one difference from [`crate::lang::canonical_command`]: numbers are written exactly
//! (the shortest decimal that reads back as the same `f32`), because machines send precise
//! values and `explain`'s four significant decimals would round them.

use crate::engine::command::Command;
use crate::engine::params::Unit;
use crate::lang::canonical_command;

/// Formats a number so that reading it back gives the same `f32` (`800`, `0.1`, `-6.5`).
pub fn exact_number(value: f32) -> String {
    let s = format!("{value}");
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// The canonical line for `command`, with exact numbers.
pub fn canonical_line(command: &Command) -> String {
    match *command {
        Command::Set { param, value } if param.spec().unit != Unit::Choice => {
            format!("set {} {}", param.name(), exact_number(value))
        }
        Command::NoteOn { note, velocity } if velocity < 1.0 => {
            format!("note on {note} velocity {}", exact_number(velocity))
        }
        ref other => canonical_command(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::{ParamId, PARAMS};
    use crate::engine::PatchState;
    use crate::lang::{resolve_line, Vocabulary};

    /// What the phrase language makes of a line, from the default patch.
    fn resolved(line: &str) -> Vec<Command> {
        let vocab = Vocabulary::builtin();
        match resolve_line(line, &PatchState::default(), &vocab) {
            Ok(actions) => actions.iter().filter_map(|a| a.command()).collect(),
            Err(e) => panic!("{line}: {}", e.render(line)),
        }
    }

    #[test]
    fn every_line_means_the_same_command_to_the_phrase_language() {
        let mut commands = vec![
            Command::Gate { on: true },
            Command::Gate { on: false },
            Command::NoteOn {
                note: 60,
                velocity: 1.0,
            },
            Command::NoteOn {
                note: 64,
                velocity: 0.25,
            },
            Command::NoteOff { note: 0 },
            Command::TransportStart,
            Command::TransportStop,
            Command::NoteOff { note: 127 },
            Command::AllNotesOff,
        ];
        for p in PARAMS {
            for value in [p.min, p.default, p.max, 0.1, 1234.567, -0.000123, 1e-7] {
                // The language clamps, so only in-range values read back unchanged.
                let value = p.clamp(value);
                commands.push(Command::Set { param: p.id, value });
            }
        }
        for c in commands {
            let line = canonical_line(&c);
            assert_eq!(resolved(&line), vec![c], "{line}");
        }
    }

    #[test]
    fn lines_look_like_explain_prints_them() {
        let set = |param, value| canonical_line(&Command::Set { param, value });
        assert_eq!(set(ParamId::FilterCutoff, 800.0), "set filter.cutoff 800");
        assert_eq!(
            set(ParamId::FilterCutoff, 812.345),
            "set filter.cutoff 812.345"
        );
        assert_eq!(set(ParamId::OscWave, 1.0), "set osc.wave saw");
        assert_eq!(set(ParamId::AmpGain, -6.5), "set amp.gain -6.5");
        assert_eq!(set(ParamId::OscDetune, -0.0), "set osc.detune 0");
        assert_eq!(canonical_line(&Command::AllNotesOff), "all notes off");
    }
}
