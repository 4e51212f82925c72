//! One sequencer track's pattern and settings, and how track commands edit it. `Copy`,
//! used on every thread (the engine's sequencer plays it; the control side mirrors it).
//! Never allocates.

use crate::engine::command::{Command, Step, TrackParam, MAX_STEPS, TRACKS};
use crate::engine::params::ParamId;

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

/// One sequencer track: its pattern and how it plays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackState {
    /// The pattern; only the first `length` steps play.
    pub steps: [Step; MAX_STEPS],
    /// Steps in the pattern (1..=64).
    pub length: u8,
    /// Step length as a fraction of a 4/4 bar (0.0625 = 1/16).
    pub rate: f32,
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
    /// Step length in beats (quarter notes).
    pub fn step_beats(&self) -> f64 {
        f64::from(self.rate) * 4.0
    }

    /// True when some step of the pattern plays.
    pub fn has_hits(&self) -> bool {
        self.steps[..usize::from(self.length)]
            .iter()
            .any(|s| s.level != crate::engine::command::StepLevel::Rest)
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
