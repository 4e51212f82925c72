//! What a resolved phrase asks for: an engine [`Command`] with a human reply, or a meta action
//! for the control side or the UI. [`Action::canonical`] gives the one-line form `explain` prints.
//!
//! Runs on the control thread. May allocate.

use super::pattern::rhythm::Rhythms;
use crate::engine::command::{midi_to_hz, Command, Fault, Step, TrackParam};
use crate::engine::params::format_decimal;
use crate::engine::PatchState;
use std::ops::Range;

/// One thing a line asks for, in the order it was typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Something the engine does: an absolute command (already clamped) and a reply.
    Engine(EngineAction),
    /// Something the control side or the UI does (help, undo, quit, ...).
    Meta(Meta),
}

/// An absolute engine command resolved from a phrase, with what to tell the player.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineAction {
    /// The command for the engine (values absolute and inside the parameter's range).
    pub command: Command,
    /// A reply for people, e.g. `filter.cutoff 2000 → 1400 Hz`.
    pub reply: String,
    /// A remark such as `clamped to 20000 Hz (max)`.
    pub note: Option<String>,
    /// Byte range of the phrase in its line.
    pub span: Range<usize>,
}

/// Actions that are not engine commands. New verbs are added here.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Meta {
    /// `help` or `help <topic>`; the topic is a canonical topic name (`filter`, `words`, ...).
    Help(Option<String>),
    /// `status` / `meters`: show the pipeline meters (the UI does it).
    Status,
    /// `show`: list the current patch.
    Show,
    /// `undo`: go back to the patch before the last line that changed it.
    Undo,
    /// `redo`: take back the last undo.
    Redo,
    /// `explain <phrase>`: the phrase and its actions resolved at that point, not applied.
    Explain {
        /// The phrase as typed.
        phrase: String,
        /// What it would do.
        actions: Vec<Action>,
    },
    /// `quit` / `exit`.
    Quit,
    /// `track bass`: names (when `name` is given) and selects a sequencer track, which bare
    /// track phrases (`pattern`, `steps`, `mute`) then edit.
    Track {
        /// The engine's track index.
        index: u8,
        /// Its new name (lower case), or `None` when it was named by number.
        name: Option<String>,
    },
    /// `save patch NAME`: save the current sound in the patch directory.
    SavePatch {
        /// A checked patch name (letters, digits, `-`, `_`).
        name: String,
    },
    /// `patches`: list the saved and built-in patches.
    Patches,
    /// `samples`: list the samples folders' files and the sample memory.
    Samples,
    /// A pattern was written to a track: remember it as typed (for rhythm words and `show`).
    Rhythm {
        /// The engine's track index.
        index: u8,
        /// The pattern as typed with its rhythm words.
        rhythm: Box<crate::lang::pattern::rhythm::TrackRhythm>,
    },
    /// `seed 42`: the seed of random pattern choices (`?`, `|`).
    Seed(u64),
    /// How a line was read when words were skipped or corrected (`read as: reverb more`), so
    /// that a wrong guess is visible and `undo` is one word away.
    ReadAs(String),
    /// The answer to a question (`what's the tempo?`): a parameter's current value. Changes
    /// nothing.
    Answer {
        /// The parameter asked about.
        param: crate::engine::params::ParamId,
        /// The answer for people, e.g. `transport.tempo is 120 bpm`.
        text: String,
    },
    /// `define NAME as PHRASES`: teach a word (see `lang/definitions.rs`). The control side
    /// checks the body against the words it knows, then keeps it.
    Define {
        /// The name, lower case and single-spaced (`dark pad`).
        name: String,
        /// Where the name stands in its line.
        name_at: std::ops::Range<usize>,
        /// What it means, as typed (`osc saw, darker, reverb mix 40%`).
        body: String,
        /// Byte offset of the body in its line (to point at errors in it).
        body_at: usize,
    },
    /// `forget NAME`: unteach a word.
    Forget {
        /// The name, lower case and single-spaced.
        name: String,
        /// Where the name stands in its line.
        at: std::ops::Range<usize>,
    },
    /// `words`: list the taught words.
    Words,
}

impl Action {
    /// The engine command, if this is an engine action.
    pub fn command(&self) -> Option<Command> {
        match self {
            Action::Engine(a) => Some(a.command),
            Action::Meta(_) => None,
        }
    }

    /// The reply with its note, e.g. `filter.cutoff 16000 → 20000 Hz (clamped to 20000 Hz (max))`.
    pub fn reply(&self) -> String {
        match self {
            Action::Engine(a) => match &a.note {
                Some(n) => format!("{} ({n})", a.reply),
                None => a.reply.clone(),
            },
            Action::Meta(m) => m.canonical(),
        }
    }

    /// Updates `patch` the way performing this action does (commands, and track selection).
    pub fn apply_to(&self, patch: &mut PatchState) {
        match self {
            Action::Engine(a) => patch.apply(&a.command),
            Action::Meta(Meta::Track { index, name }) => {
                patch.select_track(*index, name.as_deref())
            }
            Action::Meta(_) => {}
        }
    }

    /// Updates the patterns as typed the way performing this action does (a pattern written,
    /// a seed set, a track cleared). The control side keeps these next to the patch.
    pub fn apply_to_rhythms(&self, rhythms: &mut Rhythms) {
        match self {
            Action::Engine(a) => rhythms.follow(&a.command),
            Action::Meta(Meta::Rhythm { index, rhythm }) => {
                rhythms.set(*index, Some((**rhythm).clone()))
            }
            Action::Meta(Meta::Seed(seed)) => rhythms.seed = *seed,
            Action::Meta(_) => {}
        }
    }

    /// The canonical one-line form that `explain` prints and that parses back to the same
    /// action: `set filter.cutoff 1400`, `set osc.wave saw`, `gate on`, `note on 57`, `undo`.
    pub fn canonical(&self) -> String {
        match self {
            Action::Engine(a) => canonical_command(&a.command),
            Action::Meta(m) => m.canonical(),
        }
    }
}

impl Meta {
    /// The canonical form of a meta action (`help filter`, `status`, `explain darker`).
    pub fn canonical(&self) -> String {
        match self {
            Meta::Help(None) => "help".into(),
            Meta::Help(Some(t)) => format!("help {t}"),
            Meta::Status => "status".into(),
            Meta::Show => "show".into(),
            Meta::Undo => "undo".into(),
            Meta::Redo => "redo".into(),
            Meta::Explain { phrase, .. } => format!("explain {phrase}"),
            Meta::Quit => "quit".into(),
            Meta::Track {
                name: Some(name), ..
            } => format!("track {name}"),
            Meta::Track { index, name: None } => format!("track {}", index + 1),
            Meta::SavePatch { name } => format!("save patch {name}"),
            Meta::Patches => "patches".into(),
            Meta::Samples => "samples".into(),
            Meta::Rhythm { index, rhythm } => {
                format!("track {} {}", index + 1, rhythm.phrase())
            }
            Meta::Seed(seed) => format!("seed {seed}"),
            Meta::ReadAs(text) => format!("read as: {text}"),
            Meta::Answer { text, .. } => text.clone(),
            Meta::Define { name, body, .. } => format!("define {name} as {body}"),
            Meta::Forget { name, .. } => format!("forget {name}"),
            Meta::Words => "words".into(),
        }
    }
}

/// The canonical form of an engine command.
pub fn canonical_command(command: &Command) -> String {
    match *command {
        Command::Set { param, value } => {
            format!("set {} {}", param.name(), param.spec().format_plain(value))
        }
        Command::Gate { on: true } => "gate on".into(),
        Command::Gate { on: false } => "gate off".into(),
        Command::NoteOn { note, velocity } if velocity >= 1.0 => format!("note on {note}"),
        Command::NoteOn { note, velocity } => {
            format!("note on {note} velocity {}", format_decimal(velocity))
        }
        Command::NoteOff { note } => format!("note off {note}"),
        Command::AllNotesOff => "all notes off".into(),
        Command::TransportStart => "start".into(),
        Command::TransportStop => "stop transport".into(),
        Command::SetStep { track, index, step } => {
            let what = match (step.level, step.note) {
                (level, Step::TRACK_PITCH) => level.to_char().to_string(),
                (crate::engine::command::StepLevel::Rest, _) => ".".into(),
                (_, note) => note_name(note),
            };
            let mut what = what;
            for extra in step.chord.iter().filter(|n| **n != Step::NO_NOTE) {
                what = format!("{what},{}", note_name(*extra));
            }
            if step.velocity != 0 {
                what = format!("{what}:{}", format_decimal(step.velocity()));
            }
            if step.steps_long() > 1 {
                what = format!("{what}@{}", step.steps_long());
            }
            format!("track {} step {} {what}", track + 1, u16::from(index) + 1)
        }
        Command::SetTrack {
            track,
            param,
            value,
        } => format!("track {} {}", track + 1, track_setting(param, value)),
        Command::ClearTrack { track } => format!("track {} clear", track + 1),
        Command::ApplyPending => "now".into(),
        Command::SetLfo {
            instrument,
            slot,
            field,
            value,
        } => super::resolve_instrument::canonical_lfo(instrument, slot, field, value),
        Command::Ramp {
            param,
            track,
            target,
            length,
            unit,
        } => super::resolve_instrument::canonical_ramp(param, track, target, length, unit),
        Command::Fault(Fault::Panic) => "fault panic".into(),
        Command::Fault(Fault::Hang) => "fault hang".into(),
        Command::Fault(Fault::Nan) => "fault nan".into(),
        Command::Fault(Fault::Slow { micros }) => {
            format!("fault slow {} ms", format_decimal(micros as f32 / 1000.0))
        }
    }
}

/// A track setting as a phrase after `track N`: `steps 16`, `rate 0.0625`, `mute`,
/// `set osc.wave noise`, `pitch C2`.
fn track_setting(param: TrackParam, value: f32) -> String {
    let on = value >= 0.5;
    match param {
        TrackParam::Length => format!("steps {}", format_decimal(value)),
        TrackParam::Rate => format!("rate {}", format_decimal(value)),
        TrackParam::CycleSteps => format!("cycle of {} steps", format_decimal(value)),
        TrackParam::CycleSlots => format!("cycle of {} slots", format_decimal(value)),
        TrackParam::Mute => (if on { "mute" } else { "unmute" }).into(),
        TrackParam::Solo => (if on { "solo" } else { "unsolo" }).into(),
        TrackParam::Level => format!("level {} db", format_decimal(value)),
        TrackParam::Gate => format!("gate {}", format_decimal(value)),
        TrackParam::Pitch if value < 0.0 => "pitch follows the patch".into(),
        TrackParam::Pitch => format!("pitch {}", note_name(value.round().clamp(0.0, 127.0) as u8)),
        TrackParam::Sound(p) if !value.is_finite() => format!("{} follows the patch", p.name()),
        TrackParam::Sound(p) => format!("set {} {}", p.name(), p.spec().format_plain(value)),
        TrackParam::Drum => match crate::engine::drums::DrumKind::from_value(value) {
            Some(kind) => format!("drum {}", kind.name()),
            None => "drum off".into(),
        },
        TrackParam::Tune => format!("tune {} st", format_decimal(value)),
        TrackParam::Tone => format!("tone {}", format_decimal(value)),
        TrackParam::Sample => super::resolve_samples::canonical_sample(value),
        TrackParam::SampleStart => format!("sample start {}", format_decimal(value)),
        TrackParam::SampleEnd => format!("sample end {}", format_decimal(value)),
        TrackParam::Reverse => (if on { "reverse" } else { "reverse off" }).into(),
        TrackParam::Loop => (if on { "loop" } else { "loop off" }).into(),
    }
}

/// A reply describing what `command` does to `before`: `filter.cutoff 2000 → 1400 Hz`,
/// `osc.wave saw → square`, `gate on`, `note on 57 (A3, 220 Hz)`.
pub fn describe_command(command: &Command, before: &PatchState) -> String {
    match *command {
        Command::Set { param, value } => {
            let spec = param.spec();
            format!(
                "{} {} → {}",
                param.name(),
                spec.format_plain(before.get(param)),
                spec.format_with_unit(spec.clamp(value))
            )
        }
        Command::NoteOn { note, .. } => format!(
            "note on {note} ({}, {} Hz)",
            note_name(note),
            format_decimal(midi_to_hz(f32::from(note)))
        ),
        _ => canonical_command(command),
    }
}

/// The name of a MIDI note with sharps: 57 → `A3`, 61 → `C#4`.
pub fn note_name(note: u8) -> String {
    const NAMES: [&str; 12] = [
        "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
    ];
    format!(
        "{}{}",
        NAMES[usize::from(note % 12)],
        i32::from(note / 12) - 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::ParamId;

    #[test]
    fn canonical_forms_match_the_architecture() {
        let set = |param, value| Command::Set { param, value };
        assert_eq!(
            canonical_command(&set(ParamId::FilterCutoff, 1400.0)),
            "set filter.cutoff 1400"
        );
        assert_eq!(
            canonical_command(&set(ParamId::OscWave, 1.0)),
            "set osc.wave saw"
        );
        assert_eq!(canonical_command(&Command::Gate { on: true }), "gate on");
        assert_eq!(canonical_command(&Command::Gate { on: false }), "gate off");
        assert_eq!(
            canonical_command(&Command::NoteOn {
                note: 57,
                velocity: 1.0
            }),
            "note on 57"
        );
        assert_eq!(
            canonical_command(&Command::NoteOff { note: 57 }),
            "note off 57"
        );
        assert_eq!(
            canonical_command(&Command::Fault(Fault::Slow { micros: 3000 })),
            "fault slow 3 ms"
        );
    }

    #[test]
    fn replies_carry_their_note() {
        let a = Action::Engine(EngineAction {
            command: Command::Gate { on: true },
            reply: "filter.cutoff 16000 → 20000 Hz".into(),
            note: Some("clamped to 20000 Hz (max)".into()),
            span: 0..1,
        });
        assert_eq!(
            a.reply(),
            "filter.cutoff 16000 → 20000 Hz (clamped to 20000 Hz (max))"
        );
    }
}
