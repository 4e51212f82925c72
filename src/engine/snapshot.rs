//! The engine's musical state as one `Copy` value: parameters, the gate, held notes, the
//! transport and every track's pattern.
//!
//! Used on every thread: the DSP worker keeps the engine's own copy, the control side can keep
//! a mirror by calling [`EngineSnapshot::apply`] with every command it sends, and a supervisor
//! builds a warm standby from it with `Engine::from_snapshot`. Nothing here allocates.

use super::command::{midi_to_hz, Command, Step, TrackParam, MAX_STEPS, TRACKS};
use super::params::{default_values, ParamId, PARAM_COUNT};

/// The sound parameters a track may override for its own voices, in slot order.
pub const TRACK_SOUND_PARAMS: [ParamId; 11] = [
    ParamId::OscWave,
    ParamId::OscDetune,
    ParamId::EnvAttack,
    ParamId::EnvDecay,
    ParamId::EnvSustain,
    ParamId::EnvRelease,
    ParamId::FilterMode,
    ParamId::FilterCutoff,
    ParamId::FilterRes,
    ParamId::FilterEnv,
    ParamId::AmpGain,
];

/// The slot of `param` in [`TrackState::sound`], if a track can override it.
pub fn track_sound_slot(param: ParamId) -> Option<usize> {
    TRACK_SOUND_PARAMS.iter().position(|p| *p == param)
}

/// The notes held down (by `NoteOn` without a `NoteOff`), with their velocities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldNotes {
    /// Velocity × 127 per MIDI note, 0 when the note is not held.
    velocity: [u8; 128],
}

impl Default for HeldNotes {
    fn default() -> Self {
        HeldNotes { velocity: [0; 128] }
    }
}

impl HeldNotes {
    /// Holds `note` at `velocity` (0..1; a held note keeps at least the smallest velocity).
    pub fn hold(&mut self, note: u8, velocity: f32) {
        let v = (velocity.clamp(0.0, 1.0) * 127.0).round() as u8;
        self.velocity[usize::from(note.min(127))] = v.max(1);
    }

    /// Lets go of `note`.
    pub fn release(&mut self, note: u8) {
        self.velocity[usize::from(note.min(127))] = 0;
    }

    /// Lets go of every note.
    pub fn clear(&mut self) {
        self.velocity = [0; 128];
    }

    /// True when `note` is held.
    pub fn is_held(&self, note: u8) -> bool {
        self.velocity[usize::from(note.min(127))] > 0
    }

    /// The velocity (0..1) `note` is held with, 0 when it is not held.
    pub fn velocity(&self, note: u8) -> f32 {
        f32::from(self.velocity[usize::from(note.min(127))]) / 127.0
    }

    /// True when no note is held.
    pub fn is_empty(&self) -> bool {
        self.velocity.iter().all(|v| *v == 0)
    }

    /// The held notes from lowest to highest.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0u8..128).filter(|n| self.velocity[usize::from(*n)] > 0)
    }

    /// Writes the held notes, lowest first, into `out` and returns how many there are.
    pub fn sorted_into(&self, out: &mut [u8; 128]) -> usize {
        let mut count = 0;
        for note in self.iter() {
            out[count] = note;
            count += 1;
        }
        count
    }
}

/// One sequencer track: its pattern and how it plays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackState {
    /// The pattern; only the first `length` steps play.
    pub steps: [Step; MAX_STEPS],
    /// Steps in the pattern (1..=192).
    pub length: u8,
    /// Step length as a fraction of a 4/4 bar (0.0625 = 1/16).
    pub rate: f32,
    /// Steps (by weight) in one cycle of the pattern; with `cycle_slots`, sets the grid.
    pub cycle_steps: f32,
    /// Slots one cycle is cut into; a slot lasts `rate × cycle_steps ÷ cycle_slots`.
    pub cycle_slots: f32,
    /// Muted tracks trigger nothing.
    pub mute: bool,
    /// While any track is soloed, only soloed tracks play.
    pub solo: bool,
    /// Track level in dB.
    pub level_db: f32,
    /// Note length as a fraction of a step.
    pub gate: f32,
    /// MIDI note that pattern hits play; negative follows `osc.freq`.
    pub pitch: f32,
    /// Per-track sound overrides, by [`TRACK_SOUND_PARAMS`] slot; `None` follows the patch.
    pub sound: [Option<f32>; TRACK_SOUND_PARAMS.len()],
}

impl Default for TrackState {
    fn default() -> Self {
        TrackState {
            steps: [Step::REST; MAX_STEPS],
            length: 16,
            rate: 1.0 / 16.0,
            cycle_steps: 1.0,
            cycle_slots: 1.0,
            mute: false,
            solo: false,
            level_db: 0.0,
            gate: 0.5,
            pitch: -1.0,
            sound: [None; TRACK_SOUND_PARAMS.len()],
        }
    }
}

impl TrackState {
    /// Step (slot) length in beats (quarter notes): the rate, scaled by the pattern's
    /// steps per slots when a mini-notation pattern subdivides its steps.
    pub fn step_beats(&self) -> f64 {
        let beats = f64::from(self.rate) * 4.0;
        if self.cycle_steps == self.cycle_slots {
            beats
        } else {
            beats * f64::from(self.cycle_steps) / f64::from(self.cycle_slots)
        }
    }

    /// True when some step of the pattern plays.
    pub fn has_hits(&self) -> bool {
        self.steps[..usize::from(self.length)]
            .iter()
            .any(|s| s.level != super::command::StepLevel::Rest)
    }

    /// Applies one setting, clamped to its range. Returns false for an unusable value.
    pub fn set(&mut self, param: TrackParam, value: f32) -> bool {
        if let TrackParam::Sound(p) = param {
            let Some(slot) = track_sound_slot(p) else {
                return false;
            };
            self.sound[slot] = value.is_finite().then(|| p.spec().clamp(value));
            return true;
        }
        if !value.is_finite() {
            return false;
        }
        match param {
            TrackParam::Length => self.length = value.round().clamp(1.0, MAX_STEPS as f32) as u8,
            TrackParam::Rate => self.rate = value.clamp(1.0 / 64.0, 1.0),
            TrackParam::CycleSteps => self.cycle_steps = value.clamp(1.0 / 64.0, 4096.0),
            TrackParam::CycleSlots => self.cycle_slots = value.round().clamp(1.0, 4096.0),
            TrackParam::Mute => self.mute = value >= 0.5,
            TrackParam::Solo => self.solo = value >= 0.5,
            TrackParam::Level => self.level_db = value.clamp(-60.0, 12.0),
            TrackParam::Gate => self.gate = value.clamp(0.05, 1.0),
            TrackParam::Pitch => self.pitch = if value < 0.0 { -1.0 } else { value.min(127.0) },
            TrackParam::Sound(_) => {}
        }
        true
    }
}

/// What the engine needs to rebuild the same sound elsewhere: every parameter, the gate,
/// held notes, the transport and the tracks. `Copy`, about 11 KB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EngineSnapshot {
    /// Every parameter value, indexed by [`ParamId`].
    pub values: [f32; PARAM_COUNT],
    /// Whether the gated voice (`Gate{on}`, at `osc.freq`) is open.
    pub gate: bool,
    /// The last note played and still held (the monophonic view of `held`).
    pub note: Option<u8>,
    /// Every held note with its velocity.
    pub held: HeldNotes,
    /// Whether the transport runs.
    pub running: bool,
    /// Where the transport was, in beats from the top of bar 1, when the snapshot was taken.
    pub position_beats: f64,
    /// The tracks, as most recently edited (staged edits included).
    pub tracks: [TrackState; TRACKS],
}

impl Default for EngineSnapshot {
    fn default() -> Self {
        EngineSnapshot {
            values: default_values(),
            gate: false,
            note: None,
            held: HeldNotes::default(),
            running: false,
            position_beats: 0.0,
            tracks: [TrackState::default(); TRACKS],
        }
    }
}

impl EngineSnapshot {
    /// The value of a parameter.
    pub fn value(&self, param: ParamId) -> f32 {
        self.values[param.index()]
    }

    /// Updates the state the way the engine does when it applies `command`. Never allocates.
    pub fn apply(&mut self, command: &Command) {
        match *command {
            Command::Set { param, value } => {
                self.values[param.index()] = param.spec().clamp(value);
            }
            Command::Gate { on } => {
                self.gate = on;
                if !on {
                    self.note = None;
                }
            }
            Command::NoteOn { note, velocity } => {
                let note = note.min(127);
                self.values[ParamId::OscFreq.index()] =
                    ParamId::OscFreq.spec().clamp(midi_to_hz(f32::from(note)));
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
            Command::TransportStart => {
                if !self.running {
                    self.running = true;
                    self.position_beats = 0.0;
                }
            }
            Command::TransportStop => self.running = false,
            Command::SetStep { .. } | Command::SetTrack { .. } | Command::ClearTrack { .. } => {
                apply_track_command(&mut self.tracks, *command);
            }
            Command::ApplyPending | Command::Fault(_) => {}
        }
    }
}

/// Applies a track edit (`SetStep`, `SetTrack`, `ClearTrack`) to `tracks` exactly as the engine
/// does; out-of-range tracks and steps are ignored, other commands do nothing. Shared by the
/// engine snapshot and the control side's `PatchState`, so both mirror the engine the same way.
pub fn apply_track_command(tracks: &mut [TrackState; TRACKS], command: Command) {
    match command {
        Command::SetStep { track, index, step } => {
            if let Some(s) = tracks
                .get_mut(usize::from(track))
                .and_then(|t| t.steps.get_mut(usize::from(index)))
            {
                *s = step;
            }
        }
        Command::SetTrack {
            track,
            param,
            value,
        } => {
            if let Some(t) = tracks.get_mut(usize::from(track)) {
                t.set(param, value);
            }
        }
        Command::ClearTrack { track } => {
            if let Some(t) = tracks.get_mut(usize::from(track)) {
                t.steps = [Step::REST; MAX_STEPS];
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::StepLevel;

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
        let mut s = EngineSnapshot::default();
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
        assert_eq!(s.tracks[2].steps[3].level, StepLevel::Accent);
        assert_eq!(s.tracks[2].length, MAX_STEPS as u8);
        assert_eq!(s.tracks[2].sound[0], Some(4.0));
        assert_eq!(s.tracks[0], TrackState::default());
        s.apply(&Command::SetTrack {
            track: 2,
            param: TrackParam::Sound(ParamId::OscWave),
            value: f32::NAN,
        });
        assert_eq!(s.tracks[2].sound[0], None, "NaN follows the patch again");
        s.apply(&Command::ClearTrack { track: 2 });
        assert!(!s.tracks[2].has_hits());
    }

    #[test]
    fn notes_are_held_and_released_all_at_once() {
        let mut s = EngineSnapshot::default();
        for note in [60, 64, 67] {
            s.apply(&Command::NoteOn {
                note,
                velocity: 0.8,
            });
        }
        assert_eq!(s.note, Some(67));
        assert_eq!(s.held.iter().count(), 3);
        s.apply(&Command::AllNotesOff);
        assert!(s.held.is_empty() && s.note.is_none() && !s.gate);
    }
}
