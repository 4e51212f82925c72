//! The patch state: everything that makes the sound — every parameter, the gate, the held
//! notes, the transport, every track's pattern and the track names — as one `Copy` value with
//! one [`PatchState::apply`].
//!
//! Used on every thread. The DSP worker's engine keeps its own copy and applies each command it
//! renders; the control side keeps the mirror that phrases are resolved against and applies the
//! same commands as it sends them; the command fan-out keeps the copy a warm standby is built
//! from. Because all three call the same `apply`, they cannot drift apart. Nothing here
//! allocates except the `Vec`-returning helpers marked so.
//!
//! **The gate rule.** `gate` is the gated voice only (`gate on|off`, playing at `osc.freq`).
//! Notes (`note`, `play`, `chord`, MIDI) are `held`, never the gate: `NoteOn` holds a note and
//! `NoteOff` lets it go, and neither touches `gate`. `AllNotesOff` lets go of everything,
//! the gate included. Whether anything sounds is [`PatchState::sounding`].

mod held_notes;
mod track_names;
mod track_state;

pub use held_notes::HeldNotes;
pub use track_names::{TrackNames, MAX_TRACK_NAME_BYTES};
pub use track_state::{apply_track_command, track_sound_slot, TrackState, TRACK_SOUND_PARAMS};

use super::command::{midi_to_hz, Command, TRACKS};
use super::params::{default_values, ParamId, PARAM_COUNT};

/// The patch: parameters, gate, held notes, transport, tracks and track names. `Copy`, about
/// 3 KB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatchState {
    pub(in crate::engine) values: [f32; PARAM_COUNT],
    pub(in crate::engine) gate: bool,
    pub(in crate::engine) note: Option<u8>,
    pub(in crate::engine) held: HeldNotes,
    pub(in crate::engine) running: bool,
    pub(in crate::engine) tracks: [TrackState; TRACKS],
    names: TrackNames,
}

impl Default for PatchState {
    fn default() -> Self {
        PatchState {
            values: default_values(),
            gate: false,
            note: None,
            held: HeldNotes::default(),
            running: false,
            tracks: [TrackState::default(); TRACKS],
            names: TrackNames::default(),
        }
    }
}

impl PatchState {
    /// The value of a parameter.
    pub fn get(&self, param: ParamId) -> f32 {
        self.values[param.index()]
    }

    /// Sets a parameter (clamped to its range) and returns the stored value.
    pub fn set(&mut self, param: ParamId, value: f32) -> f32 {
        let v = param.spec().clamp(value);
        self.values[param.index()] = v;
        v
    }

    /// Whether the gated voice is open (see the gate rule in the module docs).
    pub fn gate(&self) -> bool {
        self.gate
    }

    /// Whether anything is played: the gate is open or some note is held.
    pub fn sounding(&self) -> bool {
        self.gate || !self.held.is_empty()
    }

    /// Whether nothing is played: the gate is closed and no note is held.
    pub fn silenced(&self) -> bool {
        !self.sounding()
    }

    /// The last note played and still held (the monophonic view of the held notes).
    pub fn note(&self) -> Option<u8> {
        self.note
    }

    /// Every parameter value, in table order.
    pub fn values(&self) -> &[f32; PARAM_COUNT] {
        &self.values
    }

    /// The held notes with their velocities.
    pub fn held(&self) -> &HeldNotes {
        &self.held
    }

    /// The notes held by `note`, `play` and `chord` (lowest first). Allocates.
    pub fn held_notes(&self) -> Vec<u8> {
        self.held.iter().collect()
    }

    /// The velocity a held note was played with (1 when it is not held).
    pub fn held_velocity(&self, note: u8) -> f32 {
        if self.held.is_held(note) {
            self.held.velocity(note)
        } else {
            1.0
        }
    }

    /// Whether the transport runs.
    pub fn running(&self) -> bool {
        self.running
    }

    /// The sequencer tracks as most recently edited (staged edits included).
    pub fn tracks(&self) -> &[TrackState; TRACKS] {
        &self.tracks
    }

    /// Whether track `index` has been given anything to play or any setting.
    pub fn track_used(&self, index: u8) -> bool {
        self.tracks
            .get(usize::from(index))
            .is_some_and(|t| *t != TrackState::default())
    }

    /// Track names and the current track.
    pub fn track_names(&self) -> &TrackNames {
        &self.names
    }

    /// Names (optionally) and selects a track: what a `track NAME` phrase does.
    pub fn select_track(&mut self, index: u8, name: Option<&str>) {
        self.names.select(index, name);
    }

    /// Whether the two states sound the same: parameters, gate, note and tracks (not the
    /// transport, held chord notes or track names). Undo levels are made of changes to these.
    pub fn same_sound(&self, other: &PatchState) -> bool {
        self.values == other.values
            && self.gate == other.gate
            && self.note == other.note
            && self.tracks == other.tracks
    }

    /// Updates the state the way the engine does when it applies `command`. Never allocates.
    pub fn apply(&mut self, command: &Command) {
        match *command {
            Command::Set { param, value } => {
                self.set(param, value);
            }
            Command::Gate { on } => self.gate = on,
            Command::NoteOn { note, velocity } => {
                let note = note.min(127);
                self.set(ParamId::OscFreq, midi_to_hz(f32::from(note)));
                self.note = Some(note);
                self.held.hold(note, velocity);
            }
            Command::NoteOff { note } => {
                self.held.release(note);
                if self.note == Some(note) {
                    self.note = None;
                }
            }
            Command::AllNotesOff => {
                self.held.clear();
                self.note = None;
                self.gate = false;
            }
            Command::TransportStart => self.running = true,
            Command::TransportStop => self.running = false,
            Command::SetStep { .. } | Command::SetTrack { .. } | Command::ClearTrack { .. } => {
                apply_track_command(&mut self.tracks, *command);
            }
            Command::ApplyPending | Command::Fault(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::StepLevel;
    use crate::engine::command::{Step, TrackParam};

    #[test]
    fn held_notes_come_out_lowest_first_with_their_velocity() {
        let mut held = HeldNotes::default();
        held.hold(67, 0.5);
        held.hold(60, 1.0);
        held.hold(64, 0.0);
        let mut out = [0u8; 128];
        let n = held.sorted_into(&mut out);
        assert_eq!(&out[..n], &[60, 64, 67]);
        assert!((held.velocity(67) - 0.5).abs() < 0.01);
        assert!(held.velocity(64) > 0.0, "a held note is never silent");
        held.release(64);
        assert!(!held.is_held(64));
    }

    #[test]
    fn commands_update_tracks_and_out_of_range_indexes_are_ignored() {
        let mut s = PatchState::default();
        s.apply(&Command::SetStep {
            track: 2,
            index: 3,
            step: Step::hit(StepLevel::Accent),
        });
        s.apply(&Command::SetStep {
            track: 9,
            index: 3,
            step: Step::note(60),
        });
        s.apply(&Command::SetStep {
            track: 0,
            index: 200,
            step: Step::note(60),
        });
        s.apply(&Command::SetTrack {
            track: 2,
            param: TrackParam::Length,
            value: 500.0,
        });
        s.apply(&Command::SetTrack {
            track: 2,
            param: TrackParam::Sound(ParamId::OscWave),
            value: 4.0,
        });
        assert_eq!(s.tracks()[2].steps[3].level, StepLevel::Accent);
        assert_eq!(s.tracks()[2].length, 64);
        assert_eq!(s.tracks()[2].sound[0], Some(4.0));
        assert_eq!(s.tracks()[0], TrackState::default());
        s.apply(&Command::SetTrack {
            track: 2,
            param: TrackParam::Sound(ParamId::OscWave),
            value: f32::NAN,
        });
        assert_eq!(s.tracks()[2].sound[0], None, "NaN follows the patch again");
        s.apply(&Command::ClearTrack { track: 2 });
        assert!(!s.tracks()[2].has_hits());
    }

    #[test]
    fn notes_are_held_and_released_all_at_once() {
        let mut s = PatchState::default();
        for note in [60, 64, 67] {
            s.apply(&Command::NoteOn {
                note,
                velocity: 0.8,
            });
        }
        assert_eq!(s.note(), Some(67));
        assert_eq!(s.held().iter().count(), 3);
        s.apply(&Command::AllNotesOff);
        assert!(s.held().is_empty() && s.note().is_none() && !s.gate());
    }

    #[test]
    fn patch_state_follows_commands_and_the_gate_is_only_the_gated_voice() {
        let mut p = PatchState::default();
        p.apply(&Command::Set {
            param: ParamId::FilterCutoff,
            value: 99_999.0,
        });
        assert_eq!(p.get(ParamId::FilterCutoff), 20_000.0);
        p.apply(&Command::NoteOn {
            note: 69,
            velocity: 1.0,
        });
        assert!(!p.gate(), "a note does not open the gated voice");
        assert!(p.sounding(), "but it sounds");
        assert!((p.get(ParamId::OscFreq) - 440.0).abs() < 1e-3);
        p.apply(&Command::NoteOff { note: 60 });
        assert!(p.sounding(), "a different note's off leaves the note held");
        p.apply(&Command::NoteOff { note: 69 });
        assert!(!p.sounding() && p.silenced());
        p.apply(&Command::Gate { on: true });
        assert!(p.gate() && p.sounding());
    }
}
