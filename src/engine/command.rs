//! Commands the control side sends to the engine: small `Copy` values with absolute values.
//!
//! Built on the control thread, carried through an rtrb ring, applied on the DSP worker
//! thread at the start of a block. Nothing here allocates.

use super::params::ParamId;

/// One instruction for the engine. Every value is absolute: relative phrases are resolved
/// against `PatchState` on the control side before a `Command` is made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    /// Set a parameter to an absolute value in its unit (choices by index).
    Set {
        /// Which parameter.
        param: ParamId,
        /// The new value; the engine clamps it to the parameter's range.
        value: f32,
    },
    /// Open or close the gate of the voice at its current frequency.
    Gate {
        /// `true` opens the gate (attack), `false` closes it (release).
        on: bool,
    },
    /// Play a MIDI note on a voice of its own (polyphonic; a chord is several `NoteOn`s).
    /// Also records the note's pitch as `osc.freq`, the pitch of the gated voice. While the
    /// arpeggiator is on, the note is held for the arpeggio instead of sounding at once.
    NoteOn {
        /// MIDI note number (69 = A4 = 440 Hz).
        note: u8,
        /// Velocity from 0 to 1.
        velocity: f32,
    },
    /// Release a held MIDI note.
    NoteOff {
        /// MIDI note number.
        note: u8,
    },
    /// Release everything: every held note, the arpeggio and the gate ("release all").
    /// Voices fade with their release time; the sequencer keeps playing.
    AllNotesOff,
    /// Start the transport from the top of bar 1 at the first frame of the next block
    /// (does nothing while it runs).
    TransportStart,
    /// Stop the transport; notes the sequencer started still end at their own time.
    TransportStop,
    /// Write one step of a track's pattern. Track edits made while the transport runs are
    /// staged and take effect at the next bar, or at once after [`Command::ApplyPending`].
    SetStep {
        /// Track index, below [`TRACKS`].
        track: u8,
        /// Step index, below [`MAX_STEPS`].
        index: u8,
        /// What the step plays.
        step: Step,
    },
    /// Set one setting of a track (staged like [`Command::SetStep`]).
    SetTrack {
        /// Track index, below [`TRACKS`].
        track: u8,
        /// Which setting.
        param: TrackParam,
        /// The value in the setting's unit (see [`TrackParam`]).
        value: f32,
    },
    /// Make every step of a track a rest (staged like [`Command::SetStep`]).
    ClearTrack {
        /// Track index, below [`TRACKS`].
        track: u8,
    },
    /// Apply staged track edits now instead of at the next bar ("now").
    ApplyPending,
    /// Set one field of an LFO of an instrument (0 the main voice, 1 + N track N).
    SetLfo {
        /// 0 for the main voice, 1 + track for a track.
        instrument: u8,
        /// Which of the instrument's LFOs, below [`LFOS_PER_INSTRUMENT`](super::lfo::LFOS_PER_INSTRUMENT).
        slot: u8,
        /// Which setting.
        field: super::lfo::LfoField,
        /// The value in the setting's unit.
        value: f32,
    },
    /// Move a parameter to `target` over `length` (beats or seconds) instead of jumping;
    /// a `Set` of the same parameter cancels it.
    Ramp {
        /// Which parameter (continuous ones only).
        param: ParamId,
        /// The track whose own value moves (a track sound parameter), or
        /// [`PATCH_RAMP`](super::ramp::PATCH_RAMP) for the patch's value.
        track: u8,
        /// Where it ends, in the parameter's unit.
        target: f32,
        /// How long it takes.
        length: f32,
        /// What `length` counts.
        unit: super::ramp::RampUnit,
    },
    /// Deliberately break the worker, for failover tests and demos.
    Fault(Fault),
}

/// Number of sequencer tracks.
pub const TRACKS: usize = 8;
/// Most steps a track's pattern can hold.
pub const MAX_STEPS: usize = 192;

/// How hard a step plays: the original project's `.` `x` `X`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StepLevel {
    /// `.`: nothing.
    #[default]
    Rest,
    /// `x`: a normal hit.
    Hit,
    /// `X`: an accented hit (full velocity, more filter envelope).
    Accent,
}

impl StepLevel {
    /// The level written as `.`, `x` or `X`; `None` for any other character.
    pub fn from_char(c: char) -> Option<StepLevel> {
        match c {
            '.' => Some(StepLevel::Rest),
            'x' => Some(StepLevel::Hit),
            'X' => Some(StepLevel::Accent),
            _ => None,
        }
    }

    /// The character for this level.
    pub fn to_char(self) -> char {
        match self {
            StepLevel::Rest => '.',
            StepLevel::Hit => 'x',
            StepLevel::Accent => 'X',
        }
    }

    /// The velocity a step at this level plays with.
    pub fn velocity(self) -> f32 {
        match self {
            StepLevel::Rest => 0.0,
            StepLevel::Hit => 0.7,
            StepLevel::Accent => 1.0,
        }
    }
}

/// One step of a pattern: a level and, for note sequences, a MIDI note; mini-notation adds
/// a velocity (`x:0.5`), a length in steps (ties, `x _ _`) and more notes at once (`[C3, E3]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    /// Rest, hit or accent.
    pub level: StepLevel,
    /// MIDI note, or [`Step::TRACK_PITCH`] to play the track's own pitch (pattern hits).
    pub note: u8,
    /// Velocity in percent (1 to 100), or 0 for the level's own velocity.
    pub velocity: u8,
    /// How many steps the note lasts (ties); 0 counts as 1.
    pub length: u8,
    /// More notes played with `note` (a chord), [`Step::NO_NOTE`] where unused.
    pub chord: [u8; 3],
}

impl Default for Step {
    fn default() -> Self {
        Step::REST
    }
}

impl Step {
    /// The `note` value meaning "the track's pitch" (`TrackParam::Pitch`).
    pub const TRACK_PITCH: u8 = 255;
    /// An unused place in [`Step::chord`].
    pub const NO_NOTE: u8 = 255;
    /// A rest.
    pub const REST: Step = Step {
        level: StepLevel::Rest,
        note: Step::TRACK_PITCH,
        velocity: 0,
        length: 1,
        chord: [Step::NO_NOTE; 3],
    };

    /// A pattern step (`x`, `X` or `.`) that plays the track's pitch.
    pub fn hit(level: StepLevel) -> Step {
        Step {
            level,
            ..Step::REST
        }
    }

    /// A sequence step that plays `note` (a normal hit).
    pub fn note(note: u8) -> Step {
        Step {
            level: StepLevel::Hit,
            note: note.min(127),
            ..Step::REST
        }
    }

    /// The velocity the step plays with, 0 to 1.
    pub fn velocity(&self) -> f32 {
        if self.velocity == 0 {
            self.level.velocity()
        } else {
            f32::from(self.velocity.min(100)) / 100.0
        }
    }

    /// The step's length in steps (at least 1).
    pub fn steps_long(&self) -> u8 {
        self.length.max(1)
    }
}

/// A per-track setting for [`Command::SetTrack`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrackParam {
    /// Pattern length in steps, 1 to [`MAX_STEPS`] (default 16).
    Length,
    /// Step length as a fraction of a 4/4 bar: 0.0625 = 1/16 (default), 0.125 = 1/8.
    Rate,
    /// Steps in one cycle of a mini-notation pattern, by weight (`a@3 b` is 4; default 1).
    /// With [`TrackParam::CycleSlots`] it sets the grid: a slot lasts rate × steps ÷ slots.
    CycleSteps,
    /// Slots one cycle is cut into (`[x x x] x` at 2 steps is 6 slots; default 1).
    CycleSlots,
    /// 1 mutes the track, 0 unmutes it.
    Mute,
    /// 1 solos the track, 0 unsolos it; while any track is soloed only soloed tracks play.
    Solo,
    /// Track level in dB, -60 to 12 (default 0).
    Level,
    /// Note length as a fraction of a step, 0.05 to 1 (default 0.5).
    Gate,
    /// The MIDI note pattern hits play; a negative value follows `osc.freq` (default).
    Pitch,
    /// A sound parameter for this track only (`osc.wave`, `osc.detune`, `env.*`,
    /// `filter.*`, `amp.gain`); a non-finite value (NaN) goes back to following the patch.
    Sound(ParamId),
    /// The track's drum: 0 plays the synth voice, 1 + a [`DrumKind`](super::drums::DrumKind)
    /// index plays that drum.
    Drum,
    /// Drum tuning in semitones, -24 to 24 (default 0).
    Tune,
    /// Drum tone from 0 (dark) to 1 (bright) (default 0.5).
    Tone,
    /// The track's sample: 0 none, else 1 + a [sample library](super::sample_library) slot.
    Sample,
    /// Where the sample starts, as a fraction of it (default 0).
    SampleStart,
    /// Where the sample ends, as a fraction of it (default 1).
    SampleEnd,
    /// 1 plays the sample backwards, 0 forwards.
    Reverse,
    /// 1 loops the sample for the note's length, 0 plays it once.
    Loop,
}

/// Faults that can be injected into a DSP worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The render loop panics.
    Panic,
    /// The render loop stops making progress.
    Hang,
    /// The filter state becomes NaN.
    Nan,
    /// Each block takes this many extra microseconds to render.
    Slow {
        /// Extra render time per block in microseconds.
        micros: u32,
    },
}

/// A command with the moment the control side sent it, so the output can measure
/// command-to-sound latency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StampedCommand {
    /// The command.
    pub command: Command,
    /// Nanoseconds on the meters clock when the control side sent it.
    pub sent_ns: u64,
}

/// Converts a MIDI note number to its frequency in Hz (A4 = 69 = 440 Hz).
pub fn midi_to_hz(note: f32) -> f32 {
    440.0 * 2f32.powf((note - 69.0) / 12.0)
}

// Commands travel through a lock-free ring many times per second; keep them small.
const _: () = assert!(std::mem::size_of::<Command>() <= 12);
const _: () = assert!(TRACKS <= 8 && MAX_STEPS <= 255);
const _: () = assert!(std::mem::size_of::<StampedCommand>() <= 24);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midi_notes_map_to_concert_pitch() {
        assert!((midi_to_hz(69.0) - 440.0).abs() < 1e-3);
        assert!((midi_to_hz(57.0) - 220.0).abs() < 1e-3);
        assert!((midi_to_hz(60.0) - 261.6256).abs() < 1e-2);
    }

    #[test]
    fn step_levels_read_the_original_notation() {
        let levels: Vec<_> = "x.X?".chars().map(StepLevel::from_char).collect();
        assert_eq!(
            levels,
            [
                Some(StepLevel::Hit),
                Some(StepLevel::Rest),
                Some(StepLevel::Accent),
                None
            ]
        );
        assert_eq!(StepLevel::Accent.to_char(), 'X');
        assert!(StepLevel::Accent.velocity() > StepLevel::Hit.velocity());
        assert_eq!(Step::note(200).note, 127);
    }
}
